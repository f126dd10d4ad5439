// APGD (Croce and Hein 2020) on Dawn: the checkpoint schedule and the step-halving rule as pure functions
// fed loss histories (and their device twin), the eps-ball and [0, 1] never left (random draws), restarts
// keep each example's worst case, and APGD at least as strong as PGD-20 on a small trained model.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { withGpuErrorScope } from '../suite/kernel_suite';
import { runSeed } from '../suite/run_seed';
import { syntheticTask } from '../suite/synthetic';
import { expectInBallAndBounds, onehotOf } from '../suite/attack_checks';

beforeAll(async () => {
  await lib.initWebGPU();
  await lib.ensureGradients();
});


describe('checkpoints and the step-halving rule', () => {
  test('N = 100: intervals 22, 19, 16, 13, 10, 7, 6, 6 (the reference schedule); N = 10 and N = 1', () => {
    expect(lib.apgdCheckpoints(100)).toEqual([22, 19, 16, 13, 10, 7, 6, 6].map((length, j, all) => ({ at: all.slice(0, j + 1).reduce((a, b) => a + b, 0) - 1, length })));
    expect(lib.apgdCheckpoints(10).map((c) => c.length)).toEqual([2, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(lib.apgdCheckpoints(1)).toEqual([{ at: 0, length: 1 }]);
  });

  const state = (history: number[], best: number, bestAtLast: number, reducedAtLast: boolean) => ({
    increases: lib.countIncreases(history),
    length: history.length - 1,
    bestLoss: best,
    bestLossAtLastCheck: bestAtLast,
    reducedAtLastCheck: reducedAtLast,
  });
  const rising = Array.from({ length: 23 }, (_, i) => i); // 22 steps, all up
  const zigzag = Array.from({ length: 23 }, (_, i) => (i % 2 ? 1 : 0)); // up in 11 of 22
  const mostlyUp = Array.from({ length: 23 }, (_, i) => (i === 5 || i === 9 ? i - 3 : i)); // 20 of 22 up
  const justBelow = Array.from({ length: 17 }, (_, i) => (i < 13 ? i : 12 - i)); // 12 of 16 up: 12 <= 0.75 * 16

  test.each([
    ['a loss that rose at every step keeps the step', rising, 22, 0, true, false],
    ['an oscillating loss (up in half the steps) halves it', zigzag, 1, 0, true, true],
    ['up in 20 of 22 keeps it', mostlyUp, 22, 0, true, false],
    ['up in exactly rho of the steps halves it (at most 75%)', justBelow, 12, 0, true, true],
    ['rising, but the best has not improved and the step was not halved last time: halve', rising, 5, 5, false, true],
    ['the same, but the step was halved last time: keep', rising, 5, 5, true, false],
    ['not halved last time and the best improved: keep', rising, 6, 5, false, false],
  ] as const)('%s', (_name, history, best, bestAtLast, reducedAtLast, halve) => {
    expect(lib.apgdHalveStep(state([...history], best, bestAtLast, reducedAtLast), 0.75)).toBe(halve);
  });

  test('the device twin decides as the pure rule: 200 random states', async () => {
    const random = lib.seededRandom(runSeed ^ 0x5e1);
    const n = 200;
    const s = Array.from({ length: n }, () => ({
      increases: Math.floor(random() * 23),
      length: 22,
      bestLoss: Math.round(random() * 4),
      bestLossAtLastCheck: Math.round(random() * 4),
      reducedAtLastCheck: random() < 0.5,
    }));
    const mask = lib.apgdHalveStepMask(
      tf.tensor1d(s.map((e) => e.increases)),
      22,
      tf.tensor1d(s.map((e) => e.bestLoss)),
      tf.tensor1d(s.map((e) => e.bestLossAtLastCheck)),
      tf.tensor1d(s.map((e) => e.reducedAtLastCheck), 'bool'),
      0.75,
    );
    expect(Array.from(await mask.data()).map(Boolean)).toEqual(s.map((e) => lib.apgdHalveStep(e, 0.75)));
  });
});

describe('apgdAttack', () => {
  test('never leaves the eps-ball or [0, 1]: 5 random draws of inputs, eps, steps, restarts, loss; nothing leaks', async () => {
    const random = lib.seededRandom(runSeed ^ 0xa9d);
    const model = lib.seedCnn({ seed: 3, inputShape: [8, 8, 1] });
    const { errors } = await withGpuErrorScope(lib.currentWebGPU()!.device, async () => {
      for (let draw = 0; draw < 5; draw++) {
        const batch = 1 + Math.floor(random() * 6);
        const epsilon = 0.01 + random() * 0.3;
        const steps = 1 + Math.floor(random() * 12);
        const restarts = 1 + Math.floor(random() * 2);
        const loss = random() < 0.5 ? 'ce' : 'dlr';
        const x = tf.tensor4d(Float32Array.from({ length: batch * 64 }, () => (random() < 0.2 ? Math.round(random()) : random())), [batch, 8, 8, 1]);
        const y = onehotOf(Array.from({ length: batch }, () => Math.floor(random() * 10)));
        const before = tf.memory().numTensors;
        const adv = lib.apgdAttack(model, x, y, { epsilon, steps, restarts, loss, seed: draw });
        expect(tf.memory().numTensors, `draw ${draw}: tensors`).toBe(before + 1);
        await expectInBallAndBounds(adv, x, epsilon, `draw ${draw}: eps ${epsilon}, ${steps} steps, ${loss}`);
        tf.dispose([x, y, adv]);
      }
    });
    expect(errors).toEqual([]);
    tf.dispose(model.variables);
  });

  test('restarts keep, per example, a misclassified point when any restart found one, else the highest loss', async () => {
    const model = lib.seedCnn({ seed: 4, inputShape: [8, 8, 1] });
    const x = tf.randomUniform([8, 8, 8, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
    const labels = [0, 1, 2, 3, 4, 5, 6, 7];
    const y = onehotOf(labels);
    const o = { epsilon: 0.05, steps: 6, loss: 'dlr' as const, seed: 10 };
    const look = async (adv: tf.Tensor4D) => {
      const logits = model.forward(adv);
      return { loss: Array.from(await lib.dlrLoss(logits, y).data()), wrong: Array.from(await tf.argMax(logits, 1).data()).map((p, i) => p !== labels[i]) };
    };
    const singles: { loss: number[]; wrong: boolean[] }[] = [];
    for (let r = 0; r < 3; r++) singles.push(await look(lib.apgdAttack(model, x, y, { ...o, seed: o.seed + r, restarts: 1 })));
    const best = await look(lib.apgdAttack(model, x, y, { ...o, restarts: 3 }));
    labels.forEach((_, i) => {
      const anyWrong = singles.some((s) => s.wrong[i]);
      expect(best.wrong[i], `example ${i}`).toBe(anyWrong);
      if (!anyWrong) expect(best.loss[i]).toBeCloseTo(Math.max(...singles.map((s) => s.loss[i])), 5);
    });
    tf.dispose([x, y, ...model.variables]);
  });

  test('DLR on a 2-class model is refused naming logits', () => {
    const model = lib.seedCnn({ seed: 1, inputShape: [8, 8, 1], numClasses: 2 });
    const x = tf.zeros([2, 8, 8, 1]) as tf.Tensor4D;
    const y = onehotOf([0, 1], 2);
    let error: unknown;
    try {
      lib.apgdAttack(model, x, y, { epsilon: 0.1, loss: 'dlr' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(lib.AdversarialArgumentError);
    expect((error as InstanceType<typeof lib.AdversarialArgumentError>).argument).toBe('logits');
    tf.dispose([x, y, ...model.variables]);
  });

  // The public functions take their defaults and ranges from the attack's table: 0 steps is refused as
  // the table refuses it (the function used to accept it).
  const refusals: [string, (m: lib.Classifier, x: tf.Tensor4D, y: tf.Tensor2D) => unknown, string, RegExp][] = [
    ['apgd steps=0', (m, x, y) => lib.apgdAttack(m, x, y, { epsilon: 0.1, steps: 0 }), 'options.steps', /must be an integer in \[1, 100000\], got 0/],
    ['apgd rho=2', (m, x, y) => lib.apgdAttack(m, x, y, { epsilon: 0.1, rho: 2 }), 'options.rho', /must be a number in \[0, 1\], got 2/],
    ['apgd loss=kl', (m, x, y) => lib.apgdAttack(m, x, y, { epsilon: 0.1, loss: 'kl' as 'ce' }), 'options.loss', /must be one of ce, dlr/],
    ['apgd-t steps=0', (m, x, y) => lib.apgdTargetedAttack(m, x, y, { epsilon: 0.1, steps: 0 }), 'options.steps', /must be an integer in \[1, 100000\], got 0/],
    ['apgd-t targets=10 of 10 classes', (m, x, y) => lib.apgdTargetedAttack(m, x, y, { epsilon: 0.1, targets: 10 }), 'options.targets', /must be an integer in \[1, 9\]/],
  ];
  for (const [name, call, argument, message] of refusals) {
    test(`refused as the table refuses: ${name}`, () => {
      const model = lib.seedCnn({ seed: 1, inputShape: [8, 8, 1], numClasses: 10 });
      const x = tf.zeros([2, 8, 8, 1]) as tf.Tensor4D;
      const y = onehotOf([0, 1], 10);
      const before = tf.memory().numTensors;
      expect(() => call(model, x, y)).toThrow(expect.objectContaining({ name: 'AdversarialArgumentError', argument, message: expect.stringMatching(message) }));
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, y, ...model.variables]);
    });
  }

  test('the attack table: apgd with labels APGD-CE and APGD-DLR, parsed from --attacks text', () => {
    expect(lib.resolveAttackSpec({ kind: 'apgd', epsilon: 0.1 }).label).toBe('APGD-CE');
    expect(lib.resolveAttackSpec({ kind: 'apgd', loss: 'dlr' }).label).toBe('APGD-DLR');
    expect(lib.parseAttackList('apgd:loss=dlr:steps=50')).toEqual([{ kind: 'apgd', loss: 'dlr', steps: 50 }]);
    expect(lib.resolveAttackSpec({ kind: 'pgd', loss: 'dlr' }).params.loss).toBe('dlr');
  });

  test('at least as strong as PGD-20 on a small trained model (synthetic 8x8 task)', async () => {
    // One task (one set of class patterns): 320 to train on, the last 64 held out.
    const task = syntheticTask(384, 5);
    const data = lib.uploadDataset(task.images.slice(0, 320 * 64), task.labels.slice(0, 320), [8, 8, 1], 10);
    const model = lib.seedCnn({ seed: 2, inputShape: [8, 8, 1] });
    await lib.trainModel(model, lib.engineAdam(3e-3), data, Array.from({ length: 320 }, (_, i) => i), { trainer: 'clean', epsilon: 0.1, epochs: 3, batchSize: 32, learningRate: 3e-3, seed: 1 });
    const x = tf.tensor4d(Float32Array.from(task.images.slice(320 * 64), (v) => v / 255), [64, 8, 8, 1]);
    const y = onehotOf(Array.from(task.labels.slice(320)));
    const correct = async (adv: tf.Tensor4D) => (await tf.sum(tf.cast(tf.equal(tf.argMax(model.forward(adv), 1), tf.argMax(y, 1)), 'int32')).data())[0];
    const eps = 0.08;
    const clean = await correct(x);
    const pgd = await correct(lib.pgdAttack(model, x, y, { epsilon: eps, steps: 20, seed: 1 }));
    const apgdCe = await correct(lib.apgdAttack(model, x, y, { epsilon: eps, steps: 20, seed: 1 }));
    const apgdDlr = await correct(lib.apgdAttack(model, x, y, { epsilon: eps, steps: 20, loss: 'dlr', seed: 1 }));
    console.log(`synthetic: clean ${clean}/64, PGD-20 ${pgd}, APGD-CE-20 ${apgdCe}, APGD-DLR-20 ${apgdDlr}`);
    expect(clean).toBeGreaterThan(40);
    expect(pgd).toBeLessThan(clean);
    expect(apgdCe).toBeLessThanOrEqual(pgd);
    expect(apgdDlr).toBeLessThanOrEqual(pgd + 1);
    tf.dispose([x, y, ...model.variables]);
    data.dispose();
  });
});
