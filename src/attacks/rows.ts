// Per-row selection over a batch, the one helper the iterative attacks (APGD, FAB, Square) share.
import * as tf from '@tensorflow/tfjs-core';

/**
 * Row i of `a` where `mask[i]`, else row i of `b`: the mask [rows] broadcast over the other axes
 * (an NHWC batch, or [rows, features]).
 *
 * @example
 * const kept = rowWhere(improved, xNew, xBest);  // [n, h, w, c]
 */
export const rowWhere = <T extends tf.Tensor>(mask: tf.Tensor1D, a: T, b: T): T =>
  tf.tidy(() => tf.where(tf.reshape(mask, [a.shape[0], ...a.shape.slice(1).map(() => 1)]), a, b) as T);
