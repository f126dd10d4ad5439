// relu(conv2d(x, w) + bias) as one op whose forward is one engine kernel even while tfjs records
// gradients (tfjs's fused.conv2d runs Conv2D, Add and Relu then), and whose gradient is computed only for
// the inputs that need it (a fused op's custom gradient computes all of them): dz = dy * (y > 0) once, then
// Conv2DBackpropInput for x, Conv2DBackpropFilter for w, a column sum for the bias, each on demand.
// conv2dBiasReluPool adds the max pooling after it (the seed CNN's): its gradient is one MaxPoolGrad with
// the ReLU's mask applied in it (EngineMaxPoolGradRelu: the values of MaxPoolGrad then EngineReluGrad).
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import { convUnsupported, engineConv2D } from './conv';
import { lazyConvGradients } from './conv_activation';
import { engineMaxPool, engineMaxPoolGrad, poolUnsupported, poolWindowsTile } from '../pool/max_pool';
import { ReluGradEngine } from '../elementwise/elementwise';
import { countEngineCall, onEngine } from '../policy';
import { registerEntries, type KernelEntry } from '../../program/registration';

export const Conv2DBiasRelu = 'EngineConv2DBiasRelu';
export const Conv2DBiasReluPool = 'EngineConv2DBiasReluPool';
/** MaxPoolGrad of windows that tile the input, then the ReLU's gradient, in one pass (x: the ReLU's output). */
export const MaxPoolGradRelu = 'EngineMaxPoolGradRelu';

type Attrs = { strides: [number, number]; pad: 'valid' | 'same' | number };
type PoolAttrs = Attrs & { poolSize: number };

const poolGeometry = (yShape: number[], size: number) => tf.backend_util.computePool2DInfo(yShape as [number, number, number, number], size, size, 1, 'valid');

const geometry = (xShape: number[], filterShape: number[], a: Attrs) =>
  tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], filterShape as [number, number, number, number], a.strides, 1, a.pad);

/** The fused kernel and its gradient (the table's 'conv' group). */
export const conv2dBiasReluEntries: KernelEntry[] = [
  {
    kernelName: Conv2DBiasRelu,
    backendName: 'webgpu',
    group: 'conv',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, filter, bias } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo; bias: tf.TensorInfo };
      return engineConv2D(backend as WebGPUBackend, x, filter, geometry(x.shape, filter.shape, attrs as unknown as Attrs), bias, 'relu');
    },
    gradient: {
      inputsToSave: ['x', 'filter'],
      outputsToSave: [true],
      gradFunc: (dy, saved, attrs) => {
        const [x, filter, y] = saved;
        const a = attrs as unknown as Attrs;
        const dz = tf.engine().runKernel(ReluGradEngine, { dy: dy as tf.Tensor, x: y }) as tf.Tensor4D;
        return lazyConvGradients(dz, x, filter, { strides: a.strides, pad: a.pad, dataFormat: 'NHWC' });
      },
    },
  },
  {
    // The same with a max pooling of windows that tile the image after it (the seed CNN's): outputs the
    // pooled map and the activation; the gradient is one MaxPoolGrad with the ReLU's mask applied in it.
    kernelName: Conv2DBiasReluPool,
    backendName: 'webgpu',
    group: 'conv',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, filter, bias } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo; bias: tf.TensorInfo };
      const a = attrs as unknown as PoolAttrs;
      const gpu = backend as WebGPUBackend;
      const y = engineConv2D(gpu, x, filter, geometry(x.shape, filter.shape, a), bias, 'relu');
      return [engineMaxPool(gpu, y, poolGeometry(y.shape, a.poolSize)), y];
    },
    gradient: {
      inputsToSave: ['x', 'filter'],
      outputsToSave: [false, true],
      gradFunc: (dys, saved, attrs) => {
        const [x, filter, y] = saved;
        const a = attrs as unknown as PoolAttrs;
        const dz = tf.engine().runKernel(MaxPoolGradRelu, { dy: (dys as tf.Tensor[])[0]!, x: y }, { poolSize: a.poolSize }) as tf.Tensor4D;
        return lazyConvGradients(dz, x, filter, { strides: a.strides, pad: a.pad, dataFormat: 'NHWC' });
      },
    },
  },
  {
    kernelName: MaxPoolGradRelu,
    backendName: 'webgpu',
    group: 'conv',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, x } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
      return engineMaxPoolGrad(backend as WebGPUBackend, dy, x, poolGeometry(x.shape, (attrs as unknown as { poolSize: number }).poolSize), true);
    },
  },
];

