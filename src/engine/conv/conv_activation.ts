// y = act(conv(x, w) + bias) for a convolution or a depthwise convolution, act none, ReLU or ReLU6, as one
// op: the layers of MobileNet and ResNet with their batch normalisation folded into w and bias (the
// inference plan, models/inference_plan.ts). Its forward is one engine kernel even while tfjs records
// gradients (tfjs's fused ops run unfused then, and have no gradient for ReLU6 at all), and its gradient
// computes only what is asked for: dz = dy * act'(y) once (from the saved output), then the input's
// backprop kernel for x, the filter's for w and a column sum for the bias, each on demand. Off the engine
// (another backend, the policy off, a configuration the kernels do not cover) the same function is composed
// of tfjs ops, with tfjs's gradients.
// A pair of these in the inference plan, a ReLU6 convolution whose output only one other reads
// (MobileNetV2's expand -> depthwise -> project), skips the ReLU6-gradient pass over the activation: the
// reader (inputIsRelu6) applies relu6'(x) = (0 < x < 6) as its input-gradient kernel writes dx, and the
// producer (gradientMaskedByConsumer) takes that as dz: relu6'(z) * relu6'(z) g = relu6'(z) g, the same
// values. Where the row-tiled depthwise or the pointwise kernels cannot mask, the ReLU6-gradient kernel
// runs after the input gradient instead.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import { convUnsupported, engineConv2D, engineConv2DBackpropInput } from './conv';
import { depthwiseMaskable, depthwiseUnsupported, engineDepthwiseConv2D, engineDepthwiseConv2DBackpropInput } from './depthwise';
import { isPointwise, pointwiseConv2D, pointwiseConv2DBackpropInput, pointwiseMaskable } from './pointwise';
import { relu6GradWebGPU, Relu6GradEngine, ReluGradEngine } from '../elementwise/elementwise';
import type { EngineActivation } from '../matmul/matmul';
import { countEngineCall, onEngine } from '../policy';
import { registerEntries, type KernelEntry } from '../../program/registration';

export const ConvActivation = 'EngineConvActivation';
/**
 * tfjs flag: the inference plan has the one convolution that reads a ReLU6 convolution's output mask the
 * input gradient (inputIsRelu6, gradientMaskedByConsumer; default true); false runs the ReLU6-gradient
 * kernel (the bench compares the two in one run).
 */
export const FLAG_RELU6_INPUT = 'ADVERSARIAL_RELU6_INPUT';

let relu6FlagRegistered = false;
/** Registers FLAG_RELU6_INPUT (idempotent; registerEngineKernels calls it). */
export function registerRelu6InputFlag(): void {
  if (!relu6FlagRegistered) tf.env().registerFlag(FLAG_RELU6_INPUT, () => true);
  relu6FlagRegistered = true;
}

/** Whether FLAG_RELU6_INPUT is on. */
export function relu6InputOn(): boolean {
  registerRelu6InputFlag();
  return tf.env().getBool(FLAG_RELU6_INPUT);
}

/** The input gradient of a convolution whose input z is a ReLU6's output: backprop-input(dy) * relu6'(z). */
export const ConvBackpropInputRelu6 = 'EngineConvBackpropInputRelu6';

/** Explicit padding [[0, 0], [top, bottom], [left, right], [0, 0]], or tfjs's 'same' / 'valid'. */
export type ConvPadding = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

/** The set-up of one fused convolution. */
export interface ConvActivationAttrs {
  /** 'conv': w [fh, fw, cin, cout]; 'depthwise': w [fh, fw, c, 1]. */
  kind: 'conv' | 'depthwise';
  strides: [number, number];
  pad: ConvPadding;
  dilations: [number, number];
  activation: EngineActivation;
  /**
   * The inference plan's: x is a ReLU6's output (in [0, 6]) read by nothing else, so that the input
   * gradient is the one at the ReLU6's input, backprop-input(dy) * relu6'(x), masked as it is written.
   */
  inputIsRelu6?: boolean;
  /** The inference plan's: the output's one reader has inputIsRelu6, so dy holds ReLU6's gradient already. */
  gradientMaskedByConsumer?: boolean;
}

