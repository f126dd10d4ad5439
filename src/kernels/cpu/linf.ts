// The L-inf attack kernels in plain TypeScript: the `cpu` backend's kernels (kernel_configs.ts), which the
// tests also compare the WebGPU kernels with. Every operation rounds to float32 (Math.fround) exactly where
// the WGSL does, so results match bit for bit.
import { pcgHash } from '../pcg';

const f32 = Math.fround;

/** Parameters of `fgsmStepReference`, already checked. */
export interface FgsmStepParams {
  epsilon: number;
  clipMin: number;
  clipMax: number;
  targeted: boolean;
}

/** Parameters of `pgdStepReference`, already checked. */
export interface PgdStepParams {
  stepSize: number;
  epsilon: number;
  clipMin: number;
  clipMax: number;
}

/** Parameters of `randomStartReference`, already checked. */
export interface RandomStartParams {
  epsilon: number;
  seed: number;
  clipMin: number;
  clipMax: number;
}

/** sign(g), or 0 where g is NaN. */
function stepDirection(g: number): number {
  return Number.isNaN(g) ? 0 : Math.sign(g);
}

function clampKeepNaN(v: number, lo: number, hi: number): number {
  return Number.isNaN(v) ? v : Math.min(Math.max(v, lo), hi);
}

/** out = clamp(x + s * sign(g), lo, hi), s = +eps or -eps (targeted); NaN in g: no step. */
export function fgsmStepReference(x: Float32Array, grad: Float32Array, p: FgsmStepParams): Float32Array {
  const out = new Float32Array(x.length);
  const stepSize = f32(p.targeted ? -p.epsilon : p.epsilon);
  const lo = f32(p.clipMin);
  const hi = f32(p.clipMax);
  for (let i = 0; i < x.length; i++) {
    out[i] = clampKeepNaN(f32(x[i] + stepSize * stepDirection(grad[i])), lo, hi);
  }
  return out;
}

/** out = clamp(clamp(xAdv + a * sign(g), x0 - eps, x0 + eps), lo, hi); NaN in xAdv or x0 gives NaN. */
export function pgdStepReference(
  xAdv: Float32Array,
  x0: Float32Array,
  grad: Float32Array,
  p: PgdStepParams,
): Float32Array {
  const out = new Float32Array(xAdv.length);
  const stepSize = f32(p.stepSize);
  const epsilon = f32(p.epsilon);
  const lo = f32(p.clipMin);
  const hi = f32(p.clipMax);
  for (let i = 0; i < xAdv.length; i++) {
    if (Number.isNaN(xAdv[i]) || Number.isNaN(x0[i])) {
      out[i] = NaN;
      continue;
    }
    const stepped = f32(xAdv[i] + stepSize * stepDirection(grad[i]));
    const projected = Math.min(Math.max(stepped, f32(x0[i] - epsilon)), f32(x0[i] + epsilon));
    out[i] = clampKeepNaN(projected, lo, hi);
  }
  return out;
}

/** The noise for element `index` given the hashed seed `key = pcgHash(seed)` (hash the seed once per tensor). */
export function noiseFromKey(index: number, key: number, epsilon: number): number {
  const h = pcgHash((pcgHash(index) ^ key) >>> 0);
  const r = (h >>> 8) * 2 ** -24;
  return f32(f32(2 * r - 1) * f32(epsilon));
}


/** out = clamp(x + u, lo, hi), u = noiseFromKey(index, pcgHash(seed), eps). */
export function randomStartReference(x: Float32Array, p: RandomStartParams): Float32Array {
  const out = new Float32Array(x.length);
  const lo = f32(p.clipMin);
  const hi = f32(p.clipMax);
  const key = pcgHash(p.seed);
  for (let i = 0; i < x.length; i++) {
    out[i] = clampKeepNaN(f32(x[i] + noiseFromKey(i, key, p.epsilon)), lo, hi);
  }
  return out;
}

/** out = x (the copy kernel's reference). */
export function copyReference(x: Float32Array): Float32Array {
  return x.slice();
}

/** Parameters of `apgdStepReference`, already checked. */
export interface ApgdStepParams {
  epsilon: number;
  /** Weight of the new step against the previous one (1 on APGD's first step, 0.75 after). */
  momentum: number;
  clipMin: number;
  clipMax: number;
}

/**
 * One APGD L-infinity step per element (eta: the step size of the element's row, `stepSize[i / rowSize]`):
 * `z = P(xCur + eta sign(g))`, `out = P(xCur + a (z - xCur) + (1 - a)(xCur - xPrev))`, P the projection
 * onto the eps-ball around x0 then the box. NaN in g: no step; NaN in xCur, xPrev or x0 gives NaN.
 */
