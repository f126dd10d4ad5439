// The APGD iteration loop (Croce and Hein 2020, algorithm 1) that APGD (untargeted CE or DLR) and APGD-T
// (targeted DLR, one run per target class) share, in the L-infinity or the L2 ball:
// - from a random start, steps x_{k+1} = P(x_k + a (z_{k+1} - x_k) + (1 - a)(x_k - x_{k-1})), z_{k+1} =
//   P(x_k + eta d), d = sign(grad) (L-inf) or grad / ||grad|| (L2), a = 1 on the first step and 0.75 after,
//   eta = 2 eps at first, per example; one fused step (`apgdStep`) per iteration, and one fused pass
//   (`apgdUpdate`) for the large state it keeps (the misclassified point, the best point and gradient);
// - at each checkpoint (apgd_schedule.ts) an example's step size halves and it goes back to its best point
//   when the rule says so;
// - the best-loss point is kept per example; an example the model misclassifies at any step (any class,
//   also in a targeted run) keeps the misclassified point found.
// The per-example decisions run on the device as tensor ops, so the loop never waits for a read-back.
// `apgdWorstOfRuns`, the one core of both attacks, runs a list of runs (restarts, targets) and keeps each
// example's worst case: an attack gives only each run's loss and seed.
import { rowWhere } from './rows';
import * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '../models/classifier';
import { apgdStep, apgdUpdate, randomStart, type StepNorm } from '../kernels/ops/attack_ops';
import { apgdCheckpoints, apgdHalveStepMask } from './apgd_schedule';

/** The loss a run maximises, as functions of the logits (the labels and targets already bound). */
export interface ApgdRunLoss {
  /** The batch's mean: what the gradient is taken of. */
  mean(logits: tf.Tensor2D): tf.Scalar;
  /** Each example's loss [batch]. */
  perExample(logits: tf.Tensor2D): tf.Tensor1D;
}

/** What every run of one attack shares. */
export interface ApgdRunSettings {
  epsilon: number;
  steps: number;
  rho: number;
  norm: StepNorm;
  clipMin: number;
  clipMax: number;
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
  /** Misclassified at some step (or before the run), and the point where. */
  fooled: tf.Tensor1D;
  xFooled: tf.Tensor4D;
}

/** What a run leaves: the fooled flags and points (including those it was given), its best points and losses. */
export type ApgdRunOutcome = Pick<RunState, 'fooled' | 'xFooled' | 'xBest' | 'lossBest'>;

/**
 * One APGD run of `settings.steps` iterations from the random start of `seed` on the whole batch, `labels`
 * the true classes (what counts as fooled), `fooledBefore`/`xFooledBefore` the flags and points found so far
 * (kept; the caller still owns them).
 */
export function apgdRun(model: Classifier, x: tf.Tensor4D, labels: tf.Tensor1D, loss: ApgdRunLoss, settings: ApgdRunSettings, seed: number, fooledBefore: tf.Tensor1D, xFooledBefore: tf.Tensor4D): ApgdRunOutcome {
  const { epsilon, steps, rho, norm } = settings;
  const bounds = { clipMin: settings.clipMin, clipMax: settings.clipMax };
  const batch = x.shape[0];
  // The logits, per-example loss and gradient at `images`: one forward and one backward pass. L2 takes the
  // gradient of the sum, each example's own, as the reference does (its step divides by ||grad|| + 1e-12: a
  // confident example's tiny gradient, scaled down by the batch size, would barely move); L-inf's sign step
  // does not see the scale and keeps the mean's.
  const evaluate = (images: tf.Tensor4D) =>
    tf.tidy(() => {
      let logits: tf.Tensor2D | undefined;
      const grad = tf.grad((im: tf.Tensor) => {
        logits = tf.keep(model.forward(im as tf.Tensor4D));
        return norm === 'l2' ? tf.mul(loss.mean(logits), batch) : loss.mean(logits);
      })(images) as tf.Tensor4D;
      const kept = logits!;
      const perExample = loss.perExample(kept);
      const wrong = tf.notEqual(tf.argMax(kept, 1), labels) as tf.Tensor1D;
      kept.dispose();
      return { grad, loss: perExample, wrong };
    });
  const checkpoints = new Map(apgdCheckpoints(steps).map((c) => [c.at, c.length]));

  const s = {} as RunState;
  const set = <K extends keyof RunState>(key: K, value: RunState[K]) => {
    const old = s[key];
    s[key] = value;
    if (old && old !== value && !Object.values(s).includes(old)) old.dispose();
  };
  try {
    const start = randomStart(x, { epsilon, seed: seed >>> 0, norm, ...bounds }) as tf.Tensor4D;
    s.xCur = start;
    const first = evaluate(start);
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
      const next = apgdStep(s.xCur, s.xPrev, x, s.grad, s.stepSize, { epsilon, momentum: i === 0 ? 1 : 0.75, norm, ...bounds }) as tf.Tensor4D;
      set('xPrev', s.xCur);
      set('xCur', next);
      const e = evaluate(next);
      set('grad', e.grad);
      set('increases', tf.tidy(() => tf.add(s.increases, tf.cast(tf.greater(e.loss, s.loss), 'float32'))));
      set('loss', e.loss);
      set('fooled', tf.logicalOr(s.fooled, e.wrong) as tf.Tensor1D);
      // The misclassified point, the best point and its gradient: one fused pass over the batch.
      const [xFooled, xBest, gradBest] = tf.tidy(() => apgdUpdate(next, e.grad, s.xFooled, s.xBest, s.gradBest, e.loss, s.lossBest, e.wrong) as tf.Tensor4D[]);
      e.wrong.dispose();
      set('xFooled', xFooled);
      set('xBest', xBest);
      set('gradBest', gradBest);
      set('lossBest', tf.tidy(() => tf.where(tf.greater(e.loss, s.lossBest), e.loss, s.lossBest) as tf.Tensor1D));
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
  } catch (err) {
    // A model that throws mid-run: release the run's state (the caller's tensors are not in it).
    tf.dispose([...new Set(Object.values(s))]);
    throw err;
  }
  const outcome: ApgdRunOutcome = { fooled: s.fooled, xFooled: s.xFooled, xBest: s.xBest, lossBest: s.lossBest };
  const kept = new Set<tf.Tensor>(Object.values(outcome));
  tf.dispose([...new Set(Object.values(s))].filter((t) => !kept.has(t)));
  return outcome;
}

