// The public attack ops: check arguments, then run the fused kernel where the backend has one (webgpu, cpu)
// and the stock-op composition elsewhere.
import { engine, getBackend, getKernel, tidy, type NamedTensorMap, type Tensor } from '@tensorflow/tfjs-core';
import { apgdStepComposed, dlrLossComposed, fgsmStepComposed, pgdStepComposed, randomStartComposed } from '../composed/linf';
import { apgdStepL2Composed, apgdUpdateComposed, dlrTargetedLossComposed, pgdStepL2Composed, randomStartL2Composed } from '../composed/l2';
import {
  ApgdStep,
  ApgdStepL2,
  ApgdUpdate,
  DlrLoss,
  DlrTargetedLoss,
  PgdStepL2,
  RandomStartL2,
  FgsmStep,
  type ApgdStepAttrs,
  PgdStep,
  RandomStart,
  type FgsmStepAttrs,
  type PgdStepAttrs,
  type RandomStartAttrs,
} from '../names';
import { registerAttackKernels } from '../register';
import {
  checkBoolean,
  checkClipBounds,
  checkFloatTensor,
  checkNumber,
  checkOptions,
  checkSameShape,
  checkSeed,
  AdversarialArgumentError,
} from '../../core/validate';

/** Options of {@link fgsmStep}. */
export interface FgsmStepOptions {
  /** Step size, >= 0. */
  epsilon: number;
  /** Lower bound of valid inputs (default 0). */
  clipMin?: number;
  /** Upper bound of valid inputs (default 1). */
  clipMax?: number;
  /** Step down the loss (towards a target class) instead of up (default false). */
  targeted?: boolean;
}

/** The ball of a step or start: L-infinity (per element) or L2 (per example: over all but the first axis). */
export type StepNorm = 'linf' | 'l2';

/** Options of {@link pgdStep}. */
export interface PgdStepOptions {
  /** Step size of this iteration, >= 0. */
  stepSize: number;
  /** Radius of the ball around x0, >= 0. */
  epsilon: number;
  /** 'linf' (default: a signed step, the box projection) or 'l2' (a normalised step, the L2 projection per example). */
  norm?: StepNorm;
  clipMin?: number;
  clipMax?: number;
}

/** Options of {@link randomStart}. */
export interface RandomStartOptions {
  /** Half-width of the uniform noise, >= 0. */
  epsilon: number;
  /** 32-bit unsigned seed; one seed gives one result on every backend and runtime. Default: drawn at random. */
  seed?: number;
  /** 'linf' (default: uniform noise per element) or 'l2' (a point on the sphere of radius epsilon per example). */
  norm?: StepNorm;
  clipMin?: number;
  clipMax?: number;
}

/** `norm` checked: 'linf' (the default) or 'l2'; an L2 op also needs a first axis (the examples). */
function checkNorm(op: string, norm: unknown, x: Tensor, xName: string): StepNorm {
  const n = norm ?? 'linf';
  if (n !== 'linf' && n !== 'l2') throw new AdversarialArgumentError(op, 'options.norm', `must be linf or l2, got ${JSON.stringify(n)}`);
  if (n === 'l2' && x.rank < 1) throw new AdversarialArgumentError(op, xName, 'must have a first axis (the examples) for the L2 ball, got a scalar');
  return n;
}

export function runAttackKernel(kernelName: string, inputs: NamedTensorMap, attrs: object, composed: () => Tensor): Tensor {
  registerAttackKernels();
  if (getKernel(kernelName, getBackend()) != null) {
    return engine().runKernel(kernelName, inputs, attrs as Record<string, number | boolean>) as Tensor;
  }
  return tidy(composed);
}

/**
 * One FGSM step in one fused pass: `clamp(x + epsilon * sign(grad), clipMin, clipMax)`
 * (`x - epsilon * sign(grad)` when `targeted`). A NaN gradient element makes no step; NaN in x stays NaN.
 *
 * @example
 * const grad = tf.grad((x) => tf.losses.softmaxCrossEntropy(labels, model.predict(x)))(images);
 * const adversarial = fgsmStep(images, grad, {epsilon: 0.1});
 */
