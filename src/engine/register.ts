// Kernel configs of the engine for the `webgpu` backend, registered over tfjs's under the standard kernel
// names (so tfjs's gradients and users' models use them unchanged). Each keeps the original tfjs config and
// calls it when the policy switches the engine kernel off or the arguments fall outside what it covers.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { backend_util, engine, type KernelFunc, type NamedAttrMap, type Tensor, type TensorInfo } from '@tensorflow/tfjs-core';
import {
  convUnsupported,
  engineConv2D,
  engineConv2DBackpropFilter,
  engineConv2DBackpropInput,
} from './conv/conv';
import { engineMaxPool, engineMaxPoolGrad, poolUnsupported } from './pool/max_pool';
import { isPointwise, pointwiseConv2D, pointwiseConv2DBackpropFilter, pointwiseConv2DBackpropInput, pointwiseFilterOnMatMul } from './conv/pointwise';
import { depthwiseUnsupported, engineDepthwiseConv2D, engineDepthwiseConv2DBackpropInput, registerDepthwiseFlag } from './conv/depthwise';
import { registerRelu6InputFlag } from './conv/conv_activation';
import { engineDepthwiseConv2DBackpropFilter } from './conv/depthwise_filter';
import { sumLeadingAxes } from './reduce/column_sum';
import { sumInTfjsOrder } from './reduce/sum_tree';
import { registerReduceGradients } from './reduce/reduce_gradients';
import { engineMatMul, matMulUnsupported, type EngineActivation } from './matmul/matmul';
import { countEngineCall, onEngine, type EngineKernelName } from './policy';
import { originalKernel, overTfjsGradient, registerEntries, type KernelEntry } from '../program/registration';
import type { EngineImpl } from './impl';
import {
  batchNormGradXWebGPU,
  BatchNormGradXEngine,
  clipByValueGradWebGPU,
  ClipByValueGradEngine,
  engineElementwiseKernels,
  relu6GradWebGPU,
  Relu6GradEngine,
  reluGradWebGPU,
  ReluGradEngine,
} from './elementwise/elementwise';
import { registerBatchNormGradient } from './norm/batch_norm_gradient';
import { meanGradWebGPU, MeanGradEngine, meanImpl } from './reduce/mean';
import { padImpl, sliceImpl } from './shape/pad_slice';

type Inputs = Parameters<EngineImpl>[0];
export type { EngineImpl };

function activationOf(attrs: NamedAttrMap): EngineActivation | null {
  const a = (attrs.activation as string | undefined) ?? 'linear';
  return a === 'linear' || a === 'relu' || a === 'relu6' ? a : null;
}

const conv2dImpl = (fused: boolean): EngineImpl => (inputs, backend, attrs) => {
  const { x, filter, bias, preluActivationWeights } = inputs as { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  const activation = fused ? activationOf(attrs) : 'linear';
  if (activation == null || preluActivationWeights != null) return null;
  const a = attrs as unknown as { strides: number | [number, number]; pad: 'valid' | 'same' | number; dataFormat: 'NHWC' | 'NCHW'; dilations: number | [number, number]; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filter.shape as [number, number, number, number], a.strides, a.dilations, a.pad, a.dimRoundingMode, false, backend_util.convertConv2DDataFormat(a.dataFormat));
  const dtypes = [x.dtype, filter.dtype, ...(bias ? [bias.dtype] : [])];
  if (convUnsupported(info, dtypes)) return null;
  if (bias && bias.shape.reduce((p, q) => p * q, 1) !== info.outChannels) return null;
  if (isPointwise(info)) return pointwiseConv2D(backend, x, filter, info, bias, activation);
  return engineConv2D(backend, x, filter, info, bias, activation);
};

const conv2dBackpropInputImpl: EngineImpl = (inputs, backend, attrs) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as { inputShape: [number, number, number, number]; strides: number | [number, number]; pad: 'valid' | 'same' | number; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
  const info = backend_util.computeConv2DInfo(a.inputShape, filter.shape as [number, number, number, number], a.strides, 1, a.pad, a.dimRoundingMode, false, backend_util.convertConv2DDataFormat(a.dataFormat));
  if (convUnsupported(info, [dy.dtype, filter.dtype])) return null;
  if (isPointwise(info)) return pointwiseConv2DBackpropInput(backend, dy, filter, info);
  return engineConv2DBackpropInput(backend, dy, filter, info);
};

const conv2dBackpropFilterImpl: EngineImpl = (inputs, backend, attrs) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as { filterShape: [number, number, number, number]; strides: number | [number, number]; pad: 'valid' | 'same' | number; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, backend_util.convertConv2DDataFormat(a.dataFormat));
  if (convUnsupported(info, [x.dtype, dy.dtype])) return null;
  if (isPointwise(info) && pointwiseFilterOnMatMul(info)) return pointwiseConv2DBackpropFilter(backend, x, dy, info);
  return engineConv2DBackpropFilter(backend, x, dy, info);
};

