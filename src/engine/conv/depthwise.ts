// Engine depthwise convolutions (MobileNet's), NHWC float32: DepthwiseConv2dNative forward and
// DepthwiseConv2dNativeBackpropInput. Channel multiplier 1 with channels a multiple of 4: one vec4 of
// channels per invocation (shaders/engine/depthwise_conv*.wgsl), the input gradient at stride > 1 visiting
// only the taps that hit. Any other channel count or multiplier: one element per invocation
// (depthwise_conv*_scalar.wgsl). Any stride, padding and dilation tfjs accepts. The filter's gradient is
// depthwise_filter.ts.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { env, type TensorInfo } from '@tensorflow/tfjs-core';
import depthwiseWgsl from '../../../shaders/engine/depthwise_conv.wgsl';
import depthwiseScalarWgsl from '../../../shaders/engine/depthwise_conv_scalar.wgsl';
import depthwiseBackpropInputWgsl from '../../../shaders/engine/depthwise_conv_backprop_input.wgsl';
import depthwiseBackpropInputStridedWgsl from '../../../shaders/engine/depthwise_conv_backprop_input_strided.wgsl';
import depthwiseBackpropInputScalarWgsl from '../../../shaders/engine/depthwise_conv_backprop_input_scalar.wgsl';
import nhwcWgsl from '../../../shaders/engine/nhwc_common.wgsl';
import { chooseWidth, i32u, runProgram, wgslWith, type UniformValue } from '../../program';
import { epilogueWgsl, type EngineActivation } from '../matmul/matmul';
import { channelWindowUniforms, type ConvInfo } from './conv';
import { genDepthwiseBackpropInputStride2, genDepthwiseRow, type DepthwiseRowKind } from './depthwise_tiles';

/**
 * tfjs flag: the vec4 depthwise input gradient at stride > 1 visits only the taps that hit (default true);
 * false runs the stride-1 kernel, which tests every tap (the bench compares the two in one run).
 */
export const FLAG_DEPTHWISE_TAP_SKIP = 'ADVERSARIAL_DEPTHWISE_TAP_SKIP';

let flagRegistered = false;
/** Registers FLAG_DEPTHWISE_TAP_SKIP (idempotent; registerEngineKernels calls it). */
export function registerDepthwiseFlag(): void {
  if (!flagRegistered) env().registerFlag(FLAG_DEPTHWISE_TAP_SKIP, () => true);
  flagRegistered = true;
}

function tapSkip(): boolean {
  registerDepthwiseFlag();
  return env().getBool(FLAG_DEPTHWISE_TAP_SKIP);
}

/** The channel multiplier of a depthwise convolution's geometry (output channels per input channel). */
export const channelMultiplier = (info: ConvInfo): number => info.outChannels / info.inChannels;

/** The reason the engine does not cover this depthwise convolution, or null when it does. */
export function depthwiseUnsupported(info: ConvInfo, dtypes: string[]): string | null {
  if (dtypes.some((d) => d !== 'float32')) return 'dtype';
  if (info.dataFormat !== 'channelsLast') return 'data format';
  if (!Number.isInteger(channelMultiplier(info)) || channelMultiplier(info) < 1) return 'channel multiplier';
  return null;
}

/** Whether the vec4 kernels cover it: multiplier 1 and channels a multiple of 4 (and the vec4 flag on). */
export const depthwiseVec4 = (info: ConvInfo): boolean => info.outChannels === info.inChannels && chooseWidth(info.inChannels) === 4;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** The uniforms of the general (scalar) kernels: the window's, the multiplier, the tap steps. */
export function depthwiseUniforms(info: ConvInfo): UniformValue[] {
  return [
    ...channelWindowUniforms(info),
    i32u('multiplier', channelMultiplier(info)),
    i32u('tapStepHeight', info.strideHeight / gcd(info.strideHeight, info.dilationHeight)),
    i32u('tapStepWidth', info.strideWidth / gcd(info.strideWidth, info.dilationWidth)),
  ];
}

/**
 * The window functions the vec4 kernels read (fh() ... qw()): constants for a 3x3 window at dilation 1
 * and one of `strides` on both axes (MobileNet's; the input gradient measured 1.17x faster at stride 2 and
 * about 1.4x at stride 1),
 * else the uniforms. The key names the choice.
 */
function windowFunctions(info: ConvInfo, strides: number[]): { key: string; wgsl: string } {
  const s = info.strideHeight;
  const fixed = info.filterHeight === 3 && info.filterWidth === 3 && info.strideWidth === s && strides.includes(s) && info.dilationHeight === 1 && info.dilationWidth === 1;
  const names: [string, string, number][] = [
    ['fh', 'filterHeight', 3],
    ['fw', 'filterWidth', 3],
    ['sh', 'strideHeight', s],
    ['sw', 'strideWidth', s],
    ['dh', 'dilationHeight', 1],
    ['dw', 'dilationWidth', 1],
    ['qh', 'tapStepHeight', s],
    ['qw', 'tapStepWidth', s],
  ];
  return { key: fixed ? `3x3s${s}` : 'window', wgsl: names.map(([f, u, v]) => `fn ${f}() -> i32 { return ${fixed ? String(v) : `uniforms.${u}`}; }`).join('\n') };
}

