// relu(conv2d(x, w) + bias) as one op whose forward is one engine kernel even while tfjs records
// gradients (tfjs's fused.conv2d runs Conv2D, Add and Relu then), and whose gradient is computed only for
// the inputs that need it (a fused op's custom gradient computes all of them): dz = dy * (y > 0) once, then
// Conv2DBackpropInput for x, Conv2DBackpropFilter for w, a column sum for the bias, each on demand.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import { convUnsupported, engineConv2D } from './conv';
import { ReluGradEngine } from '../elementwise/elementwise';
import { countEngineCall, onEngine } from '../policy';
import { registerEntries, type KernelEntry } from '../../program/registration';

export const Conv2DBiasRelu = 'EngineConv2DBiasRelu';

type Attrs = { strides: [number, number]; pad: 'valid' | 'same' | number };

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
        const conv = { strides: a.strides, pad: a.pad, dataFormat: 'NHWC' };
        return {
          x: () => tf.engine().runKernel('Conv2DBackpropInput', { dy: dz, filter }, { ...conv, inputShape: x.shape }) as tf.Tensor,
          filter: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: dz }, { ...conv, filterShape: filter.shape }) as tf.Tensor,
          bias: () => tf.sum(dz, [0, 1, 2]),
        };
      },
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
