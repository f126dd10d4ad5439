// The public attack ops: check arguments, then run the fused kernel where the backend has one (webgpu, cpu)
// and the stock-op composition elsewhere.
import { engine, getBackend, getKernel, tidy, type NamedTensorMap, type Tensor } from '@tensorflow/tfjs-core';
import { fgsmStepComposed, pgdStepComposed, randomStartComposed } from './composed';
import {
  FgsmStep,
  PgdStep,
  RandomStart,
  type FgsmStepAttrs,
  type PgdStepAttrs,
  type RandomStartAttrs,
} from './kernels/kernel_names';
import { registerAttackKernels } from './kernels/register';
import {
  checkBoolean,
  checkClipBounds,
  checkFloatTensor,
  checkNumber,
  checkOptions,
  checkSameShape,
  checkSeed,
} from './validate';

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

/** Options of {@link pgdStep}. */
export interface PgdStepOptions {
  /** Step size of this iteration, >= 0. */
  stepSize: number;
  /** Radius of the L-infinity ball around x0, >= 0. */
  epsilon: number;
  clipMin?: number;
  clipMax?: number;
}

/** Options of {@link randomStart}. */
export interface RandomStartOptions {
  /** Half-width of the uniform noise, >= 0. */
  epsilon: number;
  /** 32-bit unsigned seed; one seed gives one result on every backend and runtime. Default: drawn at random. */
  seed?: number;
  clipMin?: number;
  clipMax?: number;
}

function runAttackKernel(kernelName: string, inputs: NamedTensorMap, attrs: object, composed: () => Tensor): Tensor {
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
  const o = checkOptions(op, options, ['stepSize', 'epsilon', 'clipMin', 'clipMax']);
  const attrs: PgdStepAttrs = {
    stepSize: checkNumber(op, 'options.stepSize', o.stepSize, 0),
    epsilon: checkNumber(op, 'options.epsilon', o.epsilon, 0),
    ...checkClipBounds(op, o.clipMin ?? 0, o.clipMax ?? 1),
  };
  return runAttackKernel(PgdStep, { xAdv, x0, grad }, attrs, () => pgdStepComposed(xAdv, x0, grad, attrs));
}

/**
 * A random start in the L-infinity ball: `clamp(x + u, clipMin, clipMax)`, `u ~ U(-epsilon, epsilon)` (within [-epsilon, epsilon] after float32 rounding) drawn
 * on the GPU by a counter-based generator (PCG hash of the element index and the seed). The CPU kernel
 * draws the same numbers, so one seed gives one result on every backend and runtime.
 *
 * @example
 * const start = randomStart(images, {epsilon: 0.1, seed: 42});
 */
export function randomStart(x: Tensor, options: RandomStartOptions): Tensor {
  const op = 'randomStart';
  checkFloatTensor(op, 'x', x);
  const o = checkOptions(op, options, ['epsilon', 'seed', 'clipMin', 'clipMax']);
  const attrs: RandomStartAttrs = {
    epsilon: checkNumber(op, 'options.epsilon', o.epsilon, 0),
    seed: checkSeed(op, 'options.seed', o.seed ?? Math.floor(Math.random() * 0x100000000)),
    ...checkClipBounds(op, o.clipMin ?? 0, o.clipMax ?? 1),
  };
  return runAttackKernel(RandomStart, { x }, attrs, () => randomStartComposed(x, attrs));
}