/**
 * Each example's worst case over runs: a misclassified point once any run found one (the clean point when
 * the model already misclassifies it), else the highest-loss point of any run.
 */
class ApgdWorstCase {
  fooled: tf.Tensor1D;
  xFooled: tf.Tensor4D;
  private xBest: tf.Tensor4D | null = null;
  private lossBest: tf.Tensor1D | null = null;

  /** `clean`: the examples the model misclassifies as they are (taken over). */
  constructor(x: tf.Tensor4D, clean: tf.Tensor1D) {
    this.fooled = clean;
    this.xFooled = x.clone();
  }

  /** Takes over a run's outcome (whose fooled flags already include this one's). */
  absorb(run: ApgdRunOutcome): void {
    tf.dispose([this.fooled, this.xFooled]);
    this.fooled = run.fooled;
    this.xFooled = run.xFooled;
    if (this.xBest === null || this.lossBest === null) {
      this.xBest = run.xBest;
      this.lossBest = run.lossBest;
      return;
    }
    const better = tf.greater(run.lossBest, this.lossBest) as tf.Tensor1D;
    const nextBest = rowWhere(better, run.xBest, this.xBest);
    const nextLoss = tf.where(better, run.lossBest, this.lossBest) as tf.Tensor1D;
    tf.dispose([better, this.xBest, this.lossBest, run.xBest, run.lossBest]);
    this.xBest = nextBest;
    this.lossBest = nextLoss;
  }

  /** The adversarial batch (a new tensor); releases the rest. Needs at least one run absorbed. */
  finish(): tf.Tensor4D {
    const out = rowWhere(this.fooled, this.xFooled, this.xBest!);
    this.dispose();
    return out;
  }

  dispose(): void {
    tf.dispose([this.fooled, this.xFooled, ...(this.xBest ? [this.xBest] : []), ...(this.lossBest ? [this.lossBest] : [])]);
  }
}

/** One run of {@link apgdWorstOfRuns}: the loss it maximises, its random start's seed, what to release after it. */
export interface ApgdRunPlan {
  loss: ApgdRunLoss;
  seed: number;
  release?: tf.Tensor[];
}

/**
 * The runs of an attack, planned from the clean logits (APGD-T picks its targets there): `runs` runs, the
 * i-th given by `run(i)`; `dispose` releases what the plan holds for all of them.
 */
export interface ApgdPlan {
  runs: number;
  run(i: number): ApgdRunPlan;
  dispose?(): void;
}

/**
 * APGD's core, shared by APGD and APGD-T: the clean logits (an example misclassified already counts as
 * fooled at x), then each planned run on the whole batch, each example keeping a misclassified point once
 * one was found, else its highest-loss point over all runs. Releases everything but the result, also on
 * an error.
 *
 * @example
 * const adv = apgdWorstOfRuns(model, x, onehot, settings, () => ({ runs: restarts, run: (r) => ({ loss, seed: seed + r }) }));
 */
export function apgdWorstOfRuns(model: Classifier, x: tf.Tensor4D, onehot: tf.Tensor2D, settings: ApgdRunSettings, plan: (cleanLogits: tf.Tensor2D) => ApgdPlan): tf.Tensor4D {
  const labels = tf.tidy(() => tf.argMax(onehot, 1)) as tf.Tensor1D;
  const cleanLogits = tf.tidy(() => model.forward(x));
  let worst: ApgdWorstCase | null = null;
  let planned: ApgdPlan | null = null;
  try {
    worst = new ApgdWorstCase(x, tf.tidy(() => tf.notEqual(tf.argMax(cleanLogits, 1), labels) as tf.Tensor1D));
    planned = plan(cleanLogits);
    for (let i = 0; i < planned.runs; i++) {
      const run = planned.run(i);
      try {
        worst.absorb(apgdRun(model, x, labels, run.loss, settings, run.seed, worst.fooled, worst.xFooled));
      } finally {
        tf.dispose(run.release ?? []);
      }
    }
    const out = worst.finish();
    worst = null;
    return out;
  } finally {
    worst?.dispose();
    planned?.dispose?.();
    tf.dispose([labels, cleanLogits]);
  }
}
