// Plain-TypeScript references of FAB's kernels (Croce and Hein, "Minimally distorted adversarial examples
// with a fast adaptive boundary attack", ICML 2020): the tests' oracles and the `cpu` backend's kernels.
// - `fabProjectionReference`: fra31/auto-attack's projection_linf and projection_l2 (fab_projections.py)
//   line by line in float64: the smallest d (L-inf or L2) with w.(t + d) = b and t + d in [0, 1], per row;
//   by argsort, cumulative sums and a binary search over the sorted breakpoints, as the reference does.
// - `fabApplyReference` and `fabStepReference`: the element-wise kernels' formulas, rounded to float32
//   where the WGSL rounds, from the per-row parameters (radius, side, norm) the row kernel writes.
// Each row's projection is d_i = dir_i * min(lambda, p_i): p_i is how far coordinate i can move towards the
// plane before it meets the box (L-inf: t_i or 1 - t_i; L2: t_i / |w_i| or (1 - t_i) / |w_i|, the step
// along -w), lambda the row's radius; the row parameters carry lambda, the side sigma = sign(w.t - b)
// and the norm of d.

const f32 = Math.fround;
/** The reference's clamp of L2 breakpoints and its marker for coordinates with |w| < 1e-8. */
const BIG = 1e12;
const TINY_W = f32(1e-8);

export type FabNorm = 'linf' | 'l2';

/** Per-row parameters of a projection: `lambda`, `sign` and `norm` for each of `rows` rows. */
export interface FabRowParams {
  lambda: Float64Array;
  sign: Float64Array;
  norm: Float64Array;
}

/** d of the projection of each row of `points` onto {z : w.z = b} within [0, 1], and its row parameters. */
export interface FabProjection extends FabRowParams {
  d: Float64Array;
}

/** Indices 0..n-1 sorted by `key` ascending (stable: ties keep index order). */
function argsort(key: ArrayLike<number>, offset: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => i).sort((i, j) => key[offset + i] - key[offset + j]);
}

const ITERATIONS = (n: number) => Math.ceil(Math.log2(n));

/** projection_linf for one row (t, w of length n from `offset`), writing d and returning lambda and sigma. */
function linfRow(t: ArrayLike<number>, wIn: ArrayLike<number>, bIn: number, offset: number, n: number, d: Float64Array): { lambda: number; sign: number } {
  let dot = 0;
  for (let i = 0; i < n; i++) dot += wIn[offset + i] * t[offset + i];
  const sign = dot - bIn >= 0 ? 1 : -1;
  const w = new Float64Array(n);
  const a = new Float64Array(n);
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    w[i] = wIn[offset + i] * sign;
    a[i] = w[i] < 0 ? 1 : 0;
    const ti = t[offset + i];
    d[offset + i] = (a[i] - ti) * (w[i] !== 0 ? 1 : 0);
    p[i] = a[i] - ti * (2 * a[i] - 1);
  }
  const indp = argsort(p, 0, n);
  let wt = 0;
  let b0 = 0;
  for (let i = 0; i < n; i++) {
    wt += w[i] * t[offset + i];
    b0 += w[i] * d[offset + i];
  }
  const b = bIn * sign - wt;
  // Descending p: s = cumsum |w|, sb = cumsum(-w d) + b0.
  const s = new Float64Array(n);
  const sb = new Float64Array(n);
  let accS = 0;
  let accB = b0;
  for (let j = 0; j < n; j++) {
    const k = indp[n - 1 - j];
    accS += Math.abs(w[k]);
    accB += -w[k] * d[offset + k];
    s[j] = accS;
    sb[j] = accB;
  }
  const b2 = sb[n - 1] - s[n - 1] * p[indp[0]];
  const cl = b - b2 > 0;
  const c2 = b - b0 > 0 && !cl;
  let lambda = 0;
  if (cl) {
    lambda = Math.max((b - sb[n - 1]) / -s[n - 1], 0);
    for (let i = 0; i < n; i++) d[offset + i] = (2 * a[i] - 1) * lambda;
  } else if (c2) {
    let lb = 0;
    let ub = n - 1;
    for (let it = 0; it < ITERATIONS(n); it++) {
      const mid = Math.floor((lb + ub) / 2);
      const value = sb[mid] - s[mid] * p[indp[n - 1 - mid]];
      if (b - value > 0) lb = mid;
      else ub = mid;
    }
    lambda = Math.max((b - sb[lb]) / -s[lb], 0);
    for (let i = 0; i < n; i++) {
      const di = d[offset + i];
      d[offset + i] = Math.min(lambda, di) * a[i] + Math.max(-lambda, di) * (1 - a[i]);
    }
  } else {
    // Out of reach: the box corner that moves furthest towards the plane; its radius is the largest p.
    for (let i = 0; i < n; i++) if (w[i] !== 0) lambda = Math.max(lambda, p[i]);
  }
  for (let i = 0; i < n; i++) d[offset + i] *= w[i] !== 0 ? 1 : 0;
  return { lambda, sign };
}

