// FAB's projection kernels written with stock tfjs ops: the fallback on backends without the fused kernels,
// and a second, independent form for the tests. The row parameters follow fra31/auto-attack's
// projection_linf / projection_l2 step by step (sort by tf.topk, tf.cumsum, a binary search by tf.gather
// over the sorted breakpoints), all rows at once; the element-wise parts are the kernels' formulas.
import * as tf from '@tensorflow/tfjs-core';
import type { FabStepAttrs } from '../names';

const BIG = 1e12;
const TINY_W = 1e-8;

/** Column `index` [rows] (int32 [rows]) of `m` [rows, cols]. */
const column = (m: tf.Tensor2D, index: tf.Tensor1D): tf.Tensor1D => tf.reshape(tf.gather(m, tf.reshape(index, [-1, 1]), 1, 1), [-1]);
const lastColumn = (m: tf.Tensor2D): tf.Tensor1D => tf.reshape(tf.slice(m, [0, m.shape[1] - 1], [-1, 1]), [-1]);
const asRows = (v: tf.Tensor1D): tf.Tensor2D => tf.reshape(v, [-1, 1]);

/** The reference's binary search: the last index j in [0, cols - 2] where `above(j)` holds (0 if none), ceil(log2 cols) halvings. */
function searchRows(rows: number, cols: number, above: (j: tf.Tensor1D) => tf.Tensor1D): tf.Tensor1D {
  let lb = tf.zeros([rows], 'int32') as tf.Tensor1D;
  let ub = tf.fill([rows], cols - 1, 'int32') as tf.Tensor1D;
  for (let it = 0; it < Math.ceil(Math.log2(cols)); it++) {
    const mid = tf.floorDiv(tf.add(lb, ub), 2) as tf.Tensor1D;
    const c = above(mid);
    lb = tf.where(c, mid, lb);
    ub = tf.where(c, ub, mid);
  }
  return lb;
}

/** The norm of d per row and NaN rows marked, as [rows, 4] = [lambda, sigma, norm, 0]. */
function layout(points: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, lambda: tf.Tensor1D, sign: tf.Tensor1D, l2: boolean): tf.Tensor2D {
  const [rows] = points.shape;
  const params = tf.stack([lambda, sign, tf.zeros([rows]), tf.zeros([rows])], 1) as tf.Tensor2D;
  const d = fabApplyComposed(points, w, params, l2) as tf.Tensor2D;
  const norm = (l2 ? tf.sqrt(tf.sum(tf.square(d), 1)) : tf.max(tf.abs(d), 1)) as tf.Tensor1D;
  const nan = tf.logicalOr(tf.any(tf.logicalOr(tf.isNaN(points), tf.isNaN(w)), 1), tf.isNaN(b)) as tf.Tensor1D;
  const out = tf.stack([lambda, sign, norm, tf.zeros([rows])], 1);
  return tf.where(tf.broadcastTo(asRows(nan), [rows, 4]), tf.fill([rows, 4], NaN), out) as tf.Tensor2D;
}

