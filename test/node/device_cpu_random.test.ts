// Node-only checks: device set-up and its errors, the cpu kernels, and the statistics of RandomStart's noise.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import * as engine from '../../dist/engine.js';
import { withGpuErrorScope } from '../suite/kernel_suite';
import { runSeed } from '../suite/run_seed';

let context: lib.WebGPUContext;
beforeAll(async () => {
  context = await lib.initWebGPU();
});

describe('initWebGPU', () => {
  test('reports the adapter and makes webgpu the backend', async () => {
    expect(context.adapter.runtime).toBe('node');
    expect(context.adapter.vendor.length).toBeGreaterThan(0);
    expect(typeof context.adapter.software).toBe('boolean');
    if (/swiftshader/i.test(context.adapter.architecture)) expect(context.adapter.software).toBe(true);
    expect(tf.getBackend()).toBe('webgpu');
    expect(await lib.initWebGPU()).toBe(context);
  });

  test('no adapter: a clear error that says what to install', async () => {
    const script = `import('${new URL('../../dist/index.js', import.meta.url).href}')
      .then((lib) => lib.initWebGPU()).then(() => console.log('GOT ADAPTER'), (e) => console.log(e.message));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, VK_ICD_FILENAMES: '/nonexistent/icd.json' },
    });
    expect(stdout).toContain('initWebGPU: no WebGPU adapter');
    expect(stdout).toContain('VK_ICD_FILENAMES');
    expect(stdout).toContain('apt-get install libvulkan1 chromium');
  });
});

describe('cpu kernels equal the reference', () => {
  test('fgsmStep, pgdStep, randomStart on the cpu backend', async () => {
    await tf.setBackend('cpu');
    try {
      const rand = lib.seededRandom(runSeed);
      const n = 2179;
      const x = Float32Array.from({ length: n }, rand);
      const g = Float32Array.from({ length: n }, () => (rand() < 0.1 ? NaN : rand() - 0.5));
      const x0 = Float32Array.from(x, (v) => v + 0.05 * (rand() - 0.5));
      const [tx, tg, t0] = [tf.tensor(x), tf.tensor(g), tf.tensor(x0)];
      const before = tf.memory().numTensors;
      const fgsm = lib.fgsmStep(tx, tg, { epsilon: 0.1, targeted: true });
      const pgd = lib.pgdStep(tx, t0, tg, { stepSize: 0.02, epsilon: 0.03 });
      const rs = lib.randomStart(tx, { epsilon: 0.2, seed: 99 });
      expect(Array.from(await fgsm.data())).toEqual(Array.from(engine.fgsmStepReference(x, g, { epsilon: 0.1, clipMin: 0, clipMax: 1, targeted: true })));
      expect(Array.from(await pgd.data())).toEqual(Array.from(engine.pgdStepReference(x, x0, g, { stepSize: 0.02, epsilon: 0.03, clipMin: 0, clipMax: 1 })));
      expect(Array.from(await rs.data())).toEqual(Array.from(engine.randomStartReference(x, { epsilon: 0.2, seed: 99, clipMin: 0, clipMax: 1 })));
      tf.dispose([fgsm, pgd, rs]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([tx, tg, t0]);
    } finally {
      await tf.setBackend('webgpu');
    }
  });
});

describe('RandomStart noise', () => {
  const n = 1 << 20;
  const eps = 0.25;
  async function noise(seed: number): Promise<Float32Array> {
    const x = tf.zeros([n]); // out = 0 + u = u exactly
    const out = lib.randomStart(x, { epsilon: eps, seed, clipMin: -10, clipMax: 10 });
    const values = (await out.data()) as Float32Array;
    tf.dispose([x, out]);
    return values;
  }

  test('uniform on [-eps, eps]: range, mean, variance; seeds differ; a seed repeats', async () => {
    const { value, errors } = await withGpuErrorScope(context.device, async () => {
      const seed = runSeed;
      return { a: await noise(seed), again: await noise(seed), b: await noise((seed + 1) >>> 0) };
    });
    expect(errors).toEqual([]);
    const { a, again, b } = value;
    let mean = 0;
    let sq = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const u of a) {
      mean += u / n;
      sq += (u * u) / n;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    expect(min).toBeGreaterThanOrEqual(-eps);
    expect(max).toBeLessThanOrEqual(eps);
    expect(min).toBeLessThan(-0.99 * eps);
    expect(max).toBeGreaterThan(0.99 * eps);
    expect(Math.abs(mean)).toBeLessThan(0.002); // sd of the mean: eps / sqrt(3n) = 1.4e-4
    expect(sq / ((eps * eps) / 3)).toBeCloseTo(1, 2);
    expect(Array.from(again)).toEqual(Array.from(a));
    let same = 0;
    for (let i = 0; i < n; i++) if (a[i] === b[i]) same++;
    expect(same / n).toBeLessThan(1e-3);
  });
});

describe('countTraffic', () => {
  test('counts bytes uploaded and read back', async () => {
    const traffic = lib.countTraffic(context.device);
    expect(lib.countTraffic(context.device)).toBe(traffic);
    traffic.reset();
    const x = tf.tensor1d(new Float32Array(1000).fill(1));
    const y = tf.add(x, x);
    await y.data();
    const counts = traffic.read();
    expect(counts.uploadBytes).toBeGreaterThanOrEqual(4000);
    expect(counts.uploadBytes).toBeLessThan(8000);
    expect(counts.downloadBytes).toBeGreaterThanOrEqual(4000);
    expect(counts.downloadBytes).toBeLessThan(8000);
    expect(counts.uniformBytes).toBeGreaterThan(0);
    // The work sent: at least the add's dispatch, and the submits that carried it.
    expect(counts.dispatches).toBeGreaterThanOrEqual(1);
    expect(counts.submits).toBeGreaterThanOrEqual(1);
    tf.dispose([x, y]);
    traffic.reset();
    expect(traffic.read()).toEqual({ uploadBytes: 0, uniformBytes: 0, downloadBytes: 0, largestUploadBytes: 0, dispatches: 0, submits: 0 });
  });
});