/** projection_l2 for one row, as `linfRow`. */
function l2Row(t: ArrayLike<number>, wIn: ArrayLike<number>, bIn: number, offset: number, n: number, d: Float64Array): { lambda: number; sign: number } {
  let c = -bIn;
  for (let i = 0; i < n; i++) c += wIn[offset + i] * t[offset + i];
  const sign = c >= 0 ? 1 : -1;
  c *= sign;
  const w = new Float64Array(n);
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    w[i] = wIn[offset + i] * sign;
    const ti = t[offset + i];
    let ri = Math.min(Math.max(Math.max(ti / w[i], (ti - 1) / w[i]), -BIG), BIG);
    if (Math.abs(w[i]) < TINY_W) ri = BIG;
    if (ri === -BIG) ri = BIG;
    r[i] = ri;
  }
  const indr = argsort(r, 0, n);
  const rs = indr.map((k) => r[k]);
  const rs2 = [...rs.slice(1), 0];
  for (let j = 0; j < n; j++) {
    if (rs[j] === BIG) rs[j] = 0;
    if (rs2[j] === BIG) rs2[j] = 0;
  }
  let w5 = 0;
  for (let j = 0; j < n; j++) w5 += w[indr[j]] ** 2;
  const ws = new Float64Array(n);
  let acc = 0;
  for (let j = 0; j < n; j++) {
    acc += w[indr[j]] ** 2;
    ws[j] = w5 - acc;
  }
  let dw = 0;
  for (let i = 0; i < n; i++) {
    d[offset + i] = -(r[i] * w[i]) * (Math.abs(w[i]) > TINY_W ? 1 : 0);
    dw += d[offset + i] * w[i];
  }
  // s[0] = -w5 rs[0]; s[j + 1] = cumsum((rs - rs2) ws)[j] - w5 rs[0].
  const s = new Float64Array(n + 1);
  s[0] = -w5 * rs[0];
  let cum = 0;
  for (let j = 0; j < n; j++) {
    cum += (-rs2[j] + rs[j]) * ws[j];
    s[j + 1] = cum - w5 * rs[0];
  }
  const c4 = s[0] + c < 0;
  const c3 = dw + c > 0;
  let lambda = 0;
  if (c4) {
    lambda = c / w5;
    for (let i = 0; i < n; i++) d[offset + i] = -lambda * w[i];
  } else if (!c3) {
    let lb = 0;
    let ub = n - 1;
    for (let it = 0; it < ITERATIONS(n); it++) {
      const mid = Math.floor((lb + ub) / 2);
      if (s[mid] + c > 0) lb = mid;
      else ub = mid;
    }
    lambda = ws[lb] === 0 ? 0 : (s[lb] + c) / ws[lb] + rs[lb];
    for (let i = 0; i < n; i++) {
      const saturated = lambda > r[i] ? 1 : 0;
      d[offset + i] = d[offset + i] * saturated - lambda * w[i] * (1 - saturated);
    }
  } else {
    for (let i = 0; i < n; i++) if (Math.abs(w[i]) > TINY_W) lambda = Math.max(lambda, r[i]);
  }
  for (let i = 0; i < n; i++) d[offset + i] *= Math.abs(w[i]) > TINY_W ? 1 : 0;
  return { lambda, sign };
}

/**
 * The reference's projection_linf / projection_l2 in float64, row by row: for each of `rows` rows of
 * `points`, `w` (`rows` x `cols`) and `b` (`rows`), the smallest d in the norm with w.(t + d) = b and
 * t + d in [0, 1] (the box corner nearest the plane when the plane is out of reach; 0 where w = 0), with
 * the row parameters: the radius lambda, the side sigma = sign(w.t - b) (+1 at 0) and the norm of d.
 *
 * @example
 * fabProjectionReference([0.5, 0.5], [1, 1], [0.5], 1, 2, 'linf').d; // [-0.25, -0.25]
 */
