// APGD in the L-infinity ball (Croce and Hein, "Reliable evaluation of adversarial robustness with an
// ensemble of diverse parameter-free attacks", ICML 2020), untargeted, with the CE or the DLR loss; the
// first attacks of AutoAttack. Written from the paper's algorithm 1:
// - from a uniform random start, steps x_{k+1} = P(x_k + a (z_{k+1} - x_k) + (1 - a)(x_k - x_{k-1})),
//   z_{k+1} = P(x_k + eta sign(grad)), a = 1 on the first step and 0.75 after, eta = 2 eps at first, per
//   example; one fused kernel (`apgdStep`) per step;
// - checkpoints w_j = ceil(p_j N), p_0 = 0, p_1 = 0.22, p_{j+1} = p_j + max(p_j - p_{j-1} - 0.03, 0.06)
//   (intervals 0.22 N, then 0.03 N shorter each time, down to 0.06 N, rounded down as the reference
//   implementation does); at each, an example's step size halves and it restarts from its best point
//   when its loss rose in at most rho of the interval's steps, or when its step was not halved at the
//   last checkpoint and its best loss has not improved since;
// - the best-loss point is kept per example; an example the model misclassifies at any step keeps the
//   misclassified point found. Restarts (seed + r) keep each example's worst case.
// The schedule is fixed by N (plain TypeScript); the per-example decisions run on the device as tensor
// ops, so the loop never waits for a read-back (webgpu in Node has no synchronous read-back).
// Differences from the reference implementation (fra31/auto-attack): the random start is uniform in the
// ball (the reference rescales each example's noise so that its largest coordinate is exactly eps); the
// first interval compares its first step with the starting point's loss (the reference compares it with
// zero); every restart runs on the whole batch (the reference reruns only the points still robust); a
// robust example returns its highest-loss point (the reference returns the clean point).
import * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '../models/seed_cnn';
import { apgdStep, randomStart } from '../ops';
import { AdversarialArgumentError } from '../validate';
import { EPSILON_PARAM, SEED_PARAM, type AttackDefinition } from './attack';
import { checkAttackBatch, checkEpsilon } from './checks';
import { ATTACK_LOSSES, LOSS_PARAM } from './losses';

export interface ApgdAttackOptions {
  epsilon: number;
  /** Iterations N per restart (default 100). */
  steps?: number;
  /** Restarts; each example keeps its worst case (default 1). */
  restarts?: number;
  /** 'ce' or 'dlr' (default 'ce'); DLR needs 3 or more classes. */
  loss?: string;
  /** The fraction of an interval's steps that must raise the loss for the step size to stay (default 0.75). */
  rho?: number;
  /** Seed of the random starts (restart r uses seed + r). Default 0. */
  seed?: number;
  clipMin?: number;
  clipMax?: number;
}

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

/** The per-example state of one run, all on the device. */
interface RunState {
  xCur: tf.Tensor4D;
  xPrev: tf.Tensor4D;
  grad: tf.Tensor4D;
  loss: tf.Tensor1D;
  xBest: tf.Tensor4D;
  gradBest: tf.Tensor4D;
  lossBest: tf.Tensor1D;
  stepSize: tf.Tensor1D;
  increases: tf.Tensor1D;
  lossBestAtLastCheck: tf.Tensor1D;
  reducedAtLastCheck: tf.Tensor1D;
  /** Misclassified at some step (or clean), and the point where. */
  fooled: tf.Tensor1D;
  xFooled: tf.Tensor4D;
}