/**
 * Whether the input gradient's row-tiled kernels take ReLU6's mask relu6'(x) as they write dx (x a ReLU6's
 * output; engineDepthwiseConv2DBackpropInput's maskZ): stride 1, or 2 with the tap skip on.
 */
export function depthwiseMaskable(info: ConvInfo): boolean {
  return depthwiseVec4(info) && rowTiled(info, [1, 2]) && (info.strideHeight === 1 || tapSkip());
}

/** Pixels per invocation of the row-tiled 3x3 kernels (depthwise_tiles.ts). */
const ROW_PIXELS = 4;

/** Whether the row-tiled 3x3 kernels cover it: a 3x3 window at dilation 1, the same stride on both axes, one of `strides`. */
const rowTiled = (info: ConvInfo, strides: number[]): boolean =>
  info.filterHeight === 3 && info.filterWidth === 3 && info.dilationHeight === 1 && info.dilationWidth === 1 && info.strideWidth === info.strideHeight && strides.includes(info.strideHeight);

/** One row-tiled 3x3 program (vec4 channels): `source` [height, width] of the image it reads, `outShape` what it writes. */
function runDepthwiseRow(backend: WebGPUBackend, kind: DepthwiseRowKind | 'input_gradient_stride2', stride: number, epilogue: string, variant: string[], tensors: TensorInfo[], info: ConvInfo, source: [number, number], outShape: number[], relu6 = false): TensorInfo {
  const [, outHeight, outWidth, channels] = outShape as [number, number, number, number];
  // At stride 2 the input gradient's tiles hold pixels of one column phase: ceil(width / 2) per phase, two phases.
  const phases = kind === 'input_gradient_stride2' ? 2 : 1;
  const columnTiles = Math.ceil(Math.ceil(outWidth / phases) / ROW_PIXELS);
  return runProgram(
    backend,
    {
      kernelName: kind === 'forward' ? 'DepthwiseConv2DRow' : 'DepthwiseConv2DBackpropInputRow',
      variant: [kind, `p${ROW_PIXELS}s${stride}`, ...variant, relu6 ? 'relu6' : 'plain'],
      body: wgslWith({ include: epilogue ? [epilogue] : [] }, kind === 'input_gradient_stride2' ? genDepthwiseBackpropInputStride2(ROW_PIXELS, relu6) : genDepthwiseRow(kind, ROW_PIXELS, stride, relu6)),
      // The forward's bias, or the input gradient's mask Z, after IN and W.
      inputs: ['IN', 'W', kind === 'forward' ? 'bias' : 'Z'].slice(0, tensors.length),
      inputComponents: tensors.map(() => 4 as const),
      outputComponent: 4,
      invocations: outShape[0]! * outHeight * phases * columnTiles * (channels / 4),
      workgroupSize: 64,
      uniforms: [
        i32u('inHeight', source[0]),
        i32u('inWidth', source[1]),
        i32u('channels', channels),
        i32u('outHeight', outHeight),
        i32u('outWidth', outWidth),
        i32u('padTop', info.padInfo.top),
        i32u('padLeft', info.padInfo.left),
        i32u('columnTiles', columnTiles),
      ],
    },
    tensors,
    outShape,
  );
}

/**
 * One depthwise program: a vec4 of channels (or one element) of one pixel of `outShape` per invocation;
 * `include` (the window functions) and shaders/engine/nhwc_common.wgsl go in front of `body`.
 */
function runDepthwise(backend: WebGPUBackend, kernelName: string, variant: string, include: string[], body: string, inputs: [string, string], tensors: [TensorInfo, TensorInfo], info: ConvInfo, outShape: number[]): TensorInfo {
  const vec4 = variant !== 'scalar';
  const elements = outShape.reduce((p, q) => p * q, 1);
  return runProgram(
    backend,
    {
      kernelName,
      variant: [variant],
      body: wgslWith({ include: [nhwcWgsl, ...include] }, body),
      inputs,
      inputComponents: vec4 ? [4, 4] : [1, 1],
      outputComponent: vec4 ? 4 : 1,
      invocations: vec4 ? elements / 4 : elements,
      workgroupSize: 64,
      uniforms: depthwiseUniforms(info),
    },
    tensors,
    outShape,
  );
}

/**
 * y = act(depthwiseConv2d(x, w) + bias): x [b, h, w, c], w [fh, fw, c, m], bias [c*m] to [b, oh, ow, c*m]
 * (DepthwiseConv2dNative without bias and activation, FusedDepthwiseConv2D with them).
 *
 * @example
 * const info = backend_util.computeConv2DInfo([1, 9, 9, 6], [3, 3, 6, 2], 1, 1, 'same', undefined, true);
 * engineDepthwiseConv2D(backend, x, w, info); // [1, 9, 9, 12], one element per invocation
 * engineDepthwiseConv2D(backend, x, w, info, bias, 'relu6'); // MobileNet's depthwise + BN folded + ReLU6
 */