export function fgsmStep(x: Tensor, grad: Tensor, options: FgsmStepOptions): Tensor {
  const op = 'fgsmStep';
  checkFloatTensor(op, 'x', x);
  checkSameShape(op, 'grad', grad, 'x', x);
  const o = checkOptions(op, options, ['epsilon', 'clipMin', 'clipMax', 'targeted']);
  const attrs: FgsmStepAttrs = {
    epsilon: checkNumber(op, 'options.epsilon', o.epsilon, 0),
    ...checkClipBounds(op, o.clipMin ?? 0, o.clipMax ?? 1),
    targeted: checkBoolean(op, 'options.targeted', o.targeted ?? false),
  };
  return runAttackKernel(FgsmStep, { x, grad }, attrs, () => fgsmStepComposed(x, grad, attrs));
}

/**
 * One PGD step in one fused pass: the signed-gradient step, the projection onto the L-infinity ball of
 * radius `epsilon` around `x0`, and the box clip:
 * `clamp(clamp(xAdv + stepSize * sign(grad), x0 - epsilon, x0 + epsilon), clipMin, clipMax)`.
 * A NaN gradient element makes no step; NaN in xAdv or x0 gives NaN.
 * With `norm: 'l2'`, per example (a row pass for the norms, then one fused pass):
 * `d = xAdv + stepSize * grad / (||grad|| + 1e-12) - x0`, `clamp(x0 + d * min(1, epsilon / ||d||))`; a NaN
 * gradient element counts as 0, NaN in xAdv or x0 makes the example NaN. (FGM: xAdv = x0, stepSize = epsilon.)
 *
 * @example
 * let xAdv = randomStart(x0, {epsilon: 0.1, seed: 7});
 * for (let i = 0; i < 20; i++) {
 *   const grad = lossGrad(xAdv);
 *   const next = pgdStep(xAdv, x0, grad, {stepSize: 0.0125, epsilon: 0.1});
 *   xAdv.dispose(); grad.dispose(); xAdv = next;
 * }
 */
export function pgdStep(xAdv: Tensor, x0: Tensor, grad: Tensor, options: PgdStepOptions): Tensor {
  const op = 'pgdStep';
  checkFloatTensor(op, 'xAdv', xAdv);
  checkSameShape(op, 'x0', x0, 'xAdv', xAdv);
  checkSameShape(op, 'grad', grad, 'xAdv', xAdv);
  const o = checkOptions(op, options, ['stepSize', 'epsilon', 'norm', 'clipMin', 'clipMax']);
  const attrs: PgdStepAttrs = {
    stepSize: checkNumber(op, 'options.stepSize', o.stepSize, 0),
    epsilon: checkNumber(op, 'options.epsilon', o.epsilon, 0),
    ...checkClipBounds(op, o.clipMin ?? 0, o.clipMax ?? 1),
  };
  if (checkNorm(op, o.norm, xAdv, 'xAdv') === 'l2') return runAttackKernel(PgdStepL2, { xAdv, x0, grad }, attrs, () => pgdStepL2Composed(xAdv, x0, grad, attrs));
  return runAttackKernel(PgdStep, { xAdv, x0, grad }, attrs, () => pgdStepComposed(xAdv, x0, grad, attrs));
}

/**
 * A random start in the L-infinity ball: `clamp(x + u, clipMin, clipMax)`, `u ~ U(-epsilon, epsilon)` (within [-epsilon, epsilon] after float32 rounding) drawn
 * on the GPU by a counter-based generator (PCG hash of the element index and the seed). The CPU kernel
 * draws the same numbers, so one seed gives one result on every backend and runtime.
 * With `norm: 'l2'` (the reference's L2 start): `clamp(x + epsilon * t / ||t||)` per example, t near-normal
 * noise from the same generator (a sum of four uniforms), so the start lies on the sphere before the clip.
 *
 * @example
 * const start = randomStart(images, {epsilon: 0.1, seed: 42});
 */
export function randomStart(x: Tensor, options: RandomStartOptions): Tensor {
  const op = 'randomStart';
  checkFloatTensor(op, 'x', x);
  const o = checkOptions(op, options, ['epsilon', 'seed', 'norm', 'clipMin', 'clipMax']);
  const attrs: RandomStartAttrs = {
    epsilon: checkNumber(op, 'options.epsilon', o.epsilon, 0),
    seed: checkSeed(op, 'options.seed', o.seed ?? Math.floor(Math.random() * 0x100000000)),
    ...checkClipBounds(op, o.clipMin ?? 0, o.clipMax ?? 1),
  };
  if (checkNorm(op, o.norm, x, 'x') === 'l2') return runAttackKernel(RandomStartL2, { x }, attrs, () => randomStartL2Composed(x, attrs));
  return runAttackKernel(RandomStart, { x }, attrs, () => randomStartComposed(x, attrs));
}