type Conv4 = [number, number, number, number];

function geometry(xShape: number[], filterShape: number[], a: ConvActivationAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(xShape as Conv4, filterShape as Conv4, a.strides, a.dilations, a.pad as 'same', undefined, a.kind === 'depthwise');
}

/** Whether the engine kernels cover this configuration (float32 NHWC, channel counts they tile). */
function covered(x: tf.Tensor4D, filter: tf.Tensor4D, a: ConvActivationAttrs): boolean {
  const info = geometry(x.shape, filter.shape, a);
  if (a.kind === 'depthwise') return depthwiseUnsupported(info, ['float32']) === null;
  // The backprop-input kernel takes dilation 1 only.
  return convUnsupported(info, ['float32']) === null && a.dilations[0] === 1 && a.dilations[1] === 1;
}

/** dz = dy * act'(y) from the saved output (ReLU: y > 0; ReLU6: 0 < y < 6). */
function activationGradient(dy: tf.Tensor, y: tf.Tensor, activation: EngineActivation): tf.Tensor {
  if (activation === 'linear') return dy;
  return tf.engine().runKernel(activation === 'relu' ? ReluGradEngine : Relu6GradEngine, activation === 'relu' ? { dy, x: y } : { dy, y }) as tf.Tensor;
}

/**
 * The gradients of a convolution's x, filter and bias from dz (the gradient at its pre-activation output),
 * each computed only when tfjs asks for it: the input's and the filter's backprop kernels (depthwise or
 * not) with the forward's `window` attributes, a column sum for the bias.
 */
export function lazyConvGradients(dz: tf.Tensor4D, x: tf.Tensor, filter: tf.Tensor, window: Record<string, unknown>, depthwise = false): Record<'x' | 'filter' | 'bias', () => tf.Tensor> {
  return {
    x: () => tf.engine().runKernel(depthwise ? 'DepthwiseConv2dNativeBackpropInput' : 'Conv2DBackpropInput', { dy: dz, filter }, { ...window, inputShape: x.shape } as tf.NamedAttrMap) as tf.Tensor,
    filter: () => tf.engine().runKernel(depthwise ? 'DepthwiseConv2dNativeBackpropFilter' : 'Conv2DBackpropFilter', { x, dy: dz }, { ...window, filterShape: filter.shape } as tf.NamedAttrMap) as tf.Tensor,
    bias: () => tf.sum(dz, [0, 1, 2]),
  };
}

/** backprop-input(dy) * relu6'(z) for the geometry of x = z: masked as dx is written where the kernels can. */
function relu6InputGradient(gpu: WebGPUBackend, dy: tf.TensorInfo, filter: tf.TensorInfo, z: tf.TensorInfo, info: tf.backend_util.Conv2DInfo, depthwise: boolean): tf.TensorInfo {
  if (depthwise && depthwiseMaskable(info)) return engineDepthwiseConv2DBackpropInput(gpu, dy, filter, info, z);
  if (!depthwise && isPointwise(info) && pointwiseMaskable(info)) return pointwiseConv2DBackpropInput(gpu, dy, filter, info, z);
  const dx = depthwise ? engineDepthwiseConv2DBackpropInput(gpu, dy, filter, info) : isPointwise(info) ? pointwiseConv2DBackpropInput(gpu, dy, filter, info) : engineConv2DBackpropInput(gpu, dy, filter, info);
  const masked = relu6GradWebGPU(gpu, dx, z);
  gpu.disposeData(dx.dataId);
  return masked;
}