/** Rows of `mask` [batch] broadcast over an NHWC batch. */
const rowWhere = (mask: tf.Tensor1D, a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D =>
  tf.tidy(() => tf.where(tf.broadcastTo(tf.reshape(mask, [a.shape[0], 1, 1, 1]), a.shape), a, b) as tf.Tensor4D);

/**
 * APGD examples in the L-infinity ball around x (untargeted): `restarts` runs of `steps` iterations;
 * each example returns a misclassified point when one was found, else its highest-loss point.
 *
 * @example
 * const adv = apgdAttack(model, images, onehot, { epsilon: 0.1, loss: 'dlr' });
 */
export function apgdAttack(model: Classifier, x: tf.Tensor4D, onehot: tf.Tensor2D, options: ApgdAttackOptions): tf.Tensor4D {
  const op = 'apgdAttack';
  checkAttackBatch(model, x, onehot, op);
  checkEpsilon(op, options.epsilon);
  const steps = options.steps ?? 100;
  const restarts = options.restarts ?? 1;
  const rho = options.rho ?? 0.75;
  const loss = options.loss ?? 'ce';
  if (!Number.isInteger(steps) || steps < 0) throw new AdversarialArgumentError(op, 'options.steps', `must be an integer >= 0, got ${steps}`);
  if (!Number.isInteger(restarts) || restarts < 1) throw new AdversarialArgumentError(op, 'options.restarts', `must be an integer >= 1, got ${restarts}`);
  if (!(rho >= 0 && rho <= 1)) throw new AdversarialArgumentError(op, 'options.rho', `must be a number in [0, 1], got ${rho}`);
  if (loss !== 'ce' && loss !== 'dlr') throw new AdversarialArgumentError(op, 'options.loss', `must be ce or dlr, got ${loss}`);
  if (loss === 'dlr' && model.numClasses < 3) {
    throw new AdversarialArgumentError(op, 'logits', `must have at least 3 classes for the DLR loss, the model has ${model.numClasses}`);
  }
  const epsilon = options.epsilon;
  const bounds = { clipMin: options.clipMin ?? 0, clipMax: options.clipMax ?? 1 };
  const lossDef = ATTACK_LOSSES[loss];
  const batch = x.shape[0];
  const labels = tf.tidy(() => tf.argMax(onehot, 1));

  // The logits, per-example loss and d(mean loss)/dx at `images`: one forward and one backward pass.
  const evaluate = (images: tf.Tensor4D) =>
    tf.tidy(() => {
      let logits: tf.Tensor2D | undefined;
      const grad = tf.grad((im: tf.Tensor) => {
        logits = tf.keep(model.forward(im as tf.Tensor4D));
        return lossDef.mean(logits, onehot);
      })(images) as tf.Tensor4D;
      const kept = logits!;
      const perExample = lossDef.perExample(kept, onehot);
      const wrong = tf.notEqual(tf.argMax(kept, 1), labels) as tf.Tensor1D;
      kept.dispose();
      return { grad, loss: perExample, wrong };
    });

  const checkpoints = new Map(apgdCheckpoints(steps).map((c) => [c.at, c.length]));
  const clean = tf.tidy(() => tf.notEqual(tf.argMax(model.forward(x), 1), labels) as tf.Tensor1D);

  const run = (r: number, fooledBefore: tf.Tensor1D, xFooledBefore: tf.Tensor4D): RunState => {
    const s = {} as RunState;
    const set = <K extends keyof RunState>(key: K, value: RunState[K]) => {
      const old = s[key];
      s[key] = value;
      if (old && old !== value && !Object.values(s).includes(old)) old.dispose();
    };
    const start = randomStart(x, { epsilon, seed: ((options.seed ?? 0) + r) >>> 0, ...bounds }) as tf.Tensor4D;
    const first = evaluate(start);
    s.xCur = start;
    s.xPrev = start;
    s.grad = first.grad;
    s.loss = first.loss;
    s.xBest = start;
    s.gradBest = first.grad;
    s.lossBest = first.loss;
    s.stepSize = tf.fill([batch], 2 * epsilon) as tf.Tensor1D;
    s.increases = tf.zeros([batch]) as tf.Tensor1D;
    s.lossBestAtLastCheck = first.loss;
    s.reducedAtLastCheck = tf.ones([batch], 'bool') as tf.Tensor1D;
    s.fooled = tf.logicalOr(fooledBefore, first.wrong) as tf.Tensor1D;
    s.xFooled = rowWhere(first.wrong, start, xFooledBefore);
    first.wrong.dispose();
    for (let i = 0; i < steps; i++) {
      const next = apgdStep(s.xCur, s.xPrev, x, s.grad, s.stepSize, { epsilon, momentum: i === 0 ? 1 : 0.75, ...bounds }) as tf.Tensor4D;
      set('xPrev', s.xCur);
      set('xCur', next);
      const e = evaluate(next);
      set('grad', e.grad);
      set('increases', tf.tidy(() => tf.add(s.increases, tf.cast(tf.greater(e.loss, s.loss), 'float32'))));
      set('loss', e.loss);
      set('fooled', tf.logicalOr(s.fooled, e.wrong) as tf.Tensor1D);
      set('xFooled', rowWhere(e.wrong, next, s.xFooled));
      e.wrong.dispose();
      const improved = tf.greater(e.loss, s.lossBest) as tf.Tensor1D;
      set('xBest', rowWhere(improved, next, s.xBest));
      set('gradBest', rowWhere(improved, e.grad, s.gradBest));
      set('lossBest', tf.where(improved, e.loss, s.lossBest) as tf.Tensor1D);
      improved.dispose();
      const length = checkpoints.get(i);
      if (length !== undefined) {
        const halve = apgdHalveStepMask(s.increases, length, s.lossBest, s.lossBestAtLastCheck, s.reducedAtLastCheck, rho);
        set('stepSize', tf.tidy(() => tf.where(halve, tf.div(s.stepSize, 2), s.stepSize) as tf.Tensor1D));
        set('xCur', rowWhere(halve, s.xBest, s.xCur));
        set('grad', rowWhere(halve, s.gradBest, s.grad));
        set('reducedAtLastCheck', halve);
        set('lossBestAtLastCheck', s.lossBest);
        set('increases', tf.zeros([batch]) as tf.Tensor1D);
      }
    }
    return s;
  };

  let fooled = clean;
  let xFooled = x.clone();
  let xBest: tf.Tensor4D | null = null;
  let lossBest: tf.Tensor1D | null = null;
  for (let r = 0; r < restarts; r++) {
    const s = run(r, fooled, xFooled);
    tf.dispose([fooled, xFooled]);
    fooled = s.fooled;
    xFooled = s.xFooled;
    if (xBest === null || lossBest === null) {
      xBest = s.xBest;
      lossBest = s.lossBest;
    } else {
      const better = tf.greater(s.lossBest, lossBest) as tf.Tensor1D;
      const nextBest = rowWhere(better, s.xBest, xBest);
      const nextLoss = tf.where(better, s.lossBest, lossBest) as tf.Tensor1D;
      tf.dispose([better, xBest, lossBest, s.xBest, s.lossBest]);
      xBest = nextBest;
      lossBest = nextLoss;
    }
    const kept = new Set<tf.Tensor>([s.fooled, s.xFooled, s.xBest, s.lossBest]);
    tf.dispose([...new Set(Object.values(s))].filter((t) => !kept.has(t)));
  }
  const out = rowWhere(fooled, xFooled, xBest!);
  tf.dispose([fooled, xFooled, xBest!, lossBest!, labels]);
  return out;
}

export const apgd: AttackDefinition = {
  id: 'apgd',
  title: 'APGD',
  threat: 'linf',
  help: 'auto-PGD: step-size schedule from checkpoints, momentum, CE or DLR loss (Croce and Hein 2020)',
  params: {
    epsilon: EPSILON_PARAM,
    steps: { type: 'integer', default: 100, min: 1, max: 100_000, help: 'iterations per restart' },
    restarts: { type: 'integer', default: 1, min: 1, max: 1000, help: 'restarts; each example keeps its worst case' },
    loss: { ...LOSS_PARAM, choices: ['ce', 'dlr'], help: 'ce (softmax cross-entropy) or dlr (difference of logits ratio, 3+ classes)' },
    rho: { type: 'number', default: 0.75, min: 0, max: 1, help: 'the step halves when the loss rose in at most this fraction of an interval' },
    seed: SEED_PARAM,
  },
  label: (p) => (p.loss === 'dlr' ? 'APGD-DLR' : 'APGD-CE'),
  budget: (p) => ({ step_size: 2 * (p.epsilon as number), random_start: true }),
  cost: (p) => ({ gradients: ((p.steps as number) + 1) * (p.restarts as number), queries: 1 }),
  run: (model, batch, p) =>
    apgdAttack(model, batch.x, batch.onehot, {
      epsilon: p.epsilon as number,
      steps: p.steps as number,
      restarts: p.restarts as number,
      loss: p.loss as string,
      rho: p.rho as number,
      seed: p.seed as number,
    }),
};