/**
 * relu(conv2d(x, filter, strides, pad) + bias), NHWC, dilation 1: one engine kernel on webgpu (with the
 * engine's FusedConv2D switched on and the configuration covered), tfjs's fused.conv2d elsewhere.
 *
 * @example
 * const activated = conv2dBiasRelu(images, kernel, bias);  // [batch, h - 2, w - 2, 32] for a 3x3 kernel
 */
export function conv2dBiasRelu(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, strides: number | [number, number] = 1, pad: 'valid' | 'same' | number = 'valid'): tf.Tensor4D {
  const s: [number, number] = typeof strides === 'number' ? [strides, strides] : strides;
  const fused =
    onEngine('FusedConv2D', [x, filter, bias]) &&
    bias.rank === 1 &&
    bias.shape[0] === filter.shape[3] &&
    convUnsupported(geometry(x.shape, filter.shape, { strides: s, pad }), ['float32']) === null;
  if (!fused) return tf.fused.conv2d({ x, filter, strides: s, pad, bias, activation: 'relu' });
  registerEntries(conv2dBiasReluEntries);
  countEngineCall(Conv2DBiasRelu, true);
  return tf.engine().runKernel(Conv2DBiasRelu, { x, filter, bias }, { strides: s, pad }) as tf.Tensor4D;
}

/**
 * maxPool(relu(conv2d(x, filter, strides, pad) + bias), poolSize, poolSize, 'valid'): one op whose gradient
 * runs one max-pool gradient with the ReLU's mask in it (the values of MaxPoolGrad then the ReLU gradient).
 * Falls back to conv2dBiasRelu and tf.maxPool off the engine or where the pool's windows do not tile the
 * activation exactly.
 *
 * @example
 * const features = conv2dBiasReluPool(images, kernel, bias, 2); // the seed CNN: [batch, 13, 13, 32] from 28x28
 */
export function conv2dBiasReluPool(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, poolSize: number, strides: number | [number, number] = 1, pad: 'valid' | 'same' | number = 'valid'): tf.Tensor4D {
  const s: [number, number] = typeof strides === 'number' ? [strides, strides] : strides;
  const info = geometry(x.shape, filter.shape, { strides: s, pad });
  const pool = poolGeometry(info.outShape, poolSize);
  const fused =
    onEngine('FusedConv2D', [x, filter, bias]) &&
    onEngine('MaxPool', [x]) &&
    onEngine('MaxPoolGrad', [x]) &&
    bias.rank === 1 &&
    bias.shape[0] === filter.shape[3] &&
    convUnsupported(info, ['float32']) === null &&
    poolUnsupported(pool, 'float32') === null &&
    poolWindowsTile(pool);
  if (!fused) return tf.tidy(() => tf.maxPool(conv2dBiasRelu(x, filter, bias, s, pad), poolSize, poolSize, 'valid'));
  registerEntries(conv2dBiasReluEntries);
  countEngineCall(Conv2DBiasReluPool, true);
  const [pooled, activated] = tf.engine().runKernel(Conv2DBiasReluPool, { x, filter, bias }, { strides: s, pad, poolSize }) as tf.Tensor4D[];
  activated!.dispose();
  return pooled!;
}
