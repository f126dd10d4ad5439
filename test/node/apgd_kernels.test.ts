// The DLR, APGD-step and APGD-update kernels on Dawn: table-driven cases (test/suite/apgd_suite.ts,
// apgd_update_suite.ts) against the float32 CPU references, the references against float64 and central
// differences; DLR refuses fewer than 3 classes.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import * as engine from '../../dist/engine.js';
import { expectApgdStepOk, expectApgdUpdateOk, expectDlrOk } from '../suite/apgd_check';
import { apgdStepCases, dlrCases, dlrInputs, runApgdStepCase, runDlrCase } from '../suite/apgd_suite';
import { apgdUpdateCases, runApgdUpdateCase } from '../suite/apgd_update_suite';
import { runSeed } from '../suite/run_seed';
import { dlrLoss64, dlrLossGrad64 } from '../suite/dlr_reference';

beforeAll(async () => {
  await lib.initWebGPU();
  await lib.ensureGradients();
  console.log(`apgd kernels: run seed ${runSeed}`);
});

describe('DlrLoss and DlrLossGrad on Dawn', () => {
  for (const c of dlrCases) {
    test(c.name, async () => {
      expectDlrOk(await runDlrCase(c, runSeed));
    });
  }

  test('the float64 gradient equals central differences of the float64 loss (random rows, no ties)', () => {
    const c = { name: 'fd', rows: 9, classes: 10, inputs: 'random' as const };
    const p = dlrInputs(c, runSeed ^ 0xd1f);
    const logits = Float64Array.from(p.logits);
    const dy = Float64Array.from({ length: c.rows }, () => 1);
    const grad = dlrLossGrad64(logits, p.labels, dy, c.rows, c.classes);
    const h = 1e-6;
    for (let i = 0; i < logits.length; i++) {
      const r = Math.floor(i / c.classes);
      const plus = logits.slice();
      plus[i] += h;
      const minus = logits.slice();
      minus[i] -= h;
      const fd = (dlrLoss64(plus, p.labels, c.rows, c.classes)[r] - dlrLoss64(minus, p.labels, c.rows, c.classes)[r]) / (2 * h);
      expect(Math.abs(fd - grad[i]), `index ${i}`).toBeLessThan(1e-6);
    }
  });

  test('the composed fallback (stock ops, tf.customGrad) agrees with the kernel on rows without ties', async () => {
    const c = { name: 'composed', rows: 33, classes: 10, inputs: 'random' as const };
    const p = dlrInputs(c, runSeed ^ 0xc0);
    const logits = tf.tensor2d(p.logits, [c.rows, c.classes]);
    const labels = tf.tensor2d(p.labels, [c.rows, c.classes]);
    const fused = await lib.dlrLoss(logits, labels).data();
    const composed = await engine.dlrLossComposed(logits, labels).data();
    const gFused = await tf.grad((l: tf.Tensor) => tf.sum(lib.dlrLoss(l, labels)))(logits).data();
    const gComposed = await tf.grad((l: tf.Tensor) => tf.sum(engine.dlrLossComposed(l, labels)))(logits).data();
    for (let i = 0; i < fused.length; i++) expect(composed[i]).toBeCloseTo(fused[i], 5);
    for (let i = 0; i < gFused.length; i++) expect(gComposed[i]).toBeCloseTo(gFused[i], 5);
    tf.dispose([logits, labels]);
  });

  for (const classes of [1, 2]) {
    test(`${classes} classes: refused, naming logits (DLR needs 3)`, () => {
      const logits = tf.zeros([4, classes]);
      const labels = tf.zeros([4, classes]);
      const before = tf.memory().numTensors;
      expect(() => lib.dlrLoss(logits, labels)).toThrow(lib.AdversarialArgumentError);
      try {
        lib.dlrLoss(logits, labels);
      } catch (e) {
        expect((e as InstanceType<typeof lib.AdversarialArgumentError>).argument).toBe('logits');
      }
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([logits, labels]);
    });
  }

  test('on the cpu backend the cpu kernels give the same bits', async () => {
    const c = { name: 'cpu', rows: 17, classes: 10, inputs: 'ties' as const };
    const p = dlrInputs(c, runSeed ^ 0xc9);
    await tf.setBackend('cpu');
    try {
      const logits = tf.tensor2d(p.logits, [c.rows, c.classes]);
      const labels = tf.tensor2d(p.labels, [c.rows, c.classes]);
      expect(Array.from(await lib.dlrLoss(logits, labels).data())).toEqual(Array.from(engine.dlrLossReference(p.logits, p.labels, c.rows, c.classes)));
      const g = await tf.grad((l: tf.Tensor) => tf.sum(lib.dlrLoss(l, labels)))(logits).data();
      expect(Array.from(g)).toEqual(Array.from(engine.dlrLossGradReference(p.logits, p.labels, new Float32Array(c.rows).fill(1), c.rows, c.classes)));
    } finally {
      await tf.setBackend('webgpu');
    }
  });
});

describe('ApgdStep on Dawn', () => {
  for (const c of apgdStepCases) {
    test(c.name, async () => {
      expectApgdStepOk(await runApgdStepCase(c, runSeed));
    });
  }
});

describe('ApgdUpdate on Dawn', () => {
  for (const c of apgdUpdateCases) {
    test(c.name, async () => {
      expectApgdUpdateOk(await runApgdUpdateCase(c, runSeed));
    });
  }

  test('refuses a wrong flag per element and a loss per element, naming them; on the cpu backend the reference bits', async () => {
    const [a, rows, bad, other] = [tf.ones([2, 3]), tf.ones([2]), tf.ones([2, 3]), tf.ones([3, 2])];
    const wrong = tf.tensor1d([true, false], 'bool');
    const before = tf.memory().numTensors;
    for (const [args, argument] of [[[a, a, a, a, a, rows, rows, bad], 'wrong'], [[a, a, a, a, a, bad, rows, wrong], 'loss'], [[a, a, other, a, a, rows, rows, wrong], 'xFooled']] as const) {
      expect(() => engine.apgdUpdate(...(args as unknown as Parameters<typeof engine.apgdUpdate>))).toThrow(expect.objectContaining({ name: 'AdversarialArgumentError', argument }));
    }
    expect(tf.memory().numTensors).toBe(before);
    await tf.setBackend('cpu');
    try {
      const t = [1, 2, 3, 4, 5].map((k) => tf.fill([2, 3], k));
      const out = engine.apgdUpdate(t[0], t[1], t[2], t[3], t[4], tf.tensor1d([1, 0]), tf.tensor1d([0, 0]), tf.tensor1d([false, true], 'bool'));
      expect(await Promise.all(out.map(async (o) => Array.from(await o.data())))).toEqual([[3, 3, 3, 1, 1, 1], [1, 1, 1, 4, 4, 4], [2, 2, 2, 5, 5, 5]]);
    } finally {
      await tf.setBackend('webgpu');
    }
    tf.dispose([a, rows, bad, other, wrong]);
  });
});
