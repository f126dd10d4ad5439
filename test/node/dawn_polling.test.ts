// Dawn's promise polling in Node (src/platform/dawn_polling.ts): after initWebGPU, Dawn's polls run on a timer, so
// the JavaScript thread sleeps while the GPU works instead of spinning a core; JavaScript callbacks passed to
// setImmediate keep their order and arguments; util.promisify(setImmediate) still works; bad intervals are refused.
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { withGpuErrorScope } from '../suite/kernel_suite';

/** CPU time (user + system) of this process's main thread, in seconds (Linux /proc, 10 ms ticks). */
function mainThreadCpuSeconds(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

beforeAll(async () => {
  await lib.initWebGPU();
});

describe('Dawn polling on a timer', () => {
  test('while the queue works for a second or more, the JavaScript thread is mostly idle', async () => {
    const backend = tf.backend() as WebGPUBackend;
    const { value, errors } = await withGpuErrorScope(backend.device, async () => {
      const a = tf.randomUniform([512, 512], -1, 1, 'float32', 1);
      // Warm-up (pipeline compilation is the thread's own work), then enough matmuls for about a second or more.
      tf.dispose(tf.matMul(a, a));
      await backend.device.queue.onSubmittedWorkDone();
      let rounds = 4;
      let wall = 0;
      let cpu = 0;
      for (;;) {
        const outs = Array.from({ length: rounds }, () => tf.matMul(a, a));
        backend.ensureCommandEncoderReady();
        backend.endComputePassEncoder();
        backend.submitQueue();
        const [c0, t0] = [mainThreadCpuSeconds(), performance.now()];
        await backend.device.queue.onSubmittedWorkDone();
        [cpu, wall] = [mainThreadCpuSeconds() - c0, (performance.now() - t0) / 1000];
        tf.dispose(outs);
        if (wall >= 1 || rounds >= 256) break;
        rounds *= 2;
      }
      a.dispose();
      return { wall, cpu };
    });
    expect(errors).toEqual([]);
    expect(value.wall, 'the wait was long enough to measure').toBeGreaterThanOrEqual(1);
    // A setImmediate loop keeps the thread at (nearly) 100% of the wait; on the timer it polls about once a millisecond.
    expect(value.cpu / value.wall, JSON.stringify(value)).toBeLessThan(0.3);
  }, 120_000);

  test('JavaScript callbacks of setImmediate run as before, in order, with their arguments', async () => {
    const order: string[] = [];
    await new Promise<void>((resolve) => {
      setTimeout(() => order.push('timer'), 1);
      setImmediate(() => order.push('immediate 1'));
      setImmediate((x: string) => order.push(x), 'immediate 2');
      setTimeout(resolve, 20);
    });
    expect(order.filter((o) => o.startsWith('immediate'))).toEqual(['immediate 1', 'immediate 2']);
    expect(order).toContain('timer');
    await expect(promisify(setImmediate)('value')).resolves.toBe('value');
  });

  test('an interval outside [0, 100] ms is refused, naming it', () => {
    for (const bad of [-1, 101, Number.NaN]) expect(() => lib.throttleDawnPolling(bad)).toThrow(/intervalMs must be a number in \[0, 100\]/);
  });
});
