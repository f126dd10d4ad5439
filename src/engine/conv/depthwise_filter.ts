// The filter gradient of a depthwise convolution (DepthwiseConv2dNativeBackpropFilter, training): partial
// sums over chunks of output rows (shaders/engine/depthwise_conv_backprop_filter.wgsl: at width 4, a vec4
// of channels, for multiplier 1 and channels a multiple of 4; at width 1, one element, otherwise), then a
// column sum over the chunks (reduce/column_sum.ts when the filter's size is a multiple of 4,
// sum_rows_scalar.wgsl when not), as engineConv2DBackpropFilter does.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import filterWgsl from '../../../shaders/engine/depthwise_conv_backprop_filter.wgsl';
import sumRowsScalarWgsl from '../../../shaders/engine/sum_rows_scalar.wgsl';
import { i32u, runProgram, wgslWith, type ProgramSpec } from '../../program';
import { engineColumnSum } from '../reduce/column_sum';
import type { ConvInfo } from './conv';
import { depthwiseUniforms, depthwiseVec4 } from './depthwise';

/** Invocations the partial sums aim at (chunks x filter elements): enough to keep every core busy. */
const TARGET_INVOCATIONS = 2048;

/** Column sum of a [rows, columns] tensor, any column count: chunked partial sums, then one pass. */
function columnSumScalar(backend: WebGPUBackend, x: TensorInfo, rows: number, columns: number, outShape: number[]): TensorInfo {
  const spec = (r: number, rowsPerChunk: number): ProgramSpec => ({
    kernelName: 'SumRowsScalar',
    variant: [],
    body: sumRowsScalarWgsl,
    inputs: ['X'],
    inputComponents: [1],
    outputComponent: 1,
    invocations: Math.ceil(r / rowsPerChunk) * columns,
    workgroupSize: 64,
    uniforms: [i32u('rows', r), i32u('columns', columns), i32u('rowsPerChunk', rowsPerChunk)],
  });
  const chunks = Math.min(rows, Math.max(1, Math.ceil(4096 / columns)));
  if (chunks <= 1 || rows <= 64) return runProgram(backend, spec(rows, rows), [x], outShape);
  const rowsPerChunk = Math.ceil(rows / chunks);
  const partial = runProgram(backend, spec(rows, rowsPerChunk), [x], [Math.ceil(rows / rowsPerChunk), columns]);
  const out = runProgram(backend, spec(Math.ceil(rows / rowsPerChunk), Math.ceil(rows / rowsPerChunk)), [partial], outShape);
  backend.disposeData(partial.dataId);
  return out;
}

/**
 * dw of a depthwise convolution: x [b, h, w, c] and dy [b, oh, ow, c*m] to [fh, fw, c, m].
 *
 * @example
 * const info = backend_util.computeConv2DInfo([4, 56, 56, 144], [3, 3, 144, 1], 2, 1, 'valid', undefined, true);
 * engineDepthwiseConv2DBackpropFilter(backend, x, dy, info); // [3, 3, 144, 1]
 */
export function engineDepthwiseConv2DBackpropFilter(backend: WebGPUBackend, x: TensorInfo, dy: TensorInfo, info: ConvInfo): TensorInfo {
  const vec4 = depthwiseVec4(info);
  const filterSize = info.filterHeight * info.filterWidth * info.outChannels;
  const perChunk = vec4 ? filterSize / 4 : filterSize;
  const rows = info.batchSize * info.outHeight;
  const chunks = Math.min(rows, Math.max(1, Math.ceil(TARGET_INVOCATIONS / perChunk)));
  const rowsPerChunk = Math.ceil(rows / chunks);
  const usedChunks = Math.ceil(rows / rowsPerChunk);
  const partial = runProgram(
    backend,
    {
      kernelName: 'DepthwiseConv2DBackpropFilter',
      variant: [vec4 ? 'vec4' : 'scalar'],
      body: wgslWith({ width: vec4 ? 4 : 1 }, filterWgsl),
      inputs: ['X', 'DY'],
      inputComponents: vec4 ? [4, 4] : [1, 1],
      outputComponent: vec4 ? 4 : 1,
      invocations: usedChunks * perChunk,
      workgroupSize: 64,
      uniforms: [...depthwiseUniforms(info), i32u('batchSize', info.batchSize), i32u('rowsPerChunk', rowsPerChunk)],
    },
    [x, dy],
    [usedChunks, filterSize],
  );
  if (usedChunks === 1) return { ...partial, shape: info.filterShape };
  const out = filterSize % 4 === 0 ? engineColumnSum(backend, partial, usedChunks, filterSize, info.filterShape) : columnSumScalar(backend, partial, usedChunks, filterSize, info.filterShape);
  backend.disposeData(partial.dataId);
  return out;
}