export function engineDepthwiseConv2D(backend: WebGPUBackend, x: TensorInfo, filter: TensorInfo, info: ConvInfo, bias?: TensorInfo, activation: EngineActivation = 'linear'): TensorInfo {
  const vec4 = depthwiseVec4(info);
  const biasKind = bias ? (vec4 ? 'vec4' : 'scalar') : 'none';
  if (vec4 && rowTiled(info, [1, 2])) {
    const inputs = bias ? [x, filter, bias] : [x, filter];
    return runDepthwiseRow(backend, 'forward', info.strideHeight, epilogueWgsl(biasKind, activation, 'uniforms.channels'), [`bias${biasKind}`, activation], inputs, info, [info.inHeight, info.inWidth], info.outShape);
  }
  const epilogue = epilogueWgsl(biasKind, activation, 'uniforms.channels * uniforms.multiplier');
  // The forward keeps the uniforms: constants measured no faster here (bench/depthwise.ts, one run).
  const window = windowFunctions(info, []);
  const elements = info.outShape.reduce((p, q) => p * q, 1);
  return runProgram(
    backend,
    {
      kernelName: 'DepthwiseConv2D',
      variant: [vec4 ? `vec4_${window.key}` : 'scalar', `bias${biasKind}`, activation],
      body: vec4 ? wgslWith({ include: [epilogue, nhwcWgsl, window.wgsl] }, depthwiseWgsl) : wgslWith({ include: [epilogue, nhwcWgsl] }, depthwiseScalarWgsl),
      inputs: bias ? ['X', 'W', 'bias'] : ['X', 'W'],
      inputComponents: vec4 ? [4, 4, 4].slice(0, bias ? 3 : 2) as (1 | 4)[] : [1, 1, 1].slice(0, bias ? 3 : 2) as (1 | 4)[],
      outputComponent: vec4 ? 4 : 1,
      invocations: vec4 ? elements / 4 : elements,
      workgroupSize: 64,
      uniforms: depthwiseUniforms(info),
    },
    bias ? [x, filter, bias] : [x, filter],
    info.outShape,
  );
}

/**
 * dx of a depthwise convolution: dy [b, oh, ow, c*m] and w [fh, fw, c, m] to [b, h, w, c]; with `maskZ`
 * (where depthwiseMaskable; x a ReLU6's output Z) dx * relu6'(Z), the gradient at the ReLU6's input.
 *
 * @example
 * const info = backend_util.computeConv2DInfo([4, 112, 112, 96], [3, 3, 96, 1], 2, 1, 'valid', undefined, true);
 * engineDepthwiseConv2DBackpropInput(backend, dy, w, info); // the taps that hit only
 */
export function engineDepthwiseConv2DBackpropInput(backend: WebGPUBackend, dy: TensorInfo, filter: TensorInfo, info: ConvInfo, maskZ?: TensorInfo): TensorInfo {
  if (maskZ) {
    if (!depthwiseMaskable(info)) throw new Error('engineDepthwiseConv2DBackpropInput: the ReLU6 mask needs a row-tiled vec4 kernel (depthwiseMaskable)');
    const kind = info.strideHeight === 2 ? 'input_gradient_stride2' : 'input_gradient';
    return runDepthwiseRow(backend, kind, info.strideHeight, '', [], [dy, filter, maskZ], info, [info.outHeight, info.outWidth], info.inShape, true);
  }
  if (!depthwiseVec4(info)) return runDepthwise(backend, 'DepthwiseConv2DBackpropInput', 'scalar', [], depthwiseBackpropInputScalarWgsl, ['DY', 'W'], [dy, filter], info, info.inShape);
  const strided = (info.strideHeight > 1 || info.strideWidth > 1) && tapSkip();
  if (strided && rowTiled(info, [2])) return runDepthwiseRow(backend, 'input_gradient_stride2', 2, '', [], [dy, filter], info, [info.outHeight, info.outWidth], info.inShape);
  if (strided) {
    const window = windowFunctions(info, [2]);
    return runDepthwise(backend, 'DepthwiseConv2DBackpropInput', `strided_${window.key}`, [window.wgsl], depthwiseBackpropInputStridedWgsl, ['DY', 'W'], [dy, filter], info, info.inShape);
  }
  if (rowTiled(info, [1])) return runDepthwiseRow(backend, 'input_gradient', 1, '', [], [dy, filter], info, [info.outHeight, info.outWidth], info.inShape);
  // Stride 1 (or every tap tested, the bench's before): constants only at stride 1.
  const window = windowFunctions(info, [1]);
  return runDepthwise(backend, 'DepthwiseConv2DBackpropInput', `vec4_${window.key}`, [window.wgsl], depthwiseBackpropInputWgsl, ['DY', 'W'], [dy, filter], info, info.inShape);
}