export function apgdStepReference(
  xCur: Float32Array,
  xPrev: Float32Array,
  x0: Float32Array,
  grad: Float32Array,
  stepSize: Float32Array,
  p: ApgdStepParams,
): Float32Array {
  const out = new Float32Array(xCur.length);
  const rowSize = stepSize.length === 0 ? 1 : xCur.length / stepSize.length;
  const epsilon = f32(p.epsilon);
  const a = f32(p.momentum);
  const b = f32(1 - a);
  const lo = f32(p.clipMin);
  const hi = f32(p.clipMax);
  for (let i = 0; i < xCur.length; i++) {
    const c = xCur[i];
    const prev = xPrev[i];
    const o = x0[i];
    if (Number.isNaN(c) || Number.isNaN(prev) || Number.isNaN(o)) {
      out[i] = NaN;
      continue;
    }
    const lower = f32(o - epsilon);
    const upper = f32(o + epsilon);
    const project = (v: number) => clampKeepNaN(Math.min(Math.max(v, lower), upper), lo, hi);
    const eta = stepSize[Math.floor(i / rowSize)];
    const z = project(f32(c + f32(eta * stepDirection(grad[i]))));
    const moved = f32(f32(c + f32(a * f32(z - c))) + f32(b * f32(c - prev)));
    out[i] = project(moved);
  }
  return out;
}

/** One row of DLR's bookkeeping (see shaders/dlr_common.wgsl). */
interface DlrRow {
  label: number;
  first: number;
  third: number;
  other: number;
  margin: number;
  spread: number;
  nan: boolean;
}

/** The row's label, top-three indices (ties to the lower index), margin and spread, rounded as float32. */
function dlrRow(logits: ArrayLike<number>, labels: ArrayLike<number>, row: number, classes: number): DlrRow {
  const base = row * classes;
  let label = 0;
  let labelValue = labels[base];
  let i1 = 0;
  let v1 = logits[base];
  let i2 = -1;
  let v2 = 0;
  let i3 = -1;
  let v3 = 0;
  let nan = Number.isNaN(v1);
  for (let c = 1; c < classes; c++) {
    const l = labels[base + c];
    if (l > labelValue) {
      labelValue = l;
      label = c;
    }
    const v = logits[base + c];
    nan ||= Number.isNaN(v);
    if (v > v1) {
      [i3, v3, i2, v2, i1, v1] = [i2, v2, i1, v1, c, v];
    } else if (i2 < 0 || v > v2) {
      [i3, v3, i2, v2] = [i2, v2, c, v];
    } else if (i3 < 0 || v > v3) {
      [i3, v3] = [c, v];
    }
  }
  const other = i1 === label ? i2 : i1;
  return {
    label,
    first: i1,
    third: i3,
    other,
    margin: f32(logits[base + label] - logits[base + other]),
    spread: f32(f32(v1 - v3) + f32(1e-12)),
    nan,
  };
}

/**
 * DLR loss per row, `-(z_y - max_{i != y} z_i) / (z_pi1 - z_pi3 + 1e-12)` (pi: the logits sorted
 * descending, ties to the lower index; y: the first index of the row's largest label entry), in float32
 * as the kernel rounds (the tests' float64 oracle is test/suite/dlr_reference.ts). Needs classes >= 3. NaN rows give NaN.
 */
export function dlrLossReference(logits: ArrayLike<number>, labels: ArrayLike<number>, rows: number, classes: number): Float32Array {
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const d = dlrRow(logits, labels, r, classes);
    out[r] = d.nan ? NaN : -f32(d.margin / d.spread);
  }
  return out;
}

/** d DLR[r] / d logits[r, :] times dy[r] (the kernel's subgradient at ties), in float32 as the kernel rounds. */
export function dlrLossGradReference(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  dy: ArrayLike<number>,
  rows: number,
  classes: number,
): Float32Array {
  const out = new Float32Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    const d = dlrRow(logits, labels, r, classes);
    const g = dy[r];
    const s = f32(g / d.spread);
    const t = f32(f32(g * f32(d.margin / d.spread)) / d.spread);
    for (let c = 0; c < classes; c++) {
      let v = 0;
      if (c === d.label) v = f32(v - s);
      if (c === d.other) v = f32(v + s);
      if (c === d.first) v = f32(v + t);
      if (c === d.third) v = f32(v - t);
      out[r * classes + c] = d.nan ? NaN : v;
    }
  }
  return out;
}

/**
 * APGD's bookkeeping of the large state per element (r: the element's row, `rows` = loss.length):
 * `[wrong[r] != 0 ? next : xFooled, loss[r] > lossBest[r] ? next : xBest, loss[r] > lossBest[r] ? grad : gradBest]`.
 */
export function apgdUpdateReference(
  next: Float32Array,
  grad: Float32Array,
  xFooled: Float32Array,
  xBest: Float32Array,
  gradBest: Float32Array,
  loss: ArrayLike<number>,
  lossBest: ArrayLike<number>,
  wrong: ArrayLike<number>,
): [Float32Array, Float32Array, Float32Array] {
  const rowSize = loss.length === 0 ? 1 : next.length / loss.length;
  const out: [Float32Array, Float32Array, Float32Array] = [xFooled.slice(), xBest.slice(), gradBest.slice()];
  for (let i = 0; i < next.length; i++) {
    const r = Math.floor(i / rowSize);
    if (wrong[r] !== 0) out[0][i] = next[i];
    if (loss[r] > lossBest[r]) {
      out[1][i] = next[i];
      out[2][i] = grad[i];
    }
  }
  return out;
}