/** Options of {@link apgdStep}. */
export interface ApgdStepOptions {
  /** Radius of the ball around x0, >= 0. */
  epsilon: number;
  /** Weight `a` of the new step against the last one, in [0, 1] (APGD: 1 on the first step, 0.75 after). */
  momentum: number;
  /** 'linf' (default) or 'l2' (the reference's L2 branch). */
  norm?: StepNorm;
  clipMin?: number;
  clipMax?: number;
}

/**
 * One APGD L-infinity step (Croce and Hein 2020) in one fused pass, with `eta` the step size of the
 * element's example (`stepSize` [batch]) and P the projection onto the eps-ball around x0 and the box:
 * `z = P(xCur + eta sign(grad))`, `out = P(xCur + a (z - xCur) + (1 - a)(xCur - xPrev))`.
 * A NaN gradient element makes no step; NaN in xCur, xPrev or x0 gives NaN.
 * With `norm: 'l2'` (per example; a row pass for the norms, then one fused pass): the step is
 * `eta grad / (||grad|| + 1e-12)` and P the L2 projection `x0 + d min(1, epsilon / ||d||)` then the box; a NaN
 * gradient element counts as 0, NaN in xCur, xPrev or x0 makes the example NaN.
 *
 * @example
 * const next = apgdStep(xCur, xPrev, x0, grad, tf.fill([batch], 0.2), {epsilon: 0.1, momentum: 0.75});
 */
export function apgdStep(xCur: Tensor, xPrev: Tensor, x0: Tensor, grad: Tensor, stepSize: Tensor, options: ApgdStepOptions): Tensor {
  const op = 'apgdStep';
  checkFloatTensor(op, 'xCur', xCur);
  checkSameShape(op, 'xPrev', xPrev, 'xCur', xCur);
  checkSameShape(op, 'x0', x0, 'xCur', xCur);
  checkSameShape(op, 'grad', grad, 'xCur', xCur);
  checkFloatTensor(op, 'stepSize', stepSize);
  if (stepSize.rank !== 1 || xCur.rank < 1 || stepSize.shape[0] !== xCur.shape[0]) {
    throw new AdversarialArgumentError(op, 'stepSize', `must be [${xCur.shape[0]}] (one step size per example), got [${stepSize.shape}]`);
  }
  const o = checkOptions(op, options, ['epsilon', 'momentum', 'norm', 'clipMin', 'clipMax']);
  const momentum = checkNumber(op, 'options.momentum', o.momentum, 0);
  if (momentum > 1) throw new AdversarialArgumentError(op, 'options.momentum', `must be in [0, 1], got ${momentum}`);
  const attrs: ApgdStepAttrs = {
    epsilon: checkNumber(op, 'options.epsilon', o.epsilon, 0),
    momentum,
    ...checkClipBounds(op, o.clipMin ?? 0, o.clipMax ?? 1),
  };
  if (checkNorm(op, o.norm, xCur, 'xCur') === 'l2') {
    return runAttackKernel(ApgdStepL2, { xCur, xPrev, x0, grad, stepSize }, attrs, () => apgdStepL2Composed(xCur, xPrev, x0, grad, stepSize, attrs));
  }
  return runAttackKernel(ApgdStep, { xCur, xPrev, x0, grad, stepSize }, attrs, () => apgdStepComposed(xCur, xPrev, x0, grad, stepSize, attrs));
}

/**
 * The DLR loss of each example (Croce and Hein 2020), `-(z_y - max_{i != y} z_i) / (z_pi1 - z_pi3 + 1e-12)`
 * with pi the logits sorted descending (ties to the lower class index) and y the first class of the
 * row's largest label entry: one fused row kernel each way on webgpu and cpu (tf.grad sees an ordinary
 * op), stock ops with a custom gradient elsewhere. DLR needs at least 3 classes (it divides by the gap
 * between the first and the third logit): fewer are refused naming `logits`. NaN in a row gives NaN.
 *
 * @example
 * const loss = dlrLoss(model.forward(images), onehot); // [batch]
 */
