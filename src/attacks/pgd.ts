// PGD (Madry et al. 2018) in the L-infinity ball: from a uniform random start, `steps` signed-gradient
// steps, each projected onto the eps-ball around x and clipped to [0, 1] in one fused kernel; in the L2 ball
// (`norm: 'l2'`): from a start on the eps-sphere, steps along grad / ||grad||, each projected onto the L2
// ball (x + d min(1, eps / ||d||)) and clipped (a row pass for the norms, one fused pass). With restarts,
// each example keeps the run with the highest final loss.
import * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '../models/classifier';
import { pgdStep, randomStart } from '../kernels/ops/attack_ops';
import { paramTable, resolveTable } from '../core/params';
import { BALL_EPSILON_PARAM, checkBallEpsilon, NORM_PARAM, SEED_PARAM, defineAttack, type AttackOptions } from './attack';
import { checkAttackBatch, checkEpsilon } from './checks';
import { ATTACK_LOSSES, LOSS_PARAM, lossGradient } from './losses';

/** The parameters, declared once for the public function and the table entry. */
const PGD_PARAMS = paramTable({
  epsilon: BALL_EPSILON_PARAM,
  steps: { type: 'integer', default: 20, min: 1, max: 100_000, help: 'steps per restart' },
  stepSize: { type: 'number', default: null, min: 0, max: 1000, help: 'step size (default 2.5 eps / steps; L2: a length)' },
  restarts: { type: 'integer', default: 1, min: 1, max: 1000, help: 'restarts; each example keeps the one with the highest loss' },
  randomStart: { type: 'boolean', default: true, help: 'start from a random point of the eps-ball (L-inf: uniform; L2: on its sphere)' },
  seed: SEED_PARAM,
  loss: LOSS_PARAM,
  norm: NORM_PARAM,
});

/** Madry et al.'s step size: 2.5 eps / steps. */
const defaultStepSize = (epsilon: number, steps: number): number => (2.5 * epsilon) / steps;

/** pgdAttack's options: {@link PGD_PARAMS}'s, the radius required (restart r starts from seed + r). */
export type PgdAttackOptions = AttackOptions<typeof PGD_PARAMS>;

/**
 * PGD examples in the L-infinity or L2 ball around x: `restarts` runs of `steps` fused steps from random starts;
 * each example keeps the run with the highest final loss.
 *
 * @example
 * const adv = pgdAttack(model, images, onehot, { epsilon: 0.1, steps: 20, restarts: 2 });
 * const advL2 = pgdAttack(model, images, onehot, { epsilon: 1.5, norm: 'l2' });
 */
export function pgdAttack(model: Classifier, x: tf.Tensor4D, onehot: tf.Tensor2D, options: PgdAttackOptions): tf.Tensor4D {
  const op = 'pgdAttack';
  checkAttackBatch(model, x, onehot, op);
  checkEpsilon(op, options.epsilon);
  // The seed is not range-checked here: a batch's seed is the attack's plus the batch's start, wrapped to
  // 32 bits below.
  const { steps, restarts, randomStart: fromRandom, loss, norm, ...given } = resolveTable(op, 'options', PGD_PARAMS, { ...options, seed: undefined });
  const stepSize = given.stepSize ?? defaultStepSize(options.epsilon, steps);
  const seed = options.seed ?? 0;
  const bounds = { clipMin: options.clipMin ?? 0, clipMax: options.clipMax ?? 1 };
  const grad = lossGradient((images) => model.forward(images), onehot, loss, norm === 'l2' ? 'sum' : 'mean');
  const run = (r: number): tf.Tensor4D =>
    tf.tidy(() => {
      let adv = fromRandom ? (randomStart(x, { epsilon: options.epsilon, seed: (seed + r) >>> 0, norm, ...bounds }) as tf.Tensor4D) : x.clone();
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
  params: PGD_PARAMS,
  derive: (p) => checkBallEpsilon('pgd', { ...p, stepSize: p.stepSize ?? defaultStepSize(p.epsilon, p.steps) }),
  label: (p) => `PGD-${p.steps}${p.norm === 'l2' ? '-L2' : ''}`,
  cost: (p) => ({ gradients: p.steps * p.restarts, queries: p.restarts > 1 ? p.restarts : 0 }),
  run: (model, batch, p) => pgdAttack(model, batch.x, batch.onehot, p),
});
