// Batched attacks on a Classifier, on the device through the fused kernels: FGSM (untargeted or targeted)
// and PGD in the L-infinity ball (steps, step size, random start, restarts keeping each example's worst
// case). Inputs in [clipMin, clipMax]; labels one-hot. Nothing is read back.
import * as tf from '@tensorflow/tfjs-core';
import { softmaxCrossEntropy } from './engine/softmax_cross_entropy';
import type { Classifier } from './models/seed_cnn';
import { fgsmStep, pgdStep, randomStart } from './ops';
import { AdversarialArgumentError } from './validate';

export interface FgsmAttackOptions {
  epsilon: number;
  /** Step towards `targetOnehot` (lower its loss) instead of away from the true labels. */
  targetOnehot?: tf.Tensor2D;
  clipMin?: number;
  clipMax?: number;
}

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
  clipMin?: number;
  clipMax?: number;
}

/** Per-example softmax cross-entropy [batch]. */
export function perExampleLoss(logits: tf.Tensor2D, onehot: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1)) as tf.Tensor1D);
}

function check(model: Classifier, x: tf.Tensor, onehot: tf.Tensor, op: string): void {
  if (x.rank !== 4 || x.dtype !== 'float32') throw new AdversarialArgumentError(op, 'x', `must be a float32 tensor [batch, h, w, c], got ${x.dtype} [${x.shape}]`);
  if (onehot.rank !== 2 || onehot.shape[0] !== x.shape[0] || onehot.shape[1] !== model.numClasses) {
    throw new AdversarialArgumentError(op, 'onehot', `must be [${x.shape[0]}, ${model.numClasses}] (batch, the model's classes), got [${onehot.shape}]`);
  }
}

function checkEpsilon(op: string, epsilon: number): void {
  if (!(epsilon >= 0) || !Number.isFinite(epsilon)) throw new AdversarialArgumentError(op, 'options.epsilon', `must be a finite number >= 0, got ${epsilon}`);
}

const gradOf = (model: Classifier, labels: tf.Tensor2D) => tf.grad((images: tf.Tensor) => softmaxCrossEntropy(model.forward(images as tf.Tensor4D), labels));

/**
 * FGSM examples: clip(x + eps * sign(grad_x loss)), or towards a target class with `targetOnehot`.
 *
 * @example
 * const adv = fgsmAttack(model, images, onehot, { epsilon: 0.1 });
 */
export function fgsmAttack(model: Classifier, x: tf.Tensor4D, onehot: tf.Tensor2D, options: FgsmAttackOptions): tf.Tensor4D {
  check(model, x, onehot, 'fgsmAttack');
  checkEpsilon('fgsmAttack', options.epsilon);
  const target = options.targetOnehot;
  if (target && (target.rank !== 2 || !tf.util.arraysEqual(target.shape, onehot.shape))) {
    throw new AdversarialArgumentError('fgsmAttack', 'options.targetOnehot', `must have the labels' shape [${onehot.shape}], got [${target.shape}]`);
  }
  return tf.tidy(() => {
    const grad = gradOf(model, target ?? onehot)(x);
    return fgsmStep(x, grad, { epsilon: options.epsilon, targeted: target != null, clipMin: options.clipMin ?? 0, clipMax: options.clipMax ?? 1 }) as tf.Tensor4D;
  });
}

/**
 * PGD examples in the L-infinity ball around x: `restarts` runs of `steps` fused steps from random starts;
 * each example keeps the run with the highest final loss.
 *
 * @example
 * const adv = pgdAttack(model, images, onehot, { epsilon: 0.1, steps: 20, restarts: 2 });
 */
export function pgdAttack(model: Classifier, x: tf.Tensor4D, onehot: tf.Tensor2D, options: PgdAttackOptions): tf.Tensor4D {
  check(model, x, onehot, 'pgdAttack');
  checkEpsilon('pgdAttack', options.epsilon);
  const steps = options.steps ?? 20;
  const restarts = options.restarts ?? 1;
  const stepSize = options.stepSize ?? (2.5 * options.epsilon) / Math.max(1, steps);
  if (!Number.isInteger(steps) || steps < 0) throw new AdversarialArgumentError('pgdAttack', 'options.steps', `must be an integer >= 0, got ${steps}`);
  if (!Number.isInteger(restarts) || restarts < 1) throw new AdversarialArgumentError('pgdAttack', 'options.restarts', `must be an integer >= 1, got ${restarts}`);
  if (!(stepSize >= 0) || !Number.isFinite(stepSize)) throw new AdversarialArgumentError('pgdAttack', 'options.stepSize', `must be a finite number >= 0, got ${stepSize}`);
  const bounds = { clipMin: options.clipMin ?? 0, clipMax: options.clipMax ?? 1 };
  const grad = gradOf(model, onehot);
  const run = (r: number): tf.Tensor4D =>
    tf.tidy(() => {
      let adv = (options.randomStart ?? true) ? (randomStart(x, { epsilon: options.epsilon, seed: ((options.seed ?? 0) + r) >>> 0, ...bounds }) as tf.Tensor4D) : x.clone();
      for (let i = 0; i < steps; i++) {
        const next = tf.tidy(() => pgdStep(adv, x, grad(adv), { stepSize, epsilon: options.epsilon, ...bounds }) as tf.Tensor4D);
        adv.dispose();
        adv = next;
      }
      return adv;
    });
  let best = run(0);
  if (restarts === 1) return best;
  let bestLoss = tf.tidy(() => perExampleLoss(model.forward(best), onehot));
  for (let r = 1; r < restarts; r++) {
    const candidate = run(r);
    const [nextBest, nextLoss] = tf.tidy(() => {
      const loss = perExampleLoss(model.forward(candidate), onehot);
      const better = tf.greater(loss, bestLoss);
      const mask = tf.reshape(better, [x.shape[0], 1, 1, 1]);
      return [tf.where(tf.broadcastTo(mask, x.shape), candidate, best) as tf.Tensor4D, tf.where(better, loss, bestLoss) as tf.Tensor1D];
    });
    tf.dispose([best, bestLoss, candidate]);
    best = nextBest;
    bestLoss = nextLoss;
  }
  bestLoss.dispose();
  return best;
}
