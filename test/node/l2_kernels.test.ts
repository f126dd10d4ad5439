// The L2 step kernels and the targeted DLR loss on Dawn: table-driven cases (test/suite/l2_suite.ts,
// test/suite/dlr_targeted_suite.ts) against the float32 CPU references; the targeted DLR's float64 gradient
// against central differences; the cpu kernels' bits; the L2 start's noise; fewer than 4 classes refused.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import * as engine from '../../dist/engine.js';
import { dlrTargetedCases, dlrTargetedInputs, runDlrTargetedCase } from '../suite/dlr_targeted_suite';
import { expectDlrTargetedOk, expectL2Ok } from '../suite/l2_check';
import { l2Cases, l2Inputs, runL2Case } from '../suite/l2_suite';
import { runSeed } from '../suite/run_seed';
import { dlrTargetedLoss64, dlrTargetedLossGrad64 } from '../suite/dlr_reference';

beforeAll(async () => {
  await lib.initWebGPU();
  await lib.ensureGradients();
  console.log(`l2 kernels: run seed ${runSeed}`);
});

describe('PgdStepL2, ApgdStepL2 and RandomStartL2 on Dawn', () => {
  for (const c of l2Cases) {
    test(c.name, async () => {
      const r = await runL2Case(c, runSeed);
      expectL2Ok(r);
      // SwiftShader rounds sqrt and division exactly: the fused passes equal the reference bit for bit.
      if (lib.currentWebGPU()?.adapter.architecture === 'swiftshader') expect(r.exactMismatches, c.name).toBe(0);
    });
  }

  test('the L2 start: near-normal noise (mean 0, variance 1/3, kurtosis of a sum of 4 uniforms) and a start on the sphere', async () => {
    const key = engine.pcgHash(runSeed);
    const n = 100_000;
    let m1 = 0;
    let m2 = 0;
    let m4 = 0;
    for (let i = 0; i < n; i++) {
      const t = engine.l2NoiseFromKey(i, key);
      m1 += t / n;
      m2 += (t * t) / n;
      m4 += t ** 4 / n;
    }
    expect(Math.abs(m1)).toBeLessThan(0.01);
    expect(Math.abs(m2 - 1 / 3)).toBeLessThan(0.01);
    expect(m4 / (m2 * m2)).toBeCloseTo(2.7, 1); // Irwin-Hall(4): 3 - 6/20 = 2.7 (a normal: 3)
    const x = tf.fill([6, 28, 28, 1], 0.5);
    const start = lib.randomStart(x, { epsilon: 1.5, seed: runSeed, norm: 'l2' });
    const norms = await tf.sqrt(tf.sum(tf.square(tf.sub(start, x)), [1, 2, 3])).data();
    for (const v of norms) expect(v).toBeCloseTo(1.5, 4);
    tf.dispose([x, start]);
  });

  test('on the cpu backend the cpu kernels give the reference bits', async () => {
    const c = l2Cases.find((k) => k.kernel === 'apgd_step_l2' && k.rows === 5 && k.inputs === 'nan' && k.momentum === 0.75)!;
    const p = l2Inputs(c, runSeed ^ 0xc2);
    const shape = [c.rows, c.rowSize] as [number, number];
    const bounds = { epsilon: p.epsilon, clipMin: p.clipMin, clipMax: p.clipMax };
    await tf.setBackend('cpu');
    try {
      const [x0, xCur, xPrev, grad] = [p.x0, p.xCur, p.xPrev, p.grad].map((a) => tf.tensor2d(a, shape));
      const eta = tf.tensor1d(p.stepSize);
      const bits = async (t: tf.Tensor) => Array.from(new Uint32Array((await t.data() as Float32Array).buffer));
      const of = (a: Float32Array) => Array.from(new Uint32Array(a.buffer));
      expect(await bits(lib.apgdStep(xCur, xPrev, x0, grad, eta, { ...bounds, momentum: 0.75, norm: 'l2' }))).toEqual(of(engine.apgdStepL2Reference(p.xCur, p.xPrev, p.x0, p.grad, p.stepSize, { ...bounds, momentum: 0.75 })));
      expect(await bits(lib.pgdStep(xCur, x0, grad, { ...bounds, stepSize: 0.2, norm: 'l2' }))).toEqual(of(engine.pgdStepL2Reference(p.xCur, p.x0, p.grad, c.rows, { ...bounds, stepSize: 0.2 })));
      expect(await bits(lib.randomStart(x0, { ...bounds, seed: 7, norm: 'l2' }))).toEqual(of(engine.randomStartL2Reference(p.x0, c.rows, { ...bounds, seed: 7 })));
    } finally {
      await tf.setBackend('webgpu');
    }
  });
});