type DepthwiseAttrs = { strides: number | [number, number]; pad: 'valid' | 'same' | number; dilations?: number | [number, number]; dimRoundingMode?: 'floor' | 'round' | 'ceil'; dataFormat?: 'NHWC' | 'NCHW' };

const depthwiseImpl = (fused: boolean): EngineImpl => (inputs, backend, attrs) => {
  const { x, filter, bias, preluActivationWeights } = inputs as { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  const activation = fused ? activationOf(attrs) : 'linear';
  if (activation == null || preluActivationWeights != null) return null;
  const a = attrs as unknown as DepthwiseAttrs;
  if ((a.dataFormat ?? 'NHWC') !== 'NHWC') return null;
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filter.shape as [number, number, number, number], a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, true);
  if (depthwiseUnsupported(info, [x.dtype, filter.dtype, ...(bias ? [bias.dtype] : [])])) return null;
  if (bias && bias.shape.reduce((p, q) => p * q, 1) !== info.outChannels) return null;
  return engineDepthwiseConv2D(backend, x, filter, info, bias, activation);
};

const depthwiseBackpropInputImpl: EngineImpl = (inputs, backend, attrs) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as DepthwiseAttrs & { inputShape: [number, number, number, number] };
  const info = backend_util.computeConv2DInfo(a.inputShape, filter.shape as [number, number, number, number], a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, true);
  if (depthwiseUnsupported(info, [dy.dtype, filter.dtype])) return null;
  return engineDepthwiseConv2DBackpropInput(backend, dy, filter, info);
};

const depthwiseBackpropFilterImpl: EngineImpl = (inputs, backend, attrs) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as DepthwiseAttrs & { filterShape: [number, number, number, number] };
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, true);
  if (depthwiseUnsupported(info, [x.dtype, dy.dtype])) return null;
  return engineDepthwiseConv2DBackpropFilter(backend, x, dy, info);
};