function linfParams(t: tf.Tensor2D, wIn: tf.Tensor2D, bIn: tf.Tensor1D): [tf.Tensor1D, tf.Tensor1D] {
  const [rows, cols] = t.shape;
  const sign = tf.where(tf.greaterEqual(tf.sub(tf.sum(tf.mul(wIn, t), 1), bIn), 0), tf.onesLike(bIn), tf.fill([rows], -1)) as tf.Tensor1D;
  const w = tf.mul(wIn, asRows(sign)) as tf.Tensor2D;
  const a = tf.cast(tf.less(w, 0), 'float32');
  const nonzero = tf.cast(tf.notEqual(w, 0), 'float32');
  const d = tf.mul(tf.sub(a, t), nonzero) as tf.Tensor2D;
  const p = tf.sub(a, tf.mul(t, tf.sub(tf.mul(a, 2), 1))) as tf.Tensor2D;
  const sorted = tf.topk(p, cols); // p descending: the reference's indp flipped
  const pDesc = sorted.values as tf.Tensor2D;
  const order = sorted.indices as tf.Tensor2D;
  const b = tf.sub(tf.mul(bIn, sign), tf.sum(tf.mul(w, t), 1)) as tf.Tensor1D;
  const b0 = tf.sum(tf.mul(w, d), 1) as tf.Tensor1D;
  const wSorted = tf.gather(w, order, 1, 1) as tf.Tensor2D;
  const s = tf.cumsum(tf.abs(wSorted), 1) as tf.Tensor2D;
  const sb = tf.add(tf.cumsum(tf.neg(tf.mul(wSorted, tf.gather(d, order, 1, 1))), 1), asRows(b0)) as tf.Tensor2D;
  const b2 = tf.sub(lastColumn(sb), tf.mul(lastColumn(s), lastColumn(pDesc)));
  const cl = tf.greater(tf.sub(b, b2), 0);
  const c2 = tf.logicalAnd(tf.greater(tf.sub(b, b0), 0), tf.logicalNot(cl));
  const lb = searchRows(rows, cols, (j) => tf.greater(tf.sub(b, tf.sub(column(sb, j), tf.mul(column(s, j), column(pDesc, j)))), 0) as tf.Tensor1D);
  const lambdaFree = tf.maximum(tf.div(tf.sub(b, lastColumn(sb)), tf.neg(lastColumn(s))), 0);
  const lambdaSearch = tf.maximum(tf.div(tf.sub(b, column(sb, lb)), tf.neg(column(s, lb))), 0);
  const lambdaFull = tf.max(tf.mul(p, nonzero), 1);
  return [tf.where(cl, lambdaFree, tf.where(c2, lambdaSearch, lambdaFull)) as tf.Tensor1D, sign];
}

function l2Params(t: tf.Tensor2D, wIn: tf.Tensor2D, bIn: tf.Tensor1D): [tf.Tensor1D, tf.Tensor1D] {
  const [rows, cols] = t.shape;
  const side = tf.sub(tf.sum(tf.mul(wIn, t), 1), bIn);
  const sign = tf.where(tf.greaterEqual(side, 0), tf.onesLike(bIn), tf.fill([rows], -1)) as tf.Tensor1D;
  const w = tf.mul(wIn, asRows(sign)) as tf.Tensor2D;
  const c = tf.mul(side, sign) as tf.Tensor1D;
  const tiny = tf.less(tf.abs(w), TINY_W);
  let r = tf.clipByValue(tf.maximum(tf.div(t, w), tf.div(tf.sub(t, 1), w)), -BIG, BIG);
  r = tf.where(tf.logicalOr(tiny, tf.equal(r, -BIG)), tf.fill(r.shape, BIG), r);
  const sorted = tf.topk(tf.neg(r), cols); // r ascending
  const unmark = (v: tf.Tensor) => tf.where(tf.equal(v, BIG), tf.zerosLike(v), v) as tf.Tensor2D;
  const rsRaw = tf.neg(sorted.values) as tf.Tensor2D;
  const rs2 = unmark(tf.concat([tf.slice(rsRaw, [0, 1], [-1, -1]), tf.zeros([rows, 1])], 1));
  const rs = unmark(rsRaw);
  const w3s = tf.gather(tf.square(w), sorted.indices, 1, 1) as tf.Tensor2D;
  const w5 = tf.sum(w3s, 1, true) as tf.Tensor2D;
  const ws = tf.sub(w5, tf.cumsum(w3s, 1)) as tf.Tensor2D;
  const kept = tf.cast(tf.greater(tf.abs(w), TINY_W), 'float32');
  const d = tf.mul(tf.neg(tf.mul(r, w)), kept);
  const first = tf.mul(tf.neg(w5), tf.slice(rs, [0, 0], [-1, 1]));
  const s = tf.concat([first, tf.add(tf.cumsum(tf.mul(tf.sub(rs, rs2), ws), 1), first)], 1) as tf.Tensor2D;
  const c4 = tf.less(tf.add(tf.reshape(first, [-1]), c), 0);
  const c3 = tf.greater(tf.add(tf.sum(tf.mul(d, w), 1), c), 0);
  const c2 = tf.logicalNot(tf.logicalOr(c4, c3));
  const lb = searchRows(rows, cols, (j) => tf.greater(tf.add(column(s, j), c), 0) as tf.Tensor1D);
  const wsAt = column(ws, lb);
  const alphaSearch = tf.where(tf.equal(wsAt, 0), tf.zerosLike(wsAt), tf.add(tf.div(tf.add(column(s, lb), c), wsAt), column(rs, lb)));
  const alphaFree = tf.div(c, tf.reshape(w5, [-1]));
  const lambdaFull = tf.max(tf.mul(tf.where(tiny, tf.zerosLike(r), r), kept), 1);
  return [tf.where(c4, alphaFree, tf.where(c2, alphaSearch, lambdaFull)) as tf.Tensor1D, sign];
}

