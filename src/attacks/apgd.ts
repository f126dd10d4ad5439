// APGD (Croce and Hein, "Reliable evaluation of adversarial robustness with an ensemble of diverse
// parameter-free attacks", ICML 2020), untargeted, with the CE or the DLR loss, in the L-infinity or the L2
// ball (`norm`); the first attack of AutoAttack. The loop (apgd_loop.ts) and the step-size schedule
// (apgd_schedule.ts) are shared with APGD-T (apgd_t.ts); restarts (seed + r) keep each example's worst case.
// Differences from the reference implementation (fra31/auto-attack): the L-inf random start is uniform in
// the ball (the reference rescales each example's noise so that its largest coordinate is exactly eps; the
// L2 start is the reference's, x + eps t / ||t||, with t a sum of four uniforms rather than a normal); the
// L2 projection scales by min(1, eps / ||d||) (the reference's eps / (||d|| + 1e-12) differs below 1e-5);
// the first interval compares its first step with the starting point's loss (the reference compares it
// with zero); every restart runs on the whole batch (the reference reruns only the points still robust); a
// robust example returns its highest-loss point (the reference returns the clean point).
import * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '../models/classifier';
import { paramTable, resolveTable } from '../core/params';
import { AdversarialArgumentError } from '../core/validate';
import { apgdWorstOfRuns } from './apgd_loop';
import { BALL_EPSILON_PARAM, checkBallEpsilon, NORM_PARAM, SEED_PARAM, defineAttack, type AttackOptions } from './attack';
import { checkAttackBatch, checkEpsilon } from './checks';
import { ATTACK_LOSSES, LOSS_PARAM } from './losses';

/** The parameters, declared once for the public function and the table entry. */
const APGD_PARAMS = paramTable({
  epsilon: BALL_EPSILON_PARAM,
  steps: { type: 'integer', default: 100, min: 1, max: 100_000, help: 'iterations per restart' },
  restarts: { type: 'integer', default: 1, min: 1, max: 1000, help: 'restarts; each example keeps its worst case' },
  loss: { ...LOSS_PARAM, choices: ['ce', 'dlr'], help: 'ce (softmax cross-entropy) or dlr (difference of logits ratio, 3+ classes)' },
  rho: { type: 'number', default: 0.75, min: 0, max: 1, help: 'the step halves when the loss rose in at most this fraction of an interval' },
  seed: SEED_PARAM,
  norm: NORM_PARAM,
});

/** apgdAttack's options: {@link APGD_PARAMS}'s, the radius required (restart r starts from seed + r). */
export type ApgdAttackOptions = AttackOptions<typeof APGD_PARAMS>;

/**
 * APGD examples in the L-infinity or L2 ball around x (untargeted): `restarts` runs of `steps` iterations;
 * each example returns a misclassified point when one was found, else its highest-loss point.
 *
 * @example
 * const adv = apgdAttack(model, images, onehot, { epsilon: 0.1, loss: 'dlr' });
 * const advL2 = apgdAttack(model, images, onehot, { epsilon: 1.5, norm: 'l2' });
 */
export function apgdAttack(model: Classifier, x: tf.Tensor4D, onehot: tf.Tensor2D, options: ApgdAttackOptions): tf.Tensor4D {
  const op = 'apgdAttack';
  checkAttackBatch(model, x, onehot, op);
  checkEpsilon(op, options.epsilon);
  const { steps, restarts, rho, loss, norm } = resolveTable(op, 'options', APGD_PARAMS, { ...options, seed: undefined });
  // The seed is not range-checked here: a batch's seed is the attack's plus the batch's start, wrapped to
  // 32 bits by the run.
  const seed = options.seed ?? 0;
  if (loss === 'dlr' && model.numClasses < 3) {
    throw new AdversarialArgumentError(op, 'logits', `must have at least 3 classes for the DLR loss, the model has ${model.numClasses}`);
  }
  const lossDef = ATTACK_LOSSES[loss];
  const runLoss = { mean: (logits: tf.Tensor2D) => lossDef.mean(logits, onehot), perExample: (logits: tf.Tensor2D) => lossDef.perExample(logits, onehot) };
  const settings = { epsilon: options.epsilon, steps, rho, norm, clipMin: options.clipMin ?? 0, clipMax: options.clipMax ?? 1 };
  return apgdWorstOfRuns(model, x, onehot, settings, () => ({ runs: restarts, run: (r) => ({ loss: runLoss, seed: seed + r }) }));
}

export const apgd = defineAttack({
  id: 'apgd',
  title: 'APGD',
  threat: 'linf',
  help: 'auto-PGD: step-size schedule from checkpoints, momentum, CE or DLR loss, L-inf or L2 (Croce and Hein 2020)',
  params: APGD_PARAMS,
  derive: (p) => checkBallEpsilon('apgd', p),
  label: (p) => `${p.loss === 'dlr' ? 'APGD-DLR' : 'APGD-CE'}${p.norm === 'l2' ? '-L2' : ''}`,
  budget: (p) => ({ step_size: 2 * p.epsilon, random_start: true }),
  cost: (p) => ({ gradients: (p.steps + 1) * p.restarts, queries: 1 }),
  run: (model, batch, p) => apgdAttack(model, batch.x, batch.onehot, p),
});
