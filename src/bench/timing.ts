// Timing helpers of the benchmarks: summary statistics, and draining tfjs's WebGPU queue.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

export interface Summary {
  median: number;
  min: number;
  max: number;
  samples: number;
}

export function summarize(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], samples: sorted.length };
}

/** Submits what tfjs has recorded and waits until the GPU has run it. */
export async function drainQueue(backend: WebGPUBackend): Promise<void> {
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.submitQueue();
  await backend.device.queue.onSubmittedWorkDone();
}
