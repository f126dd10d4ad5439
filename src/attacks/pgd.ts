// PGD (Madry et al. 2018) in the L-infinity ball: from a uniform random start, `steps` signed-gradient
// steps, each projected onto the eps-ball around x and clipped to [0, 1] in one fused kernel; in the L2 ball
// (`norm: 'l2'`): from a start on the eps-sphere, steps along grad / ||grad||, each projected onto the L2
// ball (x + d min(1, eps / ||d||)) and clipped (a row pass for the norms, one fused pass). With restarts,
// each example keeps the run with the highest final loss.
import * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '../models/classifier';
import { pgdStep, randomStart, type StepNorm } from '../kernels/ops/attack_ops';
import { AdversarialArgumentError } from '../core/validate';
import { BALL_EPSILON_PARAM, checkBallEpsilon, NORM_PARAM, SEED_PARAM, defineAttack } from './attack';
import { checkAttackBatch, checkEpsilon, checkStepNorm } from './checks';
import { ATTACK_LOSSES, LOSS_PARAM, lossGradient } from './losses';

export interface PgdAttackOptions {
  epsilon: number;
  /** Steps per restart (default 20). */
  steps?: number;
  /** Default 2.5 * epsilon / steps (Madry et al.). */
  stepSize?: number;
  /** Start from a uniform point of the eps-ball (default true). */
  randomStart?: boolean;
  /** Restarts; each example keeps the restart with the highest loss (default 1). */
  restarts?: number;
  /** Seed of the random starts (restart r uses seed + r). Default 0. */
  seed?: number;
  /** The loss maximised (default 'ce'). */
  loss?: string;
  /** The ball: 'linf' (default) or 'l2'. */
  norm?: StepNorm;
  clipMin?: number;
  clipMax?: number;
}

/**
 * PGD examples in the L-infinity or L2 ball around x: `restarts` runs of `steps` fused steps from random starts;
 * each example keeps the run with the highest final loss.
 *
 * @example
 * const adv = pgdAttack(model, images, onehot, { epsilon: 0.1, steps: 20, restarts: 2 });
 * const advL2 = pgdAttack(model, images, onehot, { epsilon: 1.5, norm: 'l2' });
 */
export function pgdAttack(model: Classifier, x: tf.Tensor4D, onehot: tf.Tensor2D, options: PgdAttackOptions): tf.Tensor4D {
  checkAttackBatch(model, x, onehot, 'pgdAttack');
  checkEpsilon('pgdAttack', options.epsilon);
  const steps = options.steps ?? 20;
  const restarts = options.restarts ?? 1;
  const stepSize = options.stepSize ?? (2.5 * options.epsilon) / Math.max(1, steps);
  if (!Number.isInteger(steps) || steps < 0) throw new AdversarialArgumentError('pgdAttack', 'options.steps', `must be an integer >= 0, got ${steps}`);
  if (!Number.isInteger(restarts) || restarts < 1) throw new AdversarialArgumentError('pgdAttack', 'options.restarts', `must be an integer >= 1, got ${restarts}`);
  if (!(stepSize >= 0) || !Number.isFinite(stepSize)) throw new AdversarialArgumentError('pgdAttack', 'options.stepSize', `must be a finite number >= 0, got ${stepSize}`);
  const loss = options.loss ?? 'ce';
  if (!ATTACK_LOSSES[loss]) throw new AdversarialArgumentError('pgdAttack', 'options.loss', `must be one of ${Object.keys(ATTACK_LOSSES).join(', ')}, got ${loss}`);
  const norm = checkStepNorm('pgdAttack', options.norm);
  const bounds = { clipMin: options.clipMin ?? 0, clipMax: options.clipMax ?? 1 };
  const grad = lossGradient((images) => model.forward(images), onehot, loss, norm === 'l2' ? 'sum' : 'mean');
  const run = (r: number): tf.Tensor4D =>
    tf.tidy(() => {
      let adv = (options.randomStart ?? true) ? (randomStart(x, { epsilon: options.epsilon, seed: ((options.seed ?? 0) + r) >>> 0, norm, ...bounds }) as tf.Tensor4D) : x.clone();
      for (let i = 0; i < steps; i++) {
        const next = tf.tidy(() => pgdStep(adv, x, grad(adv), { stepSize, epsilon: options.epsilon, norm, ...bounds }) as tf.Tensor4D);
        adv.dispose();
        adv = next;
      }
      return adv;
    });
  let best = run(0);
  if (restarts === 1) return best;
  const perExample = ATTACK_LOSSES[loss].perExample;
  // The loop owns `best` and `bestLoss`: an exception in a restart (a model that throws) releases them.
  let bestLoss: tf.Tensor1D | null = null;
  try {
    bestLoss = tf.tidy(() => perExample(model.forward(best), onehot));
    for (let r = 1; r < restarts; r++) {
      const candidate = run(r);
      try {
        const [nextBest, nextLoss] = tf.tidy(() => {
          const candidateLoss = perExample(model.forward(candidate), onehot);
          const better = tf.greater(candidateLoss, bestLoss!);
          const mask = tf.reshape(better, [x.shape[0], 1, 1, 1]);
          return [tf.where(tf.broadcastTo(mask, x.shape), candidate, best) as tf.Tensor4D, tf.where(better, candidateLoss, bestLoss!) as tf.Tensor1D];
        });
        tf.dispose([best, bestLoss]);
        best = nextBest;
        bestLoss = nextLoss;
      } finally {
        candidate.dispose();
      }
    }
    return best;
  } catch (err) {
    best.dispose();
    throw err;
  } finally {
    bestLoss?.dispose();
  }
}

export const pgd = defineAttack({
  id: 'pgd',
  title: 'PGD',
  threat: 'linf',
  help: 'projected gradient descent from a random start, L-inf or L2, restarts keeping the worst case (Madry et al. 2018)',
  params: {
    epsilon: BALL_EPSILON_PARAM,
    steps: { type: 'integer', default: 20, min: 1, max: 100_000, help: 'steps per restart' },
    stepSize: { type: 'number', default: null, min: 0, max: 1, help: 'step size (default 2.5 eps / steps)' },
    restarts: { type: 'integer', default: 1, min: 1, max: 1000, help: 'restarts; each example keeps the one with the highest loss' },
    randomStart: { type: 'boolean', default: true, help: 'start from a random point of the eps-ball (L-inf: uniform; L2: on its sphere)' },
    seed: SEED_PARAM,
    loss: LOSS_PARAM,
    norm: NORM_PARAM,
  },
  derive: (p) => checkBallEpsilon('pgd', { ...p, stepSize: p.stepSize ?? (2.5 * p.epsilon) / p.steps }),
  label: (p) => `PGD-${p.steps}${p.norm === 'l2' ? '-L2' : ''}`,
  cost: (p) => ({ gradients: p.steps * p.restarts, queries: p.restarts > 1 ? p.restarts : 0 }),
  run: (model, batch, p) =>
    pgdAttack(model, batch.x, batch.onehot, {
      epsilon: p.epsilon,
      steps: p.steps,
      stepSize: p.stepSize,
      restarts: p.restarts,
      randomStart: p.randomStart,
      seed: p.seed,
      loss: p.loss,
      norm: p.norm,
    }),
});
