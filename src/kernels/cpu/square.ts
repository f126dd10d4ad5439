// Plain-TypeScript references of the Square attack's kernels (shaders/square_*.wgsl): the cpu backend's
// kernels and the tests' oracle. Images are NHWC, flat: element ((row h + y) w + x) c + ch. Every
// operation rounds to float32 where the WGSL does, in the kernels' loop order.
import {
  signOf,
  squareDraw,
  squareKey,
  squareL2InitGrid,
  squareL2InitNorm,
  squareQueryDraws,
  type SquareQueryDraws,
} from '../square_schedule';

const f32 = Math.fround;
const TINY = f32(1e-12);

/** The batch's geometry: rows (points) of h x w x c. */
export interface SquareShape {
  rows: number;
  height: number;
  width: number;
  channels: number;
}

/** Attributes of the square kernels (a kernel reads those it needs). */
export interface SquareAttrs {
  epsilon: number;
  clipMin: number;
  clipMax: number;
  seed: number;
  /** 0: the initialisation; i + 1: query i. */
  step: number;
  /** Side of the square (the query kernels). */
  side: number;
}

const clampKeepNaN = (v: number, lo: number, hi: number): number => (Number.isNaN(v) ? v : Math.min(Math.max(v, lo), hi));
/** max(v, 0) as the kernels write it (select on v > 0): NaN gives 0. */
const positivePart = (v: number): number => (v > 0 ? v : 0);

/** Calls `f(i, row, y, x, ch)` for every element in memory order. */
function forEachElement(s: SquareShape, f: (i: number, row: number, y: number, x: number, ch: number) => void): void {
  let i = 0;
  for (let row = 0; row < s.rows; row++)
    for (let y = 0; y < s.height; y++) for (let x = 0; x < s.width; x++) for (let ch = 0; ch < s.channels; ch++) f(i++, row, y, x, ch);
}

const inWindow = (y: number, x: number, top: number, left: number, side: number): boolean => y >= top && y < top + side && x >= left && x < left + side;

/**
 * Margin per row, z_y - max_{i != y} z_i, y the first index of the row's largest label entry (one-hot
 * or soft labels); needs 2 or more classes. NaN anywhere in the row gives NaN.
 */
export function squareMarginReference(logits: ArrayLike<number>, labels: ArrayLike<number>, rows: number, classes: number): Float32Array {
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    let label = 0;
    for (let c = 1; c < classes; c++) if (labels[base + c] > labels[base + label]) label = c;
    let other = -Infinity;
    let nan = false;
    for (let c = 0; c < classes; c++) {
      const v = logits[base + c];
      nan ||= Number.isNaN(v);
      if (c !== label && v > other) other = v;
    }
    out[r] = nan ? NaN : f32(logits[base + label] - other);
  }
  return out;
}

/**
 * The acceptance step: a row still to fool (best margin > 0) takes the candidate when its margin is
 * lower than the best (or <= 0: misclassified); returns [new best images, new best margins].
 */
export function squareAcceptReference(xNew: Float32Array, xBest: Float32Array, margin: Float32Array, marginBest: Float32Array): [Float32Array, Float32Array] {
  const rows = marginBest.length;
  const rowSize = rows === 0 ? 1 : xBest.length / rows;
  const improved = Array.from(marginBest, (best, r) => best > 0 && (margin[r] < best || margin[r] <= 0));
  const images = Float32Array.from(xBest, (v, i) => (improved[Math.floor(i / rowSize)] ? xNew[i] : v));
  const margins = Float32Array.from(marginBest, (best, r) => (improved[r] ? margin[r] : best));
  return [images, margins];
}

/** L-inf start: clamp(x0 + eps * sign, lo, hi), one sign per point, column and channel (vertical stripes). */
export function squareLinfInitReference(x0: Float32Array, rowIds: ArrayLike<number>, shape: SquareShape, a: SquareAttrs): Float32Array {
  const out = new Float32Array(x0.length);
  const key = squareKey(a.seed, 0);
  const eps = f32(a.epsilon);
  forEachElement(shape, (i, row, _y, x, ch) => {
    const sign = signOf(squareDraw(key, (rowIds[row] * shape.width + x) * shape.channels + ch));
    out[i] = clampKeepNaN(f32(x0[i] + f32(eps * sign)), f32(a.clipMin), f32(a.clipMax));
  });
  return out;
}

/** The query draws of every row (one pass on the CPU; the kernels draw them per element). */
function rowDraws(rowIds: ArrayLike<number>, shape: SquareShape, a: SquareAttrs): SquareQueryDraws[] {
  const key = squareKey(a.seed, a.step);
  return Array.from({ length: shape.rows }, (_, r) => squareQueryDraws(key, rowIds[r], shape.channels, a.side, shape.height, shape.width));
}

