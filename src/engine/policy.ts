// Which engine kernels replace tfjs's, on which adapter. Default ('auto'): all of them on software adapters
// (SwiftShader and the like), where bench/ measured each faster than the tfjs kernel it replaces, and none
// on hardware GPUs, where tfjs's shared-memory tiled kernels are built for the hardware and this project
// has not measured (no GPU was lent to it). `useEngineKernels` overrides it.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { backend as currentBackend, getBackend, type TensorInfo } from '@tensorflow/tfjs-core';
import { isSoftwareAdapterInfo } from '../program';

/** The tfjs kernels the engine can replace on the webgpu backend, and its own fused steps (Adam, SoftmaxCrossEntropy). */
export const ENGINE_KERNEL_NAMES = [
  'Conv2D',
  'FusedConv2D',
  'Conv2DBackpropInput',
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNative',
  'FusedDepthwiseConv2D',
  'DepthwiseConv2dNativeBackpropInput',
  'MaxPool',
  'MaxPoolGrad',
  'BatchMatMul',
  '_FusedMatMul',
  'Sum',
  'Add',
  'Sub',
  'Adam',
  'SoftmaxCrossEntropy',
  'KlDivergence',
  'Relu',
  'Step',
  'Multiply',
  'FusedBatchNorm',
  'ClipByValueGrad',
  'FusedBatchNormGrad',
  'DepthwiseConv2dNativeBackpropFilter',
  'Mean',
  'MeanGrad',
  'PadV2',
  'Slice',
] as const;
export type EngineKernelName = (typeof ENGINE_KERNEL_NAMES)[number];

/** `true`/`false` for every kernel, 'auto' (by adapter), or per kernel (unnamed ones stay 'auto'). */
export type EngineKernelPolicy = boolean | 'auto' | Partial<Record<EngineKernelName, boolean>>;

let policy: EngineKernelPolicy = 'auto';

/**
 * Chooses which engine kernels replace tfjs-backend-webgpu's. A configuration an engine kernel does not
 * cover (stride, padding, layout, dtype, channel count) always goes to the original tfjs kernel.
 *
 * @example
 * useEngineKernels(false);                       // stock tfjs kernels everywhere
 * useEngineKernels({ BatchMatMul: false });       // all but the engine matmul ('auto' for the rest)
 * useEngineKernels('auto');                       // the default: on for software adapters
 */
export function useEngineKernels(next: EngineKernelPolicy): void {
  if (typeof next === 'object' && next !== null) {
    for (const name of Object.keys(next)) {
      if (!(ENGINE_KERNEL_NAMES as readonly string[]).includes(name)) {
        throw new Error(`useEngineKernels: unknown kernel '${name}'; known: ${ENGINE_KERNEL_NAMES.join(', ')}`);
      }
    }
  } else if (next !== true && next !== false && next !== 'auto') {
    throw new Error(`useEngineKernels: policy must be true, false, 'auto' or an object of kernel names, got ${String(next)}`);
  }
  policy = next;
}

/** The policy now in force. */
export function engineKernelPolicy(): EngineKernelPolicy {
  return policy;
}

/** Whether the backend's adapter is a CPU implementation of WebGPU. */
export function isSoftwareAdapter(backend: WebGPUBackend): boolean {
  return isSoftwareAdapterInfo((backend as unknown as { adapterInfo?: { vendor?: string; architecture?: string } }).adapterInfo);
}

/** Whether the engine kernel `name` is switched on for this backend. */
export function engineKernelEnabled(name: EngineKernelName, backend: WebGPUBackend): boolean {
  const p = policy;
  if (p === true || p === false) return p;
  if (typeof p === 'object' && p[name] !== undefined) return p[name]!;
  return isSoftwareAdapter(backend);
}

/**
 * Whether the engine kernel `name` runs now on `tensors`: the webgpu backend, the policy on for it, and
 * every tensor float32 in float32 storage (tfjs may label an int32 buffer float32 after a Cast).
 */
export function onEngine(name: EngineKernelName, tensors: (TensorInfo | undefined)[]): boolean {
  if (getBackend() !== 'webgpu') return false;
  const backend = currentBackend() as WebGPUBackend;
  return tensors.every((t) => t == null || (t.dtype === 'float32' && backend.tensorMap.get(t.dataId)?.dtype === 'float32')) && engineKernelEnabled(name, backend);
}

/** How often each engine kernel ran, and how often it handed over to tfjs (tests and the bench read it). */
export const engineKernelCounts: Record<string, { engine: number; fallback: number }> = {};

/** Counts one call of `name`: on the engine, or handed to tfjs. */
export function countEngineCall(name: string, onEngine: boolean): void {
  const counts = (engineKernelCounts[name] ??= { engine: 0, fallback: 0 });
  if (onEngine) counts.engine++;
  else counts.fallback++;
}

/** A copy of the counts now, to measure a stretch of work with `engineKernelCountsSince`. */
export function snapshotEngineKernelCounts(): Record<string, { engine: number; fallback: number }> {
  return Object.fromEntries(Object.entries(engineKernelCounts).map(([k, v]) => [k, { ...v }]));
}

/**
 * The calls of each engine kernel since `snapshot` (kernels with none left out).
 *
 * @example
 * const before = snapshotEngineKernelCounts();
 * await trainModel(...);
 * engineKernelCountsSince(before); // { Conv2D: { engine: 120, fallback: 0 }, ... }
 */
export function engineKernelCountsSince(snapshot: Record<string, { engine: number; fallback: number }>): Record<string, { engine: number; fallback: number }> {
  const out: Record<string, { engine: number; fallback: number }> = {};
  for (const [name, now] of Object.entries(engineKernelCounts)) {
    const was = snapshot[name] ?? { engine: 0, fallback: 0 };
    const d = { engine: now.engine - was.engine, fallback: now.fallback - was.fallback };
    if (d.engine > 0 || d.fallback > 0) out[name] = d;
  }
  return out;
}
