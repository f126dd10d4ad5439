// The memory a job holds, for report.json's `memory`: tf.memory() sampled at each progress point and log
// line of the job (each evaluation batch, every few training steps, each epoch), its highest values kept.
// The WebGPU backend's numBytesAllocatedInGPU is its buffer pool (buffers a kernel released are kept for
// reuse, not destroyed), so its highest sample is the high-water mark of the GPU memory tfjs held, the
// intermediates inside a batch included; numBytes (tensor bytes) is sampled between batches only.
import * as tf from '@tensorflow/tfjs-core';
import type { ReportMemory } from '../report/schema';
import type { JobIO } from './io';

export interface MemoryWatch {
  /** Takes one sample of tf.memory(). */
  sample(): void;
  /** `io` with a sample taken at each of its progress calls and log lines. */
  watch(io: JobIO): JobIO;
  /** The peaks so far, in report.json's form (a sample taken first). */
  read(): ReportMemory;
}

/**
 * Starts watching tf.memory() (one sample now).
 *
 * @example
 * const memory = watchMemory();
 * await evaluateJob(model, data, settings, options, memory.watch(io), 'eval');
 * report.memory = memory.read(); // { peak_gpu_bytes_allocated: 123456789, ... }
 */
export function watchMemory(): MemoryWatch {
  let tensorBytes = 0;
  let inUse: number | null = null;
  let allocated: number | null = null;
  let samples = 0;
  const max = (had: number | null, v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Math.max(had ?? 0, v) : had);
  const sample = () => {
    const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number; numBytesAllocatedInGPU?: number };
    tensorBytes = Math.max(tensorBytes, m.numBytes);
    inUse = max(inUse, m.numBytesInGPU);
    allocated = max(allocated, m.numBytesAllocatedInGPU);
    samples++;
  };
  sample();
  return {
    sample,
    watch: (io) => ({
      ...io,
      readFile: (p) => io.readFile(p),
      writeFile: (p, b) => io.writeFile(p, b),
      ...(io.removeFile ? { removeFile: (p: string) => io.removeFile!(p) } : {}),
      log: (m) => {
        sample();
        io.log(m);
      },
      progress: (p) => {
        sample();
        io.progress?.(p);
      },
    }),
    read: () => {
      sample();
      return {
        peak_tensor_bytes: tensorBytes,
        peak_gpu_bytes_in_use: inUse,
        peak_gpu_bytes_allocated: allocated,
        samples,
        note: "highest of tf.memory() sampled at each progress point and log line: tensor bytes (numBytes) between batches; the WebGPU buffers in use (numBytesInGPU) and tfjs's buffer pool (numBytesAllocatedInGPU: released buffers are kept for reuse, so this is the high-water mark of the GPU memory tfjs held, a batch's intermediates included); null where the backend reports no GPU memory",
      };
    },
  };
}
