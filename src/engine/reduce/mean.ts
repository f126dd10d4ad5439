// The engine's Mean over a contiguous block of axes without a transpose (tfjs-webgpu transposes the
// reduced axes last first): x viewed as [outer, reduce, inner], one output per invocation summing its
// rows (shaders/engine/mean.wgsl; NHWC global average pooling is axes [1, 2]), the innermost axis read as
// vec4 when its size allows (mean_last4.wgsl); over the leading axes of many rows and few columns (batch
// statistics) the chunked column sum of column_sum.ts, its last pass divided by the row count. Its gradient, dy / reduce spread over x, is one kernel
// (mean_grad.wgsl, `EngineMeanGrad`; reduce_gradients.ts calls it).
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { backend_util, util, type TensorInfo } from '@tensorflow/tfjs-core';
import meanWgsl from '../../../shaders/engine/mean.wgsl';
import meanLast4Wgsl from '../../../shaders/engine/mean_last4.wgsl';
import meanGradWgsl from '../../../shaders/engine/mean_grad.wgsl';
import { chooseWidth, i32u, runProgram, wgslWith } from '../../program';
import { engineColumnSum } from './column_sum';
import type { EngineImpl } from '../impl';

/** x's shape as [outer, reduce, inner] for `axes`, or null when the axes are not one contiguous block. */
export function meanBlocks(shape: number[], axes: number[]): [number, number, number] | null {
  const sorted = [...axes].sort((p, q) => p - q);
  if (sorted.length === 0 || sorted.some((a, i) => i > 0 && a !== sorted[i - 1] + 1)) return null;
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  return [util.sizeFromShape(shape.slice(0, first)), util.sizeFromShape(shape.slice(first, last + 1)), util.sizeFromShape(shape.slice(last + 1))];
}

/** A mean over the leading axes goes to the chunked column sum below this many vec4 columns, from this many rows. */
const COLUMN_SUM_BELOW = 256;
const COLUMN_SUM_FROM = 256;

/** The longest run one invocation may loop over when few invocations run (else tfjs's tree reduction). */
const MAX_SERIAL_REDUCE = 4096;

/**
 * Mean of x over `axes` (one contiguous block) into `outShape`, or null for what it leaves to tfjs.
 *
 * @example
 * engineMean(backend, x, [1, 2], [4, 1280]); // x [4, 7, 7, 1280]: global average pooling
 */
export function engineMean(backend: WebGPUBackend, x: TensorInfo, axes: number[], outShape: number[]): TensorInfo | null {
  const blocks = meanBlocks(x.shape, axes);
  if (blocks == null) return null;
  const [outer, reduce, inner] = blocks;
  if (outer * inner === 0 || reduce === 0) return null;
  // Over the leading axes with few columns (batch statistics, x [N, H, W, C] over N, H, W): one invocation
  // per vec4 of channels would sum every pixel alone; the column sum's chunks run in parallel.
  if (outer === 1 && inner % 4 === 0 && inner / 4 < COLUMN_SUM_BELOW && reduce >= COLUMN_SUM_FROM) return engineColumnSum(backend, x, reduce, inner, outShape, reduce);
  if (outer * inner < 64 && reduce > MAX_SERIAL_REDUCE) return null;
  if (inner === 1 && chooseWidth(reduce) === 4) {
    return runProgram(
      backend,
      { kernelName: 'Mean', variant: ['last4'], body: meanLast4Wgsl, inputs: ['X'], inputComponents: [4], outputComponent: 1, invocations: outer, workgroupSize: 64, uniforms: [i32u('reduce4', reduce / 4)] },
      [x],
      outShape,
    );
  }
  const width = chooseWidth(inner);
  return runProgram(
    backend,
    {
      kernelName: 'Mean',
      variant: [width === 4 ? 'vec4' : 'scalar'],
      body: wgslWith({ width }, meanWgsl),
      inputs: ['X'],
      inputComponents: [width],
      outputComponent: width,
      invocations: (outer * inner) / width,
      workgroupSize: 64,
      uniforms: [i32u('reduce', reduce), i32u('inner', inner / width)],
    },
    [x],
    outShape,
  );
}

/** The Mean kernel: float32, one contiguous block of axes; the rest goes to tfjs. */
export const meanImpl: EngineImpl = (inputs, backend, attrs) => {
  const x = inputs.x!;
  if (x.dtype !== 'float32' || x.shape.length === 0) return null;
  const axes = util.parseAxisParam(attrs.axis as number | number[], x.shape);
  const kept = x.shape.filter((_, d) => !axes.includes(d));
  const outShape = attrs.keepDims ? backend_util.expandShapeToKeepDim(kept, axes) : kept;
  return engineMean(backend, x, axes, outShape);
};

/** The engine's Mean gradient kernel: dy / reduce spread over x's shape (attrs: `shape`, `axes`). */
export const MeanGradEngine = 'EngineMeanGrad';

/** dx of Mean over one contiguous block of `axes` of x's `shape`: dy [outer, inner] to `shape`. */
export function meanGradWebGPU(backend: WebGPUBackend, dy: TensorInfo, shape: number[], axes: number[]): TensorInfo {
  const [, reduce, inner] = meanBlocks(shape, axes)!;
  const width = chooseWidth(inner);
  return runProgram(
    backend,
    {
      kernelName: 'MeanGrad',
      variant: [width === 4 ? 'vec4' : 'scalar'],
      body: wgslWith({ width }, meanGradWgsl),
      inputs: ['DY'],
      inputComponents: [width],
      outputComponent: width,
      invocations: util.sizeFromShape(shape) / width,
      workgroupSize: 64,
      uniforms: [i32u('reduce', reduce), i32u('inner', inner / width)],
    },
    [dy],
    shape,
  );
}
