// The engine's column sum: a [rows, columns] tensor (columns a multiple of 4) summed over its rows, in
// chunked partial sums and then one pass (the bias gradients, Sum over leading axes, the second pass of
// Conv2DBackpropFilter, and Mean over the leading axes when few columns leave one invocation too many rows).
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { backend_util, util, type TensorInfo } from '@tensorflow/tfjs-core';
import sumRowsWgsl from '../../../shaders/engine/sum_rows.wgsl';
import { f32u, i32u, runProgram, type ProgramSpec } from '../../program';
import type { EngineImpl } from '../impl';

/**
 * Sums rows of a [rows, columns] tensor (columns % 4 == 0) into [columns]: chunked partial sums, then one
 * pass; `divisor` divides the last pass's sums (a mean over the rows: the row count; 1, exact, for a sum).
 */
export function engineColumnSum(backend: WebGPUBackend, x: TensorInfo, rows: number, columns: number, outShape: number[], divisor = 1): TensorInfo {
  const columns4 = columns / 4;
  const spec = (r: number, rowsPerChunk: number, divide = divisor): ProgramSpec => ({
    kernelName: 'SumRows',
    variant: [],
    body: sumRowsWgsl,
    inputs: ['X'],
    inputComponents: [4],
    outputComponent: 4,
    invocations: Math.ceil(r / rowsPerChunk) * columns4,
    workgroupSize: 64,
    uniforms: [i32u('rows', r), i32u('columns4', columns4), i32u('rowsPerChunk', rowsPerChunk), f32u('divisor', divide)],
  });
  // Enough chunks to keep every core busy, few enough that the second pass is short.
  const chunks = Math.min(rows, Math.max(1, Math.ceil(4096 / columns4)));
  if (chunks <= 1 || rows <= 64) return runProgram(backend, spec(rows, rows), [x], outShape);
  const rowsPerChunk = Math.ceil(rows / chunks);
  const partialRows = Math.ceil(rows / rowsPerChunk);
  const partial = runProgram(backend, spec(rows, rowsPerChunk, 1), [x], [partialRows, columns]);
  const out = runProgram(backend, spec(partialRows, partialRows), [partial], outShape);
  backend.disposeData(partial.dataId);
  return out;
}

/** Sum over leading axes 0..k-1 of a float32 tensor whose remaining size is a multiple of 4. */
export const sumLeadingAxes: EngineImpl = (inputs, backend, attrs) => {
  const x = inputs.x!;
  if (x.dtype !== 'float32' || x.shape.length < 2) return null;
  const axes = util.parseAxisParam(attrs.axis as number | number[], x.shape).sort((p, q) => p - q);
  if (axes.length === 0 || axes.length === x.shape.length || axes.some((a, i) => a !== i)) return null;
  const rows = util.sizeFromShape(x.shape.slice(0, axes.length));
  const kept = x.shape.slice(axes.length);
  const columns = util.sizeFromShape(kept);
  if (columns % 4 !== 0 || rows === 0) return null;
  const outShape = attrs.keepDims ? backend_util.expandShapeToKeepDim(kept, axes) : kept;
  return engineColumnSum(backend, x, rows, columns, outShape);
};
