// The L2 attack kernels (PgdStepL2, ApgdStepL2, RandomStartL2) and the targeted DLR loss in plain TypeScript:
// the `cpu` backend's kernels, which the tests also compare the WebGPU kernels with. As in linf.ts, every operation rounds to
// float32 exactly where the WGSL does; a row's norm is sqrt of the float32 sum of squares in element order.
import type { ApgdStepParams, PgdStepParams, RandomStartParams } from './linf';
import { pcgHash } from '../pcg';

const f32 = Math.fround;
const TINY = f32(1e-12);

const clampKeepNaN = (v: number, lo: number, hi: number): number => (Number.isNaN(v) ? v : Math.min(Math.max(v, lo), hi));
const isInfinite = (v: number): boolean => v === Infinity || v === -Infinity;

/** ||grad|| of elements [base, base + n), NaN elements counted as 0. */
function gradNormOf(grad: ArrayLike<number>, base: number, n: number): number {
  let acc = 0;
  for (let j = 0; j < n; j++) {
    const g = grad[base + j];
    if (!Number.isNaN(g)) acc = f32(acc + f32(g * g));
  }
  return f32(Math.sqrt(acc));
}

/** g / (||g|| + 1e-12); 0 where g is NaN and on a row whose squared norm overflowed. */
function direction(g: number, gradNorm: number): number {
  return Number.isNaN(g) || isInfinite(gradNorm) ? 0 : f32(g / f32(gradNorm + TINY));
}

/** epsilon / n beyond the ball, else 1 (NaN: 1). */
const l2Scale = (n: number, epsilon: number): number => (n > epsilon ? f32(epsilon / n) : 1);

/** Sum of squares accumulated in float32 and its square root. */
class NormAccumulator {
  private acc = 0;
  add(v: number): void {
    this.acc = f32(this.acc + f32(v * v));
  }
  norm(): number {
    return f32(Math.sqrt(this.acc));
  }
}

function rowsOf(length: number, rows: number): number {
  return rows === 0 ? 0 : length / rows;
}

/**
 * One L2 PGD step per example (row r of `rows` equal rows): `d = xAdv + stepSize * g / (||g|| + 1e-12) - x0`,
 * `out = clamp(x0 + d * min(1, eps / ||d||), lo, hi)`. NaN in g counts as 0; NaN in xAdv or x0 makes the row NaN.
 * With xAdv = x0 and stepSize = eps it is FGM.
 */
export function pgdStepL2Reference(xAdv: Float32Array, x0: Float32Array, grad: Float32Array, rows: number, p: PgdStepParams): Float32Array {
  const out = new Float32Array(xAdv.length);
  const rowSize = rowsOf(xAdv.length, rows);
  const eta = f32(p.stepSize);
  const epsilon = f32(p.epsilon);
  const lo = f32(p.clipMin);
  const hi = f32(p.clipMax);
  const offset = new Float32Array(rowSize);
  for (let r = 0; r < rows; r++) {
    const base = r * rowSize;
    const gradNorm = gradNormOf(grad, base, rowSize);
    const d = new NormAccumulator();
    for (let j = 0; j < rowSize; j++) {
      const k = base + j;
      offset[j] = f32(f32(xAdv[k] + f32(eta * direction(grad[k], gradNorm))) - x0[k]);
      d.add(offset[j]);
    }
    const n = d.norm();
    const s = l2Scale(n, epsilon);
    for (let j = 0; j < rowSize; j++) out[base + j] = Number.isNaN(n) ? NaN : clampKeepNaN(f32(x0[base + j] + f32(offset[j] * s)), lo, hi);
  }
  return out;
}

/**
 * One L2 APGD step per example (the reference's L2 branch), eta = stepSize[r], a = momentum, dir = g / (||g|| +
 * 1e-12), P(x0 + v) = clamp(x0 + v min(1, eps / ||v||)): `z = P(xCur + eta dir)`,
 * `out = P(xCur + a (z - xCur) + (1 - a)(xCur - xPrev))`. NaN in g counts as 0; NaN in xCur, xPrev or x0 makes
 * the row NaN.
 */
export function apgdStepL2Reference(
  xCur: Float32Array,
  xPrev: Float32Array,
  x0: Float32Array,
  grad: Float32Array,
  stepSize: Float32Array,
  p: ApgdStepParams,
): Float32Array {
  const out = new Float32Array(xCur.length);
  const rows = stepSize.length;
  const rowSize = rowsOf(xCur.length, rows);
  const epsilon = f32(p.epsilon);
  const a = f32(p.momentum);
  const b = f32(1 - a);
  const lo = f32(p.clipMin);
  const hi = f32(p.clipMax);
  const u = new Float32Array(rowSize);
  const v = new Float32Array(rowSize);
  for (let r = 0; r < rows; r++) {
    const base = r * rowSize;
    const eta = stepSize[r];
    const gradNorm = gradNormOf(grad, base, rowSize);
    const uNorm = new NormAccumulator();
    for (let j = 0; j < rowSize; j++) {
      const k = base + j;
      u[j] = f32(f32(xCur[k] + f32(eta * direction(grad[k], gradNorm))) - x0[k]);
      uNorm.add(u[j]);
    }
    const n1 = uNorm.norm();
    const s1 = l2Scale(n1, epsilon);
    const vNorm = new NormAccumulator();
    for (let j = 0; j < rowSize; j++) {
      const k = base + j;
      const c = xCur[k];
      const z = clampKeepNaN(f32(x0[k] + f32(u[j] * s1)), lo, hi);
      const moved = f32(f32(c + f32(a * f32(z - c))) + f32(b * f32(c - xPrev[k])));
      v[j] = f32(moved - x0[k]);
      vNorm.add(v[j]);
    }
    const n2 = vNorm.norm();
    const s2 = l2Scale(n2, epsilon);
    const invalid = Number.isNaN(n1) || Number.isNaN(n2);
    for (let j = 0; j < rowSize; j++) out[base + j] = invalid ? NaN : clampKeepNaN(f32(x0[base + j] + f32(v[j] * s2)), lo, hi);
  }
  return out;
}