describe('DlrTargetedLoss and DlrTargetedLossGrad on Dawn', () => {
  for (const c of dlrTargetedCases) {
    test(c.name, async () => {
      expectDlrTargetedOk(await runDlrTargetedCase(c, runSeed));
    });
  }

  test('the float64 gradient equals central differences of the float64 loss (random rows, no ties)', () => {
    const c = { name: 'fd', rows: 9, classes: 10, inputs: 'random' as const };
    const p = dlrTargetedInputs(c, runSeed ^ 0xd1f);
    const logits = Float64Array.from(p.logits);
    const ones = Float64Array.from({ length: c.rows }, () => 1);
    const grad = dlrTargetedLossGrad64(logits, p.labels, p.targets, ones, c.rows, c.classes);
    const loss = (l: Float64Array, r: number) => dlrTargetedLoss64(l, p.labels, p.targets, c.rows, c.classes)[r];
    const h = 1e-6;
    for (let i = 0; i < logits.length; i++) {
      const r = Math.floor(i / c.classes);
      const plus = logits.slice();
      plus[i] += h;
      const minus = logits.slice();
      minus[i] -= h;
      expect(Math.abs((loss(plus, r) - loss(minus, r)) / (2 * h) - grad[i]), `index ${i}`).toBeLessThan(1e-6);
    }
  });

  test('the composed fallback (stock ops, tf.customGrad) agrees with the kernel on rows without ties', async () => {
    const c = { name: 'composed', rows: 33, classes: 10, inputs: 'random' as const };
    const p = dlrTargetedInputs(c, runSeed ^ 0xc0);
    const [logits, labels, targets] = [p.logits, p.labels, p.targets].map((a) => tf.tensor2d(a, [c.rows, c.classes]));
    const fused = await lib.dlrTargetedLoss(logits, labels, targets).data();
    const composed = await engine.dlrTargetedLossComposed(logits, labels, targets).data();
    const gFused = await tf.grad((l: tf.Tensor) => tf.sum(lib.dlrTargetedLoss(l, labels, targets)))(logits).data();
    const gComposed = await tf.grad((l: tf.Tensor) => tf.sum(engine.dlrTargetedLossComposed(l, labels, targets)))(logits).data();
    for (let i = 0; i < fused.length; i++) expect(composed[i]).toBeCloseTo(fused[i], 5);
    for (let i = 0; i < gFused.length; i++) expect(gComposed[i]).toBeCloseTo(gFused[i], 5);
    tf.dispose([logits, labels, targets]);
  });

  for (const classes of [1, 2, 3]) {
    test(`${classes} classes: refused, naming logits (targeted DLR needs 4)`, () => {
      const z = tf.zeros([4, classes]);
      const before = tf.memory().numTensors;
      let error: unknown;
      try {
        lib.dlrTargetedLoss(z, z, z);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(lib.AdversarialArgumentError);
      expect((error as InstanceType<typeof lib.AdversarialArgumentError>).argument).toBe('logits');
      expect(tf.memory().numTensors).toBe(before);
      z.dispose();
    });
  }

  test('on the cpu backend the cpu kernels give the same bits', async () => {
    const c = { name: 'cpu', rows: 17, classes: 10, inputs: 'ties' as const };
    const p = dlrTargetedInputs(c, runSeed ^ 0xc9);
    await tf.setBackend('cpu');
    try {
      const [logits, labels, targets] = [p.logits, p.labels, p.targets].map((a) => tf.tensor2d(a, [c.rows, c.classes]));
      expect(Array.from(await lib.dlrTargetedLoss(logits, labels, targets).data())).toEqual(Array.from(engine.dlrTargetedLossReference(p.logits, p.labels, p.targets, c.rows, c.classes)));
      const g = await tf.grad((l: tf.Tensor) => tf.sum(lib.dlrTargetedLoss(l, labels, targets)))(logits).data();
      expect(Array.from(g)).toEqual(Array.from(engine.dlrTargetedLossGradReference(p.logits, p.labels, p.targets, new Float32Array(c.rows).fill(1), c.rows, c.classes)));
    } finally {
      await tf.setBackend('webgpu');
    }
  });
});
