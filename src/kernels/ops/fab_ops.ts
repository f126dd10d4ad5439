// FAB's projection (Croce and Hein, ICML 2020; fra31/auto-attack's projection_linf and projection_l2) as
// public ops: the smallest move d, in the L-inf or L2 norm, that takes each row t of `points` onto the
// hyperplane {z : w.z = b} while t + d stays in [0, 1]. On webgpu and cpu one row kernel (FabHyperplane:
// the row's radius, side and norm) and one element-wise kernel (FabProjectionApply, or FabStep, FAB's
// whole update from the projections of the current and the clean point); elsewhere stock ops running the
// reference's own algorithm (src/kernels/composed/fab.ts). Points are taken to lie in [0, 1], as the
// reference takes them.
import type { Tensor } from '@tensorflow/tfjs-core';
import { FabHyperplane, FabProjectionApply, FabStep, type FabProjectionAttrs, type FabStepAttrs } from '../names';
import { runAttackKernel } from './attack_ops';
import { AdversarialArgumentError, checkFloatTensor, checkNumber, checkOptions, checkSameShape } from '../../core/validate';
import { fabApplyComposed, fabHyperplaneComposed, fabStepComposed } from '../composed/fab';

export type FabNorm = 'linf' | 'l2';

/** Options of {@link fabProjection} and {@link fabHyperplane}. */
export interface FabProjectionOptions {
  /** 'linf' (default) or 'l2'. */
  norm?: FabNorm;
}

/** Options of {@link fabStep}. */
export interface FabStepOptions {
  norm?: FabNorm;
  /** Overshoot of the projections, >= 1 in FAB (default 1.05). */
  eta?: number;
  /** Largest weight of the clean point's projection, in [0, 1] (default 0.1). */
  alphaMax?: number;
}

function checkNorm(op: string, norm: unknown): boolean {
  if (norm !== undefined && norm !== 'linf' && norm !== 'l2') throw new AdversarialArgumentError(op, 'options.norm', `must be linf or l2, got ${JSON.stringify(norm)}`);
  return norm === 'l2';
}

function checkRows(op: string, points: unknown, w: unknown, b: unknown): void {
  checkFloatTensor(op, 'points', points);
  if (points.rank !== 2 || points.shape[1] === 0) throw new AdversarialArgumentError(op, 'points', `must be [rows, cols] with cols >= 1, got [${points.shape}]`);
  checkSameShape(op, 'w', w, 'points', points);
  checkFloatTensor(op, 'b', b);
  if (b.rank !== 1 || b.shape[0] !== points.shape[0]) throw new AdversarialArgumentError(op, 'b', `must be [${points.shape[0]}] (one offset per row), got [${b.shape}]`);
}

/**
 * The parameters of each row's projection, [rows, 4]: the radius lambda (every coordinate moves
 * min(lambda, its room to the box) towards the plane), the side sigma = sign(w.t - b) (+1 on the plane),
 * the norm of d, and 0. NaN in a row gives a NaN row.
 *
 * @example
 * const params = fabHyperplane(points, w, b, { norm: 'linf' }); // [rows, 4]
 */
export function fabHyperplane(points: Tensor, w: Tensor, b: Tensor, options: FabProjectionOptions = {}): Tensor {
  const op = 'fabHyperplane';
  checkRows(op, points, w, b);
  const attrs: FabProjectionAttrs = { l2: checkNorm(op, checkOptions(op, options, ['norm']).norm) };
  return runAttackKernel(FabHyperplane, { points, w, b }, attrs, () => fabHyperplaneComposed(points, w, b, attrs.l2));
}

/**
 * FAB's projection, row by row: the smallest d (L-inf or L2) with w.(t + d) = b and t + d in [0, 1]
 * (where the plane is out of reach, the box corner that gets nearest to it; 0 where w is 0), as the
 * reference's projection_linf / projection_l2 give it.
 *
 * @example
 * const d = fabProjection(tf.tensor2d([[0.5, 0.5]]), tf.tensor2d([[1, 1]]), tf.tensor1d([0.5])); // [[-0.25, -0.25]]
 */
export function fabProjection(points: Tensor, w: Tensor, b: Tensor, options: FabProjectionOptions = {}): Tensor {
  const op = 'fabProjection';
  checkRows(op, points, w, b);
  const attrs: FabProjectionAttrs = { l2: checkNorm(op, checkOptions(op, options, ['norm']).norm) };
  const params = fabHyperplane(points, w, b, options);
  try {
    return runAttackKernel(FabProjectionApply, { points, w, params }, attrs, () => fabApplyComposed(points, w, params, attrs.l2));
  } finally {
    params.dispose();
  }
}

/**
 * FAB's update of the current points `xCur` [batch, ...] towards the hyperplane of normal `w` (same shape):
 * with d1, d2 the projections of xCur and of the clean points x0 (row parameters `params` [2 batch, 4]
 * from {@link fabHyperplane} on the rows of xCur then those of x0), a_k = max(|d_k|, 1e-8) and
 * alpha = min(max(a1 / (a1 + a2), 0), alphaMax): `clamp((xCur + eta d1)(1 - alpha) + (x0 + eta d2) alpha, 0, 1)`.
 *
 * @example
 * const next = fabStep(xCur, x0, grad, params, { norm: 'linf', eta: 1.05, alphaMax: 0.1 });
 */
export function fabStep(xCur: Tensor, x0: Tensor, w: Tensor, params: Tensor, options: FabStepOptions = {}): Tensor {
  const op = 'fabStep';
  checkFloatTensor(op, 'xCur', xCur);
  if (xCur.rank < 2 || xCur.size === 0) throw new AdversarialArgumentError(op, 'xCur', `must be [batch, ...] with at least one element, got [${xCur.shape}]`);
  checkSameShape(op, 'x0', x0, 'xCur', xCur);
  checkSameShape(op, 'w', w, 'xCur', xCur);
  checkFloatTensor(op, 'params', params);
  if (params.rank !== 2 || params.shape[0] !== 2 * xCur.shape[0] || params.shape[1] !== 4) {
    throw new AdversarialArgumentError(op, 'params', `must be [${2 * xCur.shape[0]}, 4] (fabHyperplane of the current rows then the clean rows), got [${params.shape}]`);
  }
  const o = checkOptions(op, options, ['norm', 'eta', 'alphaMax']);
  const alphaMax = checkNumber(op, 'options.alphaMax', o.alphaMax ?? 0.1, 0);
  if (alphaMax > 1) throw new AdversarialArgumentError(op, 'options.alphaMax', `must be in [0, 1], got ${alphaMax}`);
  const attrs: FabStepAttrs = { l2: checkNorm(op, o.norm), eta: checkNumber(op, 'options.eta', o.eta ?? 1.05, 0), alphaMax };
  return runAttackKernel(FabStep, { xCur, x0, w, params }, attrs, () => fabStepComposed(xCur, x0, w, params, attrs));
}
