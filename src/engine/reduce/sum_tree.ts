// The engine's Sum for what the column sum (column_sum.ts) does not cover: per-row sums over a few classes
// (softmax, KL, DLR terms), sums over leading axes whose kept size is not a multiple of 4 (the logits' bias
// gradient), and whole-tensor sums. One invocation per output replays tfjs-backend-webgpu's ReduceProgram
// summation order exactly (shaders/engine/sum_tree.wgsl), so training results stay bit-identical to tfjs's,
// and a [kept, reduced] or [reduced, kept] layout is read in place (tfjs transposes the latter first).
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { backend_util, util, type TensorInfo } from '@tensorflow/tfjs-core';
import sumTreeWgsl from '../../../shaders/engine/sum_tree.wgsl';
import { i32u, runProgram, wgslWith } from '../../program';
import type { EngineImpl } from '../impl';

/** tfjs's ReduceProgram workgroup width for a reduce of `length` elements (the lanes whose order we replay). */
export function tfjsReduceWidth(length: number, maxWorkgroupSizeX: number): number {
  if (length >= 32768 && maxWorkgroupSizeX >= 512) return 512;
  return length >= 4096 ? 256 : 64;
}

/**
 * The layout of a sum over `axes` of `shape` as [outputs, length] with strides, where the reduced axes are
 * contiguous after merging neighbours of one kind: [kept, reduced] or [reduced, kept] (kept may be empty);
 * null for layouts that interleave (those fall back).
 */
export function sumLayout(shape: number[], axes: number[]): { outputs: number; length: number; outStride: number; elemStride: number } | null {
  const reduced = new Set(axes);
  const groups: { reduced: boolean; size: number }[] = [];
  shape.forEach((size, axis) => {
    if (size === 1) return;
    const r = reduced.has(axis);
    const last = groups[groups.length - 1];
    if (last && last.reduced === r) last.size *= size;
    else groups.push({ reduced: r, size });
  });
  const outputs = groups.filter((g) => !g.reduced).reduce((p, g) => p * g.size, 1);
  const length = groups.filter((g) => g.reduced).reduce((p, g) => p * g.size, 1);
  if (groups.length <= 1) return groups[0]?.reduced === false ? { outputs, length: 1, outStride: 1, elemStride: 1 } : { outputs: 1, length, outStride: length, elemStride: 1 };
  if (groups.length > 2) return null;
  return groups[0].reduced ? { outputs, length, outStride: 1, elemStride: outputs } : { outputs, length, outStride: length, elemStride: 1 };
}

/** Sum of a float32 tensor over any axes in a layout `sumLayout` covers, in tfjs's order. */
export const sumInTfjsOrder: EngineImpl = (inputs, backend, attrs) => {
  const x = inputs.x!;
  if (x.dtype !== 'float32' || x.shape.length === 0) return null;
  const axes = util.parseAxisParam(attrs.axis as number | number[], x.shape);
  const layout = sumLayout(x.shape, axes);
  if (layout == null || layout.outputs === 0) return null;
  const [outShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
  const shape = attrs.keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
  return runSumTree(backend, x, layout, shape);
};

function runSumTree(backend: WebGPUBackend, x: TensorInfo, layout: NonNullable<ReturnType<typeof sumLayout>>, outShape: number[]): TensorInfo {
  const width = tfjsReduceWidth(layout.length, backend.device.limits.maxComputeWorkgroupSizeX);
  return runProgram(
    backend,
    {
      kernelName: 'SumTree',
      variant: [String(width)],
      body: wgslWith({ constants: { W: width } }, sumTreeWgsl),
      inputs: ['X'],
      inputComponents: [1],
      outputComponent: 1,
      invocations: layout.outputs,
      workgroupSize: 64,
      uniforms: [i32u('length', layout.length), i32u('outStride', layout.outStride), i32u('elemStride', layout.elemStride)],
    },
    [x],
    outShape,
  );
}