export function dlrLoss(logits: Tensor, labels: Tensor): Tensor {
  const op = 'dlrLoss';
  checkFloatTensor(op, 'logits', logits);
  if (logits.rank !== 2) throw new AdversarialArgumentError(op, 'logits', `must be [batch, classes], got [${logits.shape}]`);
  if ((logits.shape[1] ?? 0) < 3) throw new AdversarialArgumentError(op, 'logits', `must have at least 3 classes (DLR divides by the gap between the first and the third largest logit), got ${logits.shape[1]}`);
  checkSameShape(op, 'labels', labels, 'logits', logits);
  return runAttackKernel(DlrLoss, { logits, labels }, {}, () => dlrLossComposed(logits, labels));
}

/**
 * The targeted DLR loss of each example (Croce and Hein 2020, the loss of APGD-T),
 * `-(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2 + 1e-12)` with pi the logits sorted descending (ties to the
 * lower class index), y and t the first class of the largest entry of the row's label and target: one fused
 * row kernel each way on webgpu and cpu, stock ops with a custom gradient elsewhere. It needs at least 4
 * classes (fewer are refused naming `logits`). NaN in a row gives NaN.
 *
 * @example
 * const loss = dlrTargetedLoss(model.forward(images), onehot, targetOnehot); // [batch]
 */
export function dlrTargetedLoss(logits: Tensor, labels: Tensor, targets: Tensor): Tensor {
  const op = 'dlrTargetedLoss';
  checkFloatTensor(op, 'logits', logits);
  if (logits.rank !== 2) throw new AdversarialArgumentError(op, 'logits', `must be [batch, classes], got [${logits.shape}]`);
  if ((logits.shape[1] ?? 0) < 4) throw new AdversarialArgumentError(op, 'logits', `must have at least 4 classes (targeted DLR divides by the gap between the first and the mean of the third and fourth largest logit), got ${logits.shape[1]}`);
  checkSameShape(op, 'labels', labels, 'logits', logits);
  checkSameShape(op, 'targets', targets, 'logits', logits);
  return runAttackKernel(DlrTargetedLoss, { logits, labels, targets }, {}, () => dlrTargetedLossComposed(logits, labels, targets));
}

/**
 * APGD's per-iteration bookkeeping of its large per-example state in one fused pass (three outputs), r the
 * element's example: `[wrong[r] != 0 ? next : xFooled, loss[r] > lossBest[r] ? next : xBest,
 * loss[r] > lossBest[r] ? grad : gradBest]` (values copied bit for bit; a NaN loss never improves). `loss`,
 * `lossBest` are float32 [batch], `wrong` bool (or float32, nonzero: wrong) [batch].
 *
 * @example
 * const [xFooled2, xBest2, gradBest2] = apgdUpdate(next, grad, xFooled, xBest, gradBest, loss, lossBest, tf.notEqual(predicted, labels));
 */
export function apgdUpdate(next: Tensor, grad: Tensor, xFooled: Tensor, xBest: Tensor, gradBest: Tensor, loss: Tensor, lossBest: Tensor, wrong: Tensor): [Tensor, Tensor, Tensor] {
  const op = 'apgdUpdate';
  checkFloatTensor(op, 'next', next);
  if (next.rank < 1) throw new AdversarialArgumentError(op, 'next', 'must have a first axis (the examples), got a scalar');
  checkSameShape(op, 'grad', grad, 'next', next);
  checkSameShape(op, 'xFooled', xFooled, 'next', next);
  checkSameShape(op, 'xBest', xBest, 'next', next);
  checkSameShape(op, 'gradBest', gradBest, 'next', next);
  checkFloatTensor(op, 'loss', loss);
  checkFloatTensor(op, 'lossBest', lossBest);
  if ((wrong as Tensor | undefined)?.dtype !== 'bool' || wrong.isDisposed) checkFloatTensor(op, 'wrong', wrong);
  for (const [name, t] of [['loss', loss], ['lossBest', lossBest], ['wrong', wrong]] as const) {
    if (t.rank !== 1 || t.shape[0] !== next.shape[0]) throw new AdversarialArgumentError(op, name, `must be [${next.shape[0]}] (one value per example), got [${t.shape}]`);
  }
  registerAttackKernels();
  const inputs = { next, grad, xFooled, xBest, gradBest, loss, lossBest, wrong };
  if (getKernel(ApgdUpdate, getBackend()) != null) return engine().runKernel(ApgdUpdate, inputs, {}) as unknown as [Tensor, Tensor, Tensor];
  return apgdUpdateComposed(next, grad, xFooled, xBest, gradBest, loss, lossBest, wrong);
}