/** The near-normal noise t of element `index` for `key = pcgHash(seed)` (see shaders/random_start_l2.wgsl). */
export function l2NoiseFromKey(index: number, key: number): number {
  const h1 = pcgHash((pcgHash((2 * index) >>> 0) ^ key) >>> 0);
  const h2 = pcgHash((pcgHash((2 * index + 1) >>> 0) ^ key) >>> 0);
  return ((h1 & 0xffff) + (h1 >>> 16) + (h2 & 0xffff) + (h2 >>> 16)) * 2 ** -16 - 2;
}

/** The L2 random start: `clamp(x + eps * t / (||t|| + 1e-12))` per row, t from {@link l2NoiseFromKey}. */
export function randomStartL2Reference(x: Float32Array, rows: number, p: RandomStartParams): Float32Array {
  const out = new Float32Array(x.length);
  const rowSize = rowsOf(x.length, rows);
  const key = pcgHash(p.seed);
  const epsilon = f32(p.epsilon);
  const lo = f32(p.clipMin);
  const hi = f32(p.clipMax);
  for (let r = 0; r < rows; r++) {
    const base = r * rowSize;
    const t = new NormAccumulator();
    for (let j = 0; j < rowSize; j++) t.add(l2NoiseFromKey(base + j, key));
    const denominator = f32(t.norm() + TINY);
    for (let j = 0; j < rowSize; j++) {
      const unit = f32(l2NoiseFromKey(base + j, key) / denominator);
      out[base + j] = clampKeepNaN(f32(x[base + j] + f32(epsilon * unit)), lo, hi);
    }
  }
  return out;
}

/** One row of the targeted DLR's bookkeeping (see shaders/dlr_targeted_common.wgsl). */
interface DlrTargetedRow {
  label: number;
  target: number;
  first: number;
  third: number;
  fourth: number;
  margin: number;
  spread: number;
  nan: boolean;
}

/** The first index of the largest of `values[base .. base + n)`. */
function firstArgMax(values: ArrayLike<number>, base: number, n: number): number {
  let best = 0;
  for (let c = 1; c < n; c++) if (values[base + c] > values[base + best]) best = c;
  return best;
}

function dlrTargetedRow(logits: ArrayLike<number>, labels: ArrayLike<number>, targets: ArrayLike<number>, row: number, classes: number): DlrTargetedRow {
  const base = row * classes;
  const idx = [0, -1, -1, -1];
  const val = [logits[base], 0, 0, 0];
  let nan = Number.isNaN(val[0]);
  for (let c = 1; c < classes; c++) {
    const v = logits[base + c];
    nan ||= Number.isNaN(v);
    // Insert c at the first slot it beats (an empty slot is beaten), shifting the rest down.
    const slot = v > val[0] ? 0 : [1, 2, 3].find((s) => idx[s] < 0 || v > val[s]);
    if (slot === undefined) continue;
    for (let s = 3; s > slot; s--) {
      idx[s] = idx[s - 1];
      val[s] = val[s - 1];
    }
    idx[slot] = c;
    val[slot] = v;
  }
  const label = firstArgMax(labels, base, classes);
  const target = firstArgMax(targets, base, classes);
  return {
    label,
    target,
    first: idx[0],
    third: idx[2],
    fourth: idx[3],
    margin: f32(logits[base + label] - logits[base + target]),
    // (z1 - z3) + (z3 - z4) / 2: z1 - (z3 + z4) / 2 with each difference of close logits rounding exactly.
    spread: f32(f32(f32(val[0] - val[2]) + f32(0.5 * f32(val[2] - val[3]))) + f32(1e-12)),
    nan,
  };
}

/**
 * Targeted DLR per row, `-(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2 + 1e-12)` (pi: the logits sorted
 * descending, ties to the lower index; y and t: the first index of the largest entry of the row's label and
 * target), in float32 as the kernel rounds (the tests' float64 oracle is test/suite/dlr_reference.ts).
 * Needs classes >= 4.
 */
export function dlrTargetedLossReference(logits: ArrayLike<number>, labels: ArrayLike<number>, targets: ArrayLike<number>, rows: number, classes: number): Float32Array {
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const d = dlrTargetedRow(logits, labels, targets, r, classes);
    out[r] = d.nan ? NaN : -f32(d.margin / d.spread);
  }
  return out;
}

/** d targeted-DLR[r] / d logits[r, :] times dy[r] (the kernel's subgradient at ties), in float32 as the kernel rounds. */
export function dlrTargetedLossGradReference(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  targets: ArrayLike<number>,
  dy: ArrayLike<number>,
  rows: number,
  classes: number,
): Float32Array {
  const out = new Float32Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    const d = dlrTargetedRow(logits, labels, targets, r, classes);
    const g = dy[r];
    const s = f32(g / d.spread);
    const t = f32(f32(g * f32(d.margin / d.spread)) / d.spread);
    const half = f32(0.5 * t);
    for (let c = 0; c < classes; c++) {
      let v = 0;
      if (c === d.label) v = f32(v - s);
      if (c === d.target) v = f32(v + s);
      if (c === d.first) v = f32(v + t);
      if (c === d.third) v = f32(v - half);
      if (c === d.fourth) v = f32(v - half);
      out[r * classes + c] = d.nan ? NaN : v;
    }
  }
  return out;
}
