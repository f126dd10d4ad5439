// The engine's PadV2 (constant padding) and Slice for float32 tensors of rank <= 4: one element, or one
// vec4 of the innermost axis where its sizes and offsets allow, per invocation (shaders/engine/pad.wgsl,
// slice.wgsl). MobileNetV2's ZeroPadding2D before each stride-2 depthwise convolution is a PadV2, and its
// gradient a Slice. Higher ranks are first folded: an axis whole in x and y (no pads; begin 0 and its full
// size) joins the axis before it. What stays above rank 4, and other dtypes, go to tfjs.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { slice_util, util, type TensorInfo } from '@tensorflow/tfjs-core';
import nhwcWgsl from '../../../shaders/engine/nhwc_common.wgsl';
import padWgsl from '../../../shaders/engine/pad.wgsl';
import sliceWgsl from '../../../shaders/engine/slice.wgsl';
import { chooseWidth, f32u, i32u, runProgram, wgslWith, type UniformValue, type Width } from '../../program';
import type { EngineImpl } from '../impl';

/**
 * Folds each axis that is whole in x and y (`whole(d)`) into the axis before it: x's shape and the
 * per-axis offsets (before, after / begin, size) scaled to the joined axis. Same layout, lower rank.
 */
function foldWholeAxes(shape: number[], offsets: number[][], whole: (d: number) => boolean): { shape: number[]; offsets: number[][] } {
  const outShape = [shape[0]];
  const outOffsets = [offsets[0].slice()];
  for (let d = 1; d < shape.length; d++) {
    if (whole(d)) {
      outShape[outShape.length - 1] *= shape[d];
      outOffsets[outOffsets.length - 1] = outOffsets[outOffsets.length - 1].map((o) => o * shape[d]);
    } else {
      outShape.push(shape[d]);
      outOffsets.push(offsets[d].slice());
    }
  }
  return { shape: outShape, offsets: outOffsets };
}

/** `dims` padded in front with `fill` to rank 4. */
const rank4 = (dims: number[], fill: number): number[] => [...new Array(4 - dims.length).fill(fill), ...dims];

/** The four sizes of a rank-4 view, the last in units of `width`. */
const dimUniforms = (prefix: string, dims: number[], width: Width, first: number): UniformValue[] =>
  dims.slice(first).map((d, i) => i32u(`${prefix}${i + first}`, i + first === 3 ? d / width : d));

/** One copy program; 256 invocations per workgroup (PadV2 and Slice of [4,112,112,96]: 2.9x and 2.6x faster than stock at 64, 3.2x at 256, bench/depthwise.ts). */
function run(backend: WebGPUBackend, kernelName: string, body: string, x: TensorInfo, outShape: number[], width: Width, uniforms: UniformValue[]): TensorInfo {
  return runProgram(
    backend,
    {
      kernelName,
      variant: [width === 4 ? 'vec4' : 'scalar'],
      body: wgslWith({ width, include: [nhwcWgsl] }, body),
      inputs: ['X'],
      inputComponents: [width],
      outputComponent: width,
      invocations: util.sizeFromShape(outShape) / width,
      workgroupSize: 256,
      uniforms,
    },
    [x],
    outShape,
  );
}

/**
 * y = pad(x, paddings, value), rank <= 4 after folding (null: left to tfjs).
 *
 * @example
 * enginePad(backend, x, [[0, 0], [0, 1], [0, 1], [0, 0]], 0); // x [4, 112, 112, 96]: ZeroPadding2D
 */
export function enginePad(backend: WebGPUBackend, x: TensorInfo, paddings: [number, number][], value: number): TensorInfo | null {
  const outShape = x.shape.map((d, i) => paddings[i][0] + d + paddings[i][1]);
  const folded = foldWholeAxes(x.shape, paddings, (d) => paddings[d][0] === 0 && paddings[d][1] === 0);
  if (folded.shape.length > 4) return null;
  const out = runPad(backend, { ...x, shape: folded.shape }, folded.offsets as [number, number][], value);
  return { ...out, shape: outShape };
}

function runPad(backend: WebGPUBackend, x: TensorInfo, paddings: [number, number][], value: number): TensorInfo {
  const outShape = x.shape.map((d, i) => paddings[i][0] + d + paddings[i][1]);
  const inDims = rank4(x.shape, 1);
  const outDims = rank4(outShape, 1);
  const before = rank4(paddings.map((p) => p[0]), 0);
  const last = paddings[paddings.length - 1];
  const width: Width = chooseWidth(inDims[3]) === 4 && last[0] % 4 === 0 && last[1] % 4 === 0 ? 4 : 1;
  return run(backend, 'PadV2', padWgsl, x, outShape, width, [
    ...dimUniforms('outD', outDims, width, 1),
    ...dimUniforms('inD', inDims, width, 0),
    ...dimUniforms('before', before, width, 0),
    f32u('value', value),
  ]);
}

/** The PadV2 kernel: float32, rank 1..4 after folding, non-negative pads. */
export const padImpl: EngineImpl = (inputs, backend, attrs) => {
  const x = inputs.x!;
  const paddings = attrs.paddings as [number, number][];
  if (x.dtype !== 'float32' || x.shape.length < 1 || paddings.length !== x.shape.length) return null;
  if (paddings.some((p) => p[0] < 0 || p[1] < 0)) return null;
  if (util.sizeFromShape(x.shape) === 0) return null;
  return enginePad(backend, x, paddings, Number(attrs.constantValue ?? 0));
};

/**
 * y = x[begin : begin + size], rank <= 4 after folding (null: left to tfjs).
 *
 * @example
 * engineSlice(backend, dx, [0, 0, 0, 0], [4, 112, 112, 96]); // PadV2's gradient
 */
export function engineSlice(backend: WebGPUBackend, x: TensorInfo, begin: number[], size: number[]): TensorInfo | null {
  const folded = foldWholeAxes(x.shape, begin.map((b, d) => [b, size[d]]), (d) => begin[d] === 0 && size[d] === x.shape[d]);
  if (folded.shape.length > 4) return null;
  const out = runSlice(backend, { ...x, shape: folded.shape }, folded.offsets.map((o) => o[0]), folded.offsets.map((o) => o[1]));
  return { ...out, shape: size };
}

function runSlice(backend: WebGPUBackend, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const inDims = rank4(x.shape, 1);
  const outDims = rank4(size, 1);
  const begin4 = rank4(begin, 0);
  const width: Width = chooseWidth(inDims[3]) === 4 && outDims[3] % 4 === 0 && begin4[3] % 4 === 0 ? 4 : 1;
  return run(backend, 'Slice', sliceWgsl, x, size, width, [...dimUniforms('outD', outDims, width, 1), ...dimUniforms('inD', inDims, width, 1), ...dimUniforms('begin', begin4, width, 0)]);
}

/** The Slice kernel: float32, rank 1..4 after folding, a non-empty slice. */
export const sliceImpl: EngineImpl = (inputs, backend, attrs) => {
  const x = inputs.x!;
  if (x.dtype !== 'float32' || x.shape.length < 1) return null;
  const [begin, size] = slice_util.parseSliceParams(x as unknown as Parameters<typeof slice_util.parseSliceParams>[0], attrs.begin as number | number[], attrs.size as number | number[]);
  slice_util.assertParamsValid(x as unknown as Parameters<typeof slice_util.assertParamsValid>[0], begin, size);
  if (util.sizeFromShape(size) === 0) return null;
  return engineSlice(backend, x, begin, size);
};