/** FabHyperplane with stock ops: [rows, 4] = [lambda, sigma, norm, 0], the reference's algorithm. */
export function fabHyperplaneComposed(points: tf.Tensor, w: tf.Tensor, b: tf.Tensor, l2: boolean): tf.Tensor {
  return tf.tidy(() => {
    const t = points as tf.Tensor2D;
    const [lambda, sign] = (l2 ? l2Params : linfParams)(t, w as tf.Tensor2D, b as tf.Tensor1D);
    return layout(t, w as tf.Tensor2D, b as tf.Tensor1D, lambda, sign, l2);
  });
}

/** FabProjectionApply with stock ops: d from the row parameters (fab_common.wgsl's fabMove). */
export function fabApplyComposed(points: tf.Tensor, w: tf.Tensor, params: tf.Tensor, l2: boolean): tf.Tensor {
  return tf.tidy(() => {
    const rows = points.shape[0];
    const t = tf.reshape(points, [rows, -1]);
    const lambda = tf.slice(params, [0, 0], [-1, 1]);
    const sigma = tf.slice(params, [0, 1], [-1, 1]);
    const wv = tf.mul(tf.reshape(w, [rows, -1]), sigma);
    let d: tf.Tensor;
    if (l2) {
      const m = tf.abs(wv);
      const p = tf.where(tf.greater(wv, 0), tf.div(t, m), tf.div(tf.sub(1, t), m));
      d = tf.where(tf.greater(m, TINY_W), tf.mul(tf.neg(wv), tf.minimum(lambda, p)), tf.zerosLike(t));
    } else {
      const negative = tf.less(wv, 0);
      const m = tf.minimum(lambda, tf.where(negative, tf.sub(1, t), t));
      d = tf.where(tf.equal(wv, 0), tf.zerosLike(t), tf.where(negative, m, tf.neg(m)));
    }
    const nan = tf.logicalOr(tf.logicalOr(tf.isNaN(t), tf.isNaN(wv)), tf.logicalOr(tf.isNaN(lambda), tf.isNaN(sigma)));
    return tf.reshape(tf.where(nan, tf.fill(t.shape, NaN), d), points.shape);
  });
}

/** FabStep with stock ops. */
export function fabStepComposed(xCur: tf.Tensor, x0: tf.Tensor, w: tf.Tensor, params: tf.Tensor, a: FabStepAttrs): tf.Tensor {
  return tf.tidy(() => {
    const rows = xCur.shape[0];
    const x = tf.reshape(xCur, [rows, -1]);
    const origin = tf.reshape(x0, [rows, -1]);
    const mine = tf.slice(params, [0, 0], [rows, 4]);
    const clean = tf.slice(params, [rows, 0], [rows, 4]);
    const d1 = fabApplyComposed(x, w, mine, a.l2);
    const d2 = fabApplyComposed(origin, w, clean, a.l2);
    const a1 = tf.maximum(tf.slice(mine, [0, 2], [-1, 1]), TINY_W);
    const a2 = tf.maximum(tf.slice(clean, [0, 2], [-1, 1]), TINY_W);
    const alpha = tf.minimum(tf.maximum(tf.div(a1, tf.add(a1, a2)), 0), a.alphaMax);
    const moved = tf.add(tf.mul(tf.add(x, tf.mul(d1, a.eta)), tf.sub(1, alpha)), tf.mul(tf.add(origin, tf.mul(d2, a.eta)), alpha));
    const nan = tf.logicalOr(tf.isNaN(moved), tf.logicalOr(tf.isNaN(a1), tf.isNaN(a2)));
    return tf.reshape(tf.where(nan, tf.fill(moved.shape, NaN), tf.clipByValue(moved, 0, 1)), xCur.shape);
  });
}
