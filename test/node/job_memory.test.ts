// The peak-memory watch of report.json (src/job/memory.ts): a tensor held between two samples raises the
// tensor peak by its bytes, a kernel's output raises the GPU pool's high-water mark, which stays after the
// tensor is gone; the io it wraps keeps its files, logs and progress; the memory line of a report without
// one is empty.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { withGpuErrorScope } from '../suite/kernel_suite';

beforeAll(async () => {
  await lib.initWebGPU();
});

describe('watchMemory', () => {
  test('the peaks of a 4 MiB kernel output: tensor bytes while held, the GPU pool after it is disposed', async () => {
    const before = tf.memory().numTensors;
    const { value, errors } = await withGpuErrorScope(lib.currentWebGPU()!.device, async () => {
      const memory = lib.watchMemory();
      const start = tf.memory().numBytes;
      const x = tf.ones([1 << 20]);
      const y = tf.add(x, 1); // a WebGPU buffer of 4 MiB from the pool
      await y.data();
      memory.sample();
      tf.dispose([x, y]);
      return { start, peaks: memory.read() };
    });
    expect(errors).toEqual([]);
    const { start, peaks } = value;
    expect(peaks.samples).toBe(3);
    expect(peaks.peak_tensor_bytes).toBeGreaterThanOrEqual(start + 8 * 2 ** 20);
    expect(peaks.peak_gpu_bytes_in_use).toBeGreaterThanOrEqual(4 * 2 ** 20);
    expect(peaks.peak_gpu_bytes_allocated!).toBeGreaterThanOrEqual(peaks.peak_gpu_bytes_in_use!);
    expect((tf.memory() as { numBytesAllocatedInGPU?: number }).numBytesAllocatedInGPU).toBeGreaterThanOrEqual(4 * 2 ** 20);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('the watched io passes files, logs and progress through, a sample at each log and progress call', async () => {
    const files = new Map<string, Uint8Array>();
    const logs: string[] = [];
    const progress: number[] = [];
    const memory = lib.watchMemory();
    const io = memory.watch({ readFile: async (p) => files.get(p) ?? null, writeFile: async (p, b) => void files.set(p, b), log: (m) => logs.push(m), progress: (p) => progress.push(p.done) });
    await io.writeFile('a.json', new Uint8Array([1, 2]));
    expect(await io.readFile('a.json')).toEqual(new Uint8Array([1, 2]));
    io.log('hello');
    io.progress?.({ phase: 'eval', label: 'x', done: 3, total: 4 });
    expect(logs).toEqual(['hello']);
    expect(progress).toEqual([3]);
    expect(memory.read().samples).toBe(4);
  });

  test('a report without memory has no memory line', () => {
    expect(lib.memoryLines(undefined)).toEqual([]);
    expect(lib.memoryLines({ peak_tensor_bytes: 3 * 2 ** 20, peak_gpu_bytes_in_use: null, peak_gpu_bytes_allocated: null, samples: 1, note: '' })).toEqual(['peak memory: tensors 3 MiB between batches']);
  });
});
