// APGD-T (Croce and Hein 2020, the second attack of AutoAttack): APGD on the targeted DLR loss
// -(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2 + 1e-12), one run per target class t: for k = 2 .. targets + 1,
// the class with the k-th largest clean logit (as the reference's APGDAttack_targeted.perturb picks them).
// Each run is apgd_loop.ts's loop, in the L-inf or the L2 ball, on the whole batch (the reference runs each
// target only on the points still robust); an example counts as fooled when it is misclassified as any
// class, as in the reference, and keeps that point; a robust one keeps its highest targeted loss over all
// runs. Run (k, r) starts from seed + (k - 2) * restarts + r.
import * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '../models/classifier';
import { dlrTargetedLoss } from '../kernels/ops/attack_ops';
import { paramTable, resolveTable } from '../core/params';
import { AdversarialArgumentError } from '../core/validate';
import { apgdWorstOfRuns, type ApgdRunLoss } from './apgd_loop';
import { BALL_EPSILON_PARAM, checkBallEpsilon, NORM_PARAM, SEED_PARAM, defineAttack, type AttackOptions } from './attack';
import { checkAttackBatch, checkEpsilon } from './checks';

/** The parameters, declared once for the public function and the table entry. */
const APGD_T_PARAMS = paramTable({
  epsilon: BALL_EPSILON_PARAM,
  steps: { type: 'integer', default: 100, min: 1, max: 100_000, help: 'iterations per run' },
  targets: { type: 'integer', default: 9, min: 1, max: 999, help: 'target classes: the 2nd to the (targets+1)th largest clean logit (at most the classes - 1)' },
  restarts: { type: 'integer', default: 1, min: 1, max: 1000, help: 'runs per target class; each example keeps its worst case' },
  rho: { type: 'number', default: 0.75, min: 0, max: 1, help: 'the step halves when the loss rose in at most this fraction of an interval' },
  seed: SEED_PARAM,
  norm: NORM_PARAM,
});

/** apgdTargetedAttack's options: {@link APGD_T_PARAMS}'s, the radius required. */
export type ApgdTargetedAttackOptions = AttackOptions<typeof APGD_T_PARAMS>;

/**
 * APGD-T examples in the L-infinity or L2 ball around x: `targets` x `restarts` runs of `steps` iterations
 * on the targeted DLR loss; each example returns a misclassified point when one was found, else its
 * highest-loss point. The model needs at least 4 classes.
 *
 * @example
 * const adv = apgdTargetedAttack(model, images, onehot, { epsilon: 0.1, targets: 9 });
 */
export function apgdTargetedAttack(model: Classifier, x: tf.Tensor4D, onehot: tf.Tensor2D, options: ApgdTargetedAttackOptions): tf.Tensor4D {
  const op = 'apgdTargetedAttack';
  checkAttackBatch(model, x, onehot, op);
  checkEpsilon(op, options.epsilon);
  const { steps, targets, restarts, rho, norm } = resolveTable(op, 'options', APGD_T_PARAMS, { ...options, seed: undefined });
  // The seed is not range-checked here: a batch's seed is the attack's plus the batch's start, wrapped to
  // 32 bits by the run.
  const seed = options.seed ?? 0;
  const classes = model.numClasses;
  if (classes < 4) throw new AdversarialArgumentError(op, 'logits', `must have at least 4 classes for the targeted DLR loss, the model has ${classes}`);
  if (targets > classes - 1) throw new AdversarialArgumentError(op, 'options.targets', `must be an integer in [1, ${classes - 1}] (the classes but the top one), got ${targets}`);
  const settings = { epsilon: options.epsilon, steps, rho, norm, clipMin: options.clipMin ?? 0, clipMax: options.clipMax ?? 1 };
  // The clean logits give the target order; run i is target k = 2 + floor(i / restarts), restart i % restarts.
  return apgdWorstOfRuns(model, x, onehot, settings, (cleanLogits) => {
    const order = tf.tidy(() => tf.topk(cleanLogits, targets + 1).indices as tf.Tensor2D);
    return {
      runs: targets * restarts,
      run: (i) => {
        const k = 2 + Math.floor(i / restarts);
        const target = tf.tidy(() => tf.cast(tf.oneHot(tf.reshape(tf.slice(order, [0, k - 1], [-1, 1]), [-1]) as tf.Tensor1D, classes), 'float32') as tf.Tensor2D);
        const loss: ApgdRunLoss = {
          mean: (logits) => tf.tidy(() => tf.mean(dlrTargetedLoss(logits, onehot, target)) as tf.Scalar),
          perExample: (logits) => dlrTargetedLoss(logits, onehot, target) as tf.Tensor1D,
        };
        return { loss, seed: seed + i, release: [target] };
      },
      dispose: () => order.dispose(),
    };
  });
}

export const apgdT = defineAttack({
  id: 'apgd-t',
  title: 'APGD-T',
  threat: 'linf',
  help: 'APGD on the targeted DLR loss, one run per target (the 2nd to (targets+1)th largest clean logit), L-inf or L2 (Croce and Hein 2020; 4+ classes)',
  params: APGD_T_PARAMS,
  derive: (p) => checkBallEpsilon('apgd-t', p),
  label: (p) => `APGD-T${p.norm === 'l2' ? '-L2' : ''}`,
  budget: (p) => ({ step_size: 2 * p.epsilon, random_start: true }),
  cost: (p) => ({ gradients: p.targets * (p.steps + 1) * p.restarts, queries: 1 }),
  run: (model, batch, p) => apgdTargetedAttack(model, batch.x, batch.onehot, p),
});