type PoolAttrs = { filterSize: number | [number, number]; strides: number | [number, number]; pad: 'valid' | 'same' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil' };

const maxPoolImpl: EngineImpl = (inputs, backend, attrs) => {
  const { x } = inputs as { x: TensorInfo };
  const a = attrs as unknown as PoolAttrs;
  if (x.shape.length !== 4) return null;
  const info = backend_util.computePool2DInfo(x.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  if (poolUnsupported(info, x.dtype)) return null;
  if (info.filterWidth === 1 && info.filterHeight === 1) return null;
  return engineMaxPool(backend, x, info);
};

const maxPoolGradImpl: EngineImpl = (inputs, backend, attrs) => {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const a = attrs as unknown as PoolAttrs;
  const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  if (poolUnsupported(info, input.dtype) || dy.dtype !== 'float32') return null;
  return engineMaxPoolGrad(backend, dy, input, info);
};

const matMulImpl = (fused: boolean): EngineImpl => (inputs, backend, attrs) => {
  const { a, b, bias, preluActivationWeights } = inputs as { a: TensorInfo; b: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  const activation = fused ? activationOf(attrs) : 'linear';
  if (activation == null || preluActivationWeights != null) return null;
  const args = { a, b, bias, activation, transposeA: Boolean(attrs.transposeA), transposeB: Boolean(attrs.transposeB) };
  if (matMulUnsupported(args)) return null;
  return engineMatMul(backend, args);
};

const IMPLS: Partial<Record<EngineKernelName, EngineImpl>> = {
  Conv2D: conv2dImpl(false),
  FusedConv2D: conv2dImpl(true),
  Conv2DBackpropInput: conv2dBackpropInputImpl,
  Conv2DBackpropFilter: conv2dBackpropFilterImpl,
  DepthwiseConv2dNative: depthwiseImpl(false),
  FusedDepthwiseConv2D: depthwiseImpl(true),
  DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInputImpl,
  DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilterImpl,
  MaxPool: maxPoolImpl,
  MaxPoolGrad: maxPoolGradImpl,
  BatchMatMul: matMulImpl(false),
  _FusedMatMul: matMulImpl(true),
  ...engineElementwiseKernels,
  // Leading axes with a kept size % 4 == 0: the column sum; every other float32 Sum in tfjs's own order.
  Sum: (inputs, backend, attrs) => sumLeadingAxes(inputs, backend, attrs) ?? sumInTfjsOrder(inputs, backend, attrs),
  Mean: meanImpl,
  PadV2: padImpl,
  Slice: sliceImpl,
};

function engineKernelFunc(name: EngineKernelName, impl: EngineImpl): KernelFunc {
  return (args) => {
    const backend = args.backend as WebGPUBackend;
    if (onEngine(name, Object.values(args.inputs))) {
      const out = impl(args.inputs as Inputs, backend, args.attrs ?? {});
      if (out != null) {
        countEngineCall(name, true);
        return out;
      }
    }
    countEngineCall(name, false);
    return originalKernel(name)!.kernelFunc(args);
  };
}

/** The engine's entries in the registration table: its kernels over tfjs's, and its ReLU and ClipByValue gradient kernels. */
export const engineEntries: KernelEntry[] = [
  ...(Object.entries(IMPLS) as [EngineKernelName, EngineImpl][]).map(
    ([kernelName, impl]): KernelEntry => ({ kernelName, backendName: 'webgpu', kernelFunc: engineKernelFunc(kernelName, impl), group: 'engine', over: true }),
  ),
  {
    kernelName: ReluGradEngine,
    backendName: 'webgpu',
    group: 'gradient',
    kernelFunc: ({ inputs, backend }) => reluGradWebGPU(backend as WebGPUBackend, inputs.dy as TensorInfo, inputs.x as TensorInfo),
  },
  {
    kernelName: Relu6GradEngine,
    backendName: 'webgpu',
    group: 'gradient',
    kernelFunc: ({ inputs, backend }) => relu6GradWebGPU(backend as WebGPUBackend, inputs.dy as TensorInfo, inputs.y as TensorInfo),
  },
  {
    kernelName: BatchNormGradXEngine,
    backendName: 'webgpu',
    group: 'gradient',
    kernelFunc: ({ inputs, backend }) => batchNormGradXWebGPU(backend as WebGPUBackend, inputs.dy as TensorInfo, inputs.r as TensorInfo, inputs.s as TensorInfo),
  },
  {
    kernelName: ClipByValueGradEngine,
    backendName: 'webgpu',
    group: 'gradient',
    kernelFunc: ({ inputs, backend, attrs }) =>
      clipByValueGradWebGPU(backend as WebGPUBackend, inputs.dy as TensorInfo, inputs.x as TensorInfo, Number(attrs!.clipValueMin), Number(attrs!.clipValueMax)),
  },
  {
    kernelName: MeanGradEngine,
    backendName: 'webgpu',
    group: 'gradient',
    kernelFunc: ({ inputs, backend, attrs }) => meanGradWebGPU(backend as WebGPUBackend, inputs.dy as TensorInfo, attrs!.shape as number[], attrs!.axes as number[]),
  },
];

/**
 * Registers the engine kernels for `webgpu` over tfjs's own (kept, and called for what the engine does not
 * cover or the policy switches off). Idempotent; `initWebGPU` calls it.
 *
 * @example
 * await initWebGPU();             // registers the engine kernels
 * useEngineKernels(false);        // and this turns them off again
 */
export function registerEngineKernels(): void {
  registerDepthwiseFlag();
  registerRelu6InputFlag();
  registerEngineGradients();
  registerEntries(engineEntries.filter((e) => e.group === 'engine'));
}

/**
 * The engine's gradients over tfjs's, on webgpu (every other backend keeps tfjs's formulas):
 * - Relu: tfjs's dy * cast(step(x)) is two kernels over the activation; one fused kernel with the engine
 *   Relu on.
 * - ClipByValue (ReLU6): tfjs's where(x >= min && x <= max, dy, zerosLike(dy)) is five kernels and three
 *   temporaries the size of x; one kernel (`ClipByValueGrad` in the policy), the same values.
 * - FusedBatchNorm: lazy per input, so that an input gradient computes nothing for the statistics
 *   (norm/batch_norm_gradient.ts).
 * - Sum and Mean: dy spread on the device (reduce/reduce_gradients.ts).
 * Idempotent; tfjs's gradients may be registered later (ensureGradients in Node): called again then.
 */
export function registerEngineGradients(): void {
  registerEntries(engineEntries.filter((e) => e.group === 'gradient'));
  overTfjsGradient('Relu', (tfjsGradFunc) => (dy, saved, attrs) => {
    const [x] = saved;
    if (!onEngine('Relu', [x, dy as Tensor])) return tfjsGradFunc(dy, saved, attrs);
    return { x: () => engine().runKernel(ReluGradEngine, { dy: dy as Tensor, x }) as Tensor };
  });
  overTfjsGradient('ClipByValue', (tfjsGradFunc) => (dy, saved, attrs) => {
    const [x] = saved;
    const on = onEngine('ClipByValueGrad', [x, dy as Tensor]);
    countEngineCall('ClipByValueGrad', on);
    if (!on) return tfjsGradFunc(dy, saved, attrs);
    return { x: () => engine().runKernel(ClipByValueGradEngine, { dy: dy as Tensor, x }, attrs) as Tensor };
  });
  registerBatchNormGradient(BatchNormGradXEngine);
  registerReduceGradients();
}

export { originalKernel };