/**
 * L-inf candidate: in the point's square (side `side`, at its drawn row and column) x_best + 2 eps sign
 * (one sign per channel), elsewhere x_best; then projected onto the eps-ball around x0 and clipped.
 * NaN in x_best or x0 gives NaN.
 */
export function squareLinfCandidateReference(xBest: Float32Array, x0: Float32Array, rowIds: ArrayLike<number>, shape: SquareShape, a: SquareAttrs): Float32Array {
  const out = new Float32Array(xBest.length);
  const draws = rowDraws(rowIds, shape, a);
  const eps = f32(a.epsilon);
  const twoEps = f32(2 * a.epsilon);
  forEachElement(shape, (i, row, y, x, ch) => {
    const d = draws[row];
    const best = xBest[i];
    const origin = x0[i];
    if (Number.isNaN(best) || Number.isNaN(origin)) {
      out[i] = NaN;
      return;
    }
    const v = inWindow(y, x, d.vh, d.vw, a.side) ? f32(best + f32(twoEps * d.signs[ch])) : best;
    out[i] = clampKeepNaN(Math.min(Math.max(v, f32(origin - eps)), f32(origin + eps)), f32(a.clipMin), f32(a.clipMax));
  });
  return out;
}

/** eta at (a, b) of a side-s window, transposed or not. */
const etaAt = (eta: ArrayLike<number>, s: number, a: number, b: number, transposed: boolean): number => (transposed ? eta[b * s + a] : eta[a * s + b]);

/**
 * L2 start: one eta window (`eta`, squareEta of the grid's side) per grid cell, point and channel, each with
 * its drawn sign and transposition, scaled to L2 norm eps over the image, added to x0 and clipped.
 */
export function squareL2InitReference(x0: Float32Array, rowIds: ArrayLike<number>, eta: ArrayLike<number>, shape: SquareShape, a: SquareAttrs): Float32Array {
  const grid = squareL2InitGrid(shape.height, shape.width);
  const norm = f32(squareL2InitNorm(grid, shape.channels, eta) + TINY);
  const key = squareKey(a.seed, 0);
  const eps = f32(a.epsilon);
  const cells = grid.rows * grid.cols;
  const out = new Float32Array(x0.length);
  forEachElement(shape, (i, row, y, x, ch) => {
    const gy = Math.floor((y - grid.start) / grid.s);
    const gx = Math.floor((x - grid.start) / grid.s);
    let v = 0;
    if (y >= grid.start && x >= grid.start && gy < grid.rows && gx < grid.cols) {
      const base = (rowIds[row] * cells + gy * grid.cols + gx) * (shape.channels + 1);
      const transposed = squareDraw(key, base) >>> 31 === 1;
      const e = etaAt(eta, grid.s, y - grid.start - gy * grid.s, x - grid.start - gx * grid.s, transposed);
      v = f32(e * signOf(squareDraw(key, base + 1 + ch)));
    }
    out[i] = clampKeepNaN(f32(x0[i] + f32(f32(v / norm) * eps)), f32(a.clipMin), f32(a.clipMax));
  });
  return out;
}

/** Per row and channel, what the L2 candidate needs (4 floats): window-1 norm, new window norm, target norm, energy after. */
export const L2_STATS = 4;

/** Rounding of the L2 references: float32 (as the kernels) or none (float64, the tests' oracle). */
type Round = (v: number) => number;
const identity: Round = (v) => v;

/** The new window-1 value before scaling: eta sign + delta / (1e-12 + n1). */
const windowValue = (eta: ArrayLike<number>, s: number, a: number, b: number, d: SquareQueryDraws, ch: number, delta: number, n1: number, r: Round): number =>
  r(r(etaAt(eta, s, a, b, d.transposed) * d.signs[ch]) + r(delta / r(TINY + n1)));

/**
 * L2 statistics, per row and channel (delta = x_best - x0; window 1 at (vh, vw), window 2 at (vh2, vw2),
 * both of side `side`): n1 = ||delta over window 1||, nd = ||eta sign + delta / (1e-12 + n1)|| over
 * window 1, target = sqrt(max(eps^2 - ||delta||^2, 0) / c + ||delta over both windows||^2), energy =
 * ||delta outside both windows||^2 + ||window 1 after||^2, the new window being
 * (eta sign + delta / (1e-12 + n1)) / (1e-12 + nd) target. [rows, c, 4].
 */
