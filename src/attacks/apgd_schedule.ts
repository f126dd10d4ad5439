// APGD's step-size schedule (Croce and Hein 2020, algorithm 1), as pure functions with a device twin: the
// checkpoints w_j = ceil(p_j N), p_0 = 0, p_1 = 0.22, p_{j+1} = p_j + max(p_j - p_{j-1} - 0.03, 0.06) (rounded
// down as the reference implementation does), and the rule that halves an example's step at a checkpoint.
import * as tf from '@tensorflow/tfjs-core';

/** One checkpoint: after iteration `at` (0-based), closing an interval of `length` iterations. */
export interface ApgdCheckpoint {
  at: number;
  length: number;
}

/**
 * The checkpoints of an N-iteration run: intervals of floor(0.22 N), then 0.03 N shorter each time
 * (floor, at least 1) down to floor(0.06 N) (at least 1), as long as they fit in N.
 *
 * @example
 * apgdCheckpoints(100).map((c) => c.at); // [21, 40, 56, 69, 79, 86, 92, 98]
 */
export function apgdCheckpoints(steps: number): ApgdCheckpoint[] {
  const first = Math.max(Math.floor(0.22 * steps), 1);
  const shrink = Math.max(Math.floor(0.03 * steps), 1);
  const shortest = Math.max(Math.floor(0.06 * steps), 1);
  const out: ApgdCheckpoint[] = [];
  let length = first;
  let end = length;
  while (end <= steps) {
    out.push({ at: end - 1, length });
    length = Math.max(length - shrink, shortest);
    end += length;
  }
  return out;
}

/** The number of steps in `losses` (a loss history, the interval's start first) where the loss rose. */
export function countIncreases(losses: ArrayLike<number>): number {
  let n = 0;
  for (let i = 1; i < losses.length; i++) if (losses[i] > losses[i - 1]) n++;
  return n;
}

/** What a checkpoint knows of one example. */
export interface ApgdCheckpointState {
  /** Steps of the interval where the loss rose. */
  increases: number;
  /** The interval's length. */
  length: number;
  /** The best loss now, and at the last checkpoint (at the start for the first). */
  bestLoss: number;
  bestLossAtLastCheck: number;
  /** The step size was halved at the last checkpoint (true before the first, so that rule waits). */
  reducedAtLastCheck: boolean;
}

/**
 * The checkpoint rule for one example: halve the step (and go back to the best point) when the loss
 * rose in at most `rho` of the interval's steps, or when the step was not halved last time and the
 * best loss has not improved since.
 *
 * @example
 * apgdHalveStep({ increases: 10, length: 22, bestLoss: 2, bestLossAtLastCheck: 1, reducedAtLastCheck: true }, 0.75); // true
 */
export function apgdHalveStep(s: ApgdCheckpointState, rho = 0.75): boolean {
  const oscillating = s.increases <= s.length * rho;
  const stalled = !s.reducedAtLastCheck && s.bestLossAtLastCheck >= s.bestLoss;
  return oscillating || stalled;
}

/** {@link apgdHalveStep} on tensors of the batch (the loop's device-side twin): a bool [batch]. */
export function apgdHalveStepMask(increases: tf.Tensor1D, length: number, bestLoss: tf.Tensor1D, bestLossAtLastCheck: tf.Tensor1D, reducedAtLastCheck: tf.Tensor1D, rho = 0.75): tf.Tensor1D {
  return tf.tidy(() => {
    const oscillating = tf.lessEqual(increases, tf.scalar(length * rho));
    const stalled = tf.logicalAnd(tf.logicalNot(reducedAtLastCheck), tf.greaterEqual(bestLossAtLastCheck, bestLoss));
    return tf.logicalOr(oscillating, stalled) as tf.Tensor1D;
  });
}