export function fabProjectionReference(points: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number>, rows: number, cols: number, norm: FabNorm): FabProjection {
  const d = new Float64Array(rows * cols);
  const out: FabProjection = { d, lambda: new Float64Array(rows), sign: new Float64Array(rows), norm: new Float64Array(rows) };
  for (let row = 0; row < rows; row++) {
    const offset = row * cols;
    const r = (norm === 'linf' ? linfRow : l2Row)(points, w, b[row], offset, cols, d);
    out.lambda[row] = r.lambda;
    out.sign[row] = r.sign;
    let size = 0;
    for (let i = 0; i < cols; i++) size = norm === 'linf' ? Math.max(size, Math.abs(d[offset + i])) : size + d[offset + i] ** 2;
    out.norm[row] = norm === 'linf' ? size : Math.sqrt(size);
  }
  return out;
}

/** The row parameters as the row kernel lays them out: [lambda, sigma, norm, 0] per row, float32. */
export function fabRowParamsLayout(p: FabRowParams): Float32Array {
  const out = new Float32Array(p.lambda.length * 4);
  for (let r = 0; r < p.lambda.length; r++) out.set([p.lambda[r], p.sign[r], p.norm[r], 0], r * 4);
  return out;
}

/** d_i of one coordinate from its row's radius and side, in float32 as shaders/fab_common.wgsl computes it. */
function fabCoordinateStep(t: number, w: number, lambda: number, sign: number, norm: FabNorm): number {
  if (Number.isNaN(t) || Number.isNaN(w) || Number.isNaN(lambda) || Number.isNaN(sign)) return NaN;
  const wv = f32(w * sign);
  if (norm === 'linf') {
    if (wv === 0) return 0;
    const p = wv < 0 ? f32(1 - t) : t;
    const m = Math.min(lambda, p);
    return wv < 0 ? m : -m;
  }
  const m = Math.abs(wv);
  if (!(m > TINY_W)) return 0;
  const p = wv > 0 ? f32(t / m) : f32(f32(1 - t) / m);
  return f32(-wv * Math.min(lambda, p));
}

/** d = the projection from the row parameters [rows, 4] (FabProjectionApply's reference), float32. */
export function fabApplyReference(points: Float32Array, w: Float32Array, params: Float32Array, cols: number, norm: FabNorm): Float32Array {
  const out = new Float32Array(points.length);
  for (let i = 0; i < points.length; i++) {
    const row = Math.floor(i / cols);
    out[i] = fabCoordinateStep(points[i], w[i], params[row * 4], params[row * 4 + 1], norm);
  }
  return out;
}

/** Parameters of FAB's step. */
export interface FabStepParams {
  /** Overshoot of the projection (FAB's eta, 1.05). */
  eta: number;
  /** Largest weight of the step from the clean point (FAB's alpha_max, 0.1). */
  alphaMax: number;
  norm: FabNorm;
}

/**
 * FAB's step per element (FabStep's reference, float32): with d1, d2 the projections of the current point
 * and of the clean point onto the current hyperplane (rows r and rows + r of `params`), a_k = max(|d_k|,
 * 1e-8) and alpha = min(max(a1 / (a1 + a2), 0), alphaMax):
 * `clamp((x + eta d1)(1 - alpha) + (x0 + eta d2) alpha, 0, 1)`; NaN anywhere in an element's inputs gives NaN.
 */
export function fabStepReference(x: Float32Array, x0: Float32Array, w: Float32Array, params: Float32Array, cols: number, p: FabStepParams): Float32Array {
  const out = new Float32Array(x.length);
  const rows = x.length / cols;
  const eta = f32(p.eta);
  const alphaMax = f32(p.alphaMax);
  for (let i = 0; i < x.length; i++) {
    const row = Math.floor(i / cols);
    const q1 = row * 4;
    const q2 = (rows + row) * 4;
    const d1 = fabCoordinateStep(x[i], w[i], params[q1], params[q1 + 1], p.norm);
    const d2 = fabCoordinateStep(x0[i], w[i], params[q2], params[q2 + 1], p.norm);
    const a1 = Math.max(params[q1 + 2], TINY_W);
    const a2 = Math.max(params[q2 + 2], TINY_W);
    const alpha = Math.min(Math.max(f32(a1 / f32(a1 + a2)), 0), alphaMax);
    const v = f32(f32(f32(x[i] + f32(eta * d1)) * f32(1 - alpha)) + f32(f32(x0[i] + f32(eta * d2)) * alpha));
    out[i] = Number.isNaN(v) || Number.isNaN(alpha) ? NaN : Math.min(Math.max(v, 0), 1);
  }
  return out;
}