/** The fused kernel and its gradient (the table's 'conv' group). */
export const convActivationEntries: KernelEntry[] = [
  {
    kernelName: ConvActivation,
    backendName: 'webgpu',
    group: 'conv',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, filter, bias } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo; bias: tf.TensorInfo };
      const a = attrs as unknown as ConvActivationAttrs;
      const info = geometry(x.shape, filter.shape, a);
      const gpu = backend as WebGPUBackend;
      if (a.kind === 'depthwise') return engineDepthwiseConv2D(gpu, x, filter, info, bias, a.activation);
      if (isPointwise(info)) return pointwiseConv2D(gpu, x, filter, info, bias, a.activation);
      return engineConv2D(gpu, x, filter, info, bias, a.activation);
    },
    gradient: {
      inputsToSave: ['x', 'filter'],
      outputsToSave: [true],
      gradFunc: (dy, saved, attrs) => {
        const [x, filter, y] = saved;
        const a = attrs as unknown as ConvActivationAttrs;
        const dz = (a.gradientMaskedByConsumer && a.activation === 'relu6' ? dy : activationGradient(dy as tf.Tensor, y, a.activation)) as tf.Tensor4D;
        const depthwise = a.kind === 'depthwise';
        const gradients = lazyConvGradients(dz, x, filter, { strides: a.strides, pad: a.pad, dilations: a.dilations, dataFormat: 'NHWC' }, depthwise);
        if (!a.inputIsRelu6) return gradients;
        return { ...gradients, x: () => tf.engine().runKernel(ConvBackpropInputRelu6, { dy: dz, filter, z: x }, attrs as tf.NamedAttrMap) as tf.Tensor };
      },
    },
  },
  {
    kernelName: ConvBackpropInputRelu6,
    backendName: 'webgpu',
    group: 'conv',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, filter, z } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo; z: tf.TensorInfo };
      const a = attrs as unknown as ConvActivationAttrs;
      return relu6InputGradient(backend as WebGPUBackend, dy, filter, z, geometry(z.shape, filter.shape, a), a.kind === 'depthwise');
    },
  },
];

/** x, with the gradient dy * relu6'(x) = dy where 0 < x < 6 (x a ReLU6's output), from tfjs ops. */
const relu6MaskOnGradient = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x]);
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => tf.where(tf.logicalAnd(tf.greater(saved!, 0), tf.less(saved!, 6)), dy, tf.zerosLike(dy)) };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor4D) => tf.Tensor4D;

/** The same function from tfjs ops (with tfjs's gradients), for what the engine does not run. */
function composed(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, a: ConvActivationAttrs): tf.Tensor4D {
  return tf.tidy((): tf.Tensor4D => {
    const pad = a.pad as 'same';
    const z = a.kind === 'depthwise' ? tf.depthwiseConv2d(x, filter, a.strides, pad, 'NHWC', a.dilations) : tf.conv2d(x, filter, a.strides, pad, 'NHWC', a.dilations);
    const biased = tf.add(z, bias) as tf.Tensor4D;
    if (a.activation === 'relu') return tf.relu(biased);
    if (a.activation === 'relu6') return tf.relu6(biased);
    return biased;
  });
}

/**
 * act(conv(x, filter) + bias), NHWC: one engine kernel on webgpu where the engine's convolutions are on and
 * cover the configuration, with a gradient that computes only the inputs asked for; tfjs ops elsewhere.
 *
 * @example
 * // A MobileNet block's depthwise 3x3 stride 2 with its batch normalisation folded in, then ReLU6:
 * const y = convActivation(x, foldedFilter, foldedBias, { kind: 'depthwise', strides: [2, 2],
 *   pad: [[0, 0], [0, 1], [0, 1], [0, 0]], dilations: [1, 1], activation: 'relu6' });
 */
export function convActivation(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, attrs: ConvActivationAttrs): tf.Tensor4D {
  const name = attrs.kind === 'depthwise' ? 'DepthwiseConv2dNative' : 'Conv2D';
  const on = onEngine(name, [x, filter, bias]) && covered(x, filter, attrs);
  countEngineCall(ConvActivation, on);
  // Off the engine the mask is tfjs ops' (its producer has left it out of its own gradient).
  if (!on) return tf.tidy(() => composed(attrs.inputIsRelu6 ? relu6MaskOnGradient(x) : x, filter, bias, attrs));
  registerEntries(convActivationEntries);
  return tf.engine().runKernel(ConvActivation, { x, filter, bias }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}
