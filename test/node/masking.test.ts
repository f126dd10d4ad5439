// A model that masks its gradients is caught: a trained seed CNN with its last layer's kernel and bias
// multiplied by 1e4 (the same predictions, a saturated softmax whose cross-entropy gradients vanish)
// keeps a high PGD-20 accuracy, AutoAttack (its targeted DLR stage is scale-invariant) takes it down to
// the unscaled model's figure, and the audit warns; the unscaled model passes those checks.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { syntheticTask } from '../suite/synthetic';

const EPSILON = 0.15;
const points = Array.from({ length: 60 }, (_, i) => i + 500);
let model: lib.Classifier;
let masked: lib.Classifier;
let data: lib.GpuDataset;

beforeAll(async () => {
  await lib.initWebGPU();
  await lib.ensureGradients();
  const task = syntheticTask(600, 21);
  data = lib.uploadDataset(task.images, task.labels, [8, 8, 1], 10);
  model = lib.seedCnn({ seed: 6, inputShape: [8, 8, 1] });
  await lib.trainModel(model, lib.engineAdam(3e-3), data, Array.from({ length: 500 }, (_, i) => i), { trainer: 'clean', epsilon: 0, epochs: 4, batchSize: 32, learningRate: 3e-3, seed: 2 });
  // The last Dense layer's kernel and bias times 1e4: a copy of the weights, the last two scaled.
  masked = lib.seedCnn({ inputShape: [8, 8, 1], weights: model.variables.map((v, i) => (i >= 4 ? tf.mul(v, 1e4) : v)) as tf.Tensor[] });
}, 300_000);

const attacks: lib.AttackSpec[] = [
  { kind: 'clean' },
  { kind: 'pgd', epsilon: EPSILON, steps: 20 },
  { kind: 'autoattack', epsilon: EPSILON, version: 'fast' },
];

describe('gradient masking (last layer x 1e4)', () => {
  test('same predictions; PGD-20 stays high, AutoAttack falls to the unscaled figure; the audit warns on the masked model only', async () => {
    const [clean, pgd, aa] = await lib.evaluateModel(model, data, points, attacks);
    const [mClean, mPgd, mAa] = await lib.evaluateModel(masked, data, points, attacks);
    expect(Array.from(mClean.robust)).toEqual(Array.from(clean.robust));
    console.log(`unscaled: clean ${clean.accuracy} PGD-20 ${pgd.accuracy} AutoAttack-fast ${aa.accuracy}; x1e4: PGD-20 ${mPgd.accuracy} AutoAttack-fast ${mAa.accuracy} (${mAa.stages!.map((s) => `${s.label} ${s.accuracy}`).join(', ')})`);
    // The unscaled model is not robust at this eps; PGD says the masked one is.
    expect(pgd.accuracy).toBeLessThan(clean.accuracy - 0.2);
    expect(mPgd.accuracy).toBeGreaterThan(pgd.accuracy + 0.2);
    expect(mAa.accuracy).toBeLessThan(mPgd.accuracy - 0.2);
    expect(mAa.accuracy).toBeLessThanOrEqual(aa.accuracy + 0.05);
    const audit = await lib.auditEvaluation(masked, data, points, [mClean, mPgd, mAa], { epsilon: EPSILON, points: 40 });
    const status = Object.fromEntries(audit.checks.map((c) => [c.id, c.status]));
    expect(status.gradients).toBe('warn');
    expect(status['pgd-vs-autoattack']).toBe('warn');
    const plain = await lib.auditEvaluation(model, data, points, [clean, pgd, aa], { epsilon: EPSILON, points: 40 });
    const plainStatus = Object.fromEntries(plain.checks.map((c) => [c.id, c.status]));
    expect(plainStatus.gradients).toBe('pass');
    expect(plainStatus['pgd-vs-autoattack']).toBe('pass');
  }, 600_000);
});