export function squareL2StatsReference(
  xBest: ArrayLike<number>,
  x0: ArrayLike<number>,
  rowIds: ArrayLike<number>,
  eta: ArrayLike<number>,
  shape: SquareShape,
  a: SquareAttrs,
  float64 = false,
): Float32Array | Float64Array {
  const f = float64 ? identity : f32;
  const { rows, height, width, channels } = shape;
  const s = a.side;
  const rowSize = height * width * channels;
  const draws = rowDraws(rowIds, shape, a);
  const out = float64 ? new Float64Array(rows * channels * L2_STATS) : new Float32Array(rows * channels * L2_STATS);
  const eps = f32(a.epsilon);
  const tiny = f(1e-12);
  for (let row = 0; row < rows; row++) {
    const d = draws[row];
    const delta = (y: number, x: number, ch: number) => {
      const i = row * rowSize + (y * width + x) * channels + ch;
      return f(xBest[i] - x0[i]);
    };
    for (let ch = 0; ch < channels; ch++) {
      let all = 0;
      for (let j = 0; j < rowSize; j++) {
        const v = f(xBest[row * rowSize + j] - x0[row * rowSize + j]);
        all = f(all + f(v * v));
      }
      let w1 = 0;
      let union = 0;
      let outside = 0;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const v = delta(y, x, ch);
          const sq = f(v * v);
          const in1 = inWindow(y, x, d.vh, d.vw, s);
          const in2 = inWindow(y, x, d.vh2, d.vw2, s);
          if (in1) w1 = f(w1 + sq);
          if (in1 || in2) union = f(union + sq);
          else outside = f(outside + sq);
        }
      }
      const n1 = f(Math.sqrt(w1));
      let nd2 = 0;
      for (let p = 0; p < s; p++) {
        for (let q = 0; q < s; q++) {
          const e = windowValue(eta, s, p, q, d, ch, delta(d.vh + p, d.vw + q, ch), n1, f);
          nd2 = f(nd2 + f(e * e));
        }
      }
      const nd = f(Math.sqrt(nd2));
      const normImage = f(Math.sqrt(all));
      const nw = f(Math.sqrt(union));
      const slack = f(positivePart(f(f(eps * eps) - f(normImage * normImage))) / channels);
      const target = f(Math.sqrt(f(slack + f(nw * nw))));
      let after = 0;
      for (let p = 0; p < s; p++) {
        for (let q = 0; q < s; q++) {
          const e = windowValue(eta, s, p, q, d, ch, delta(d.vh + p, d.vw + q, ch), n1, f);
          const v = f(f(e / f(tiny + nd)) * target);
          after = f(after + f(v * v));
        }
      }
      const o = (row * channels + ch) * L2_STATS;
      out[o] = n1;
      out[o + 1] = nd;
      out[o + 2] = target;
      out[o + 3] = f(outside + after);
    }
  }
  return out;
}

/**
 * L2 candidate: delta = x_best - x0 with window 2 zeroed and window 1 replaced by its new value (see
 * squareL2StatsReference), rescaled to L2 norm eps over the image (delta / (||delta|| + 1e-12) eps),
 * added to x0 and clipped.
 */
export function squareL2CandidateReference(
  xBest: ArrayLike<number>,
  x0: ArrayLike<number>,
  rowIds: ArrayLike<number>,
  eta: ArrayLike<number>,
  stats: ArrayLike<number>,
  shape: SquareShape,
  a: SquareAttrs,
  float64 = false,
): Float32Array | Float64Array {
  const f = float64 ? identity : f32;
  const tiny = f(1e-12);
  const s = a.side;
  const draws = rowDraws(rowIds, shape, a);
  const eps = f32(a.epsilon);
  const out = float64 ? new Float64Array(xBest.length) : new Float32Array(xBest.length);
  forEachElement(shape, (i, row, y, x, ch) => {
    const d = draws[row];
    const o = (row * shape.channels + ch) * L2_STATS;
    let energy = 0;
    for (let k = 0; k < shape.channels; k++) energy = f(energy + stats[(row * shape.channels + k) * L2_STATS + 3]);
    const total = f(f(Math.sqrt(energy)) + tiny);
    let v = f(xBest[i] - x0[i]);
    if (inWindow(y, x, d.vh, d.vw, s)) {
      const e = windowValue(eta, s, y - d.vh, x - d.vw, d, ch, v, stats[o], f);
      v = f(f(e / f(tiny + stats[o + 1])) * stats[o + 2]);
    } else if (inWindow(y, x, d.vh2, d.vw2, s)) v = 0;
    out[i] = clampKeepNaN(f(x0[i] + f(f(v / total) * eps)), f32(a.clipMin), f32(a.clipMax));
  });
  return out;
}
