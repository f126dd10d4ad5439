// The Square attack's fixed parts (Andriushchenko et al., "Square Attack: a query-efficient black-box
// adversarial attack via random search", ECCV 2020), as the AutoAttack reference (fra31/auto-attack,
// autoattack/square.py) has them: the schedule of p (the fraction of the image a square covers) over the
// iterations, the square's side from p, the L2 attack's window profile eta, and the geometry of the L2
// initialisation. Also the seeded per-point draws (positions, signs, transpositions), a counter-based
// PCG hash that the WGSL kernels evaluate the same way: the same seed gives the same attack on every
// backend and runtime, and a point's draws do not depend on which other points share its batch.
import { pcgHash } from './pcg';

/** The ball a Square attack searches. */
export type SquareNorm = 'linf' | 'l2';

/**
 * p at iteration `it` (0-based) for `pInit`: the reference's `p_selection` with `resc_schedule=False`
 * (as AutoAttack runs it), halving at iterations 10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000.
 *
 * @example
 * squareP(0, 0.8); // 0.8
 * squareP(11, 0.8); // 0.4
 */
export function squareP(it: number, pInit: number): number {
  const bounds = [10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000];
  let halvings = 0;
  for (const b of bounds) if (it > b) halvings++;
  // The reference's branches: p_init / 2^k, k the number of bounds below it (10 < it <= 50: k = 1, ..., 8000 < it: k = 9).
  return pInit / 2 ** halvings;
}

/** Python's round(): to the nearest integer, halves to the even one. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The side of the square at iteration `it` on an h x w image: round(sqrt(p h w)), at least 1 (L-inf),
 * or at least 3 and odd (L2), at most min(h, w).
 *
 * @example
 * squareSide('linf', 0, 0.8, 28, 28); // 25
 * squareSide('l2', 0, 0.8, 28, 28); // 25
 */
export function squareSide(norm: SquareNorm, it: number, pInit: number, height: number, width: number): number {
  const p = squareP(it, pInit);
  let s = roundHalfEven(Math.sqrt(p * height * width));
  if (norm === 'linf') s = Math.max(s, 1);
  else {
    s = Math.max(s, 3);
    if (s % 2 === 0) s += 1;
  }
  return Math.min(s, height, width);
}

/** The key of iteration `t` of a run with `seed`: t = 0 the initialisation, t = i + 1 query i. */
export function squareKey(seed: number, t: number): number {
  return pcgHash((pcgHash(seed >>> 0) + pcgHash(t >>> 0)) >>> 0);
}

/** Draw `counter` under `key`: pcg(pcg(counter) ^ key), a 32-bit unsigned word. */
export function squareDraw(key: number, counter: number): number {
  return pcgHash((pcgHash(counter >>> 0) ^ key) >>> 0);
}

/** An integer in [0, m) from a draw (0 when m is 0): ((h >> 16) m) >> 16, exact in 32 bits for m < 2^16. */
export function pickBelow(h: number, m: number): number {
  return Math.floor(((h >>> 16) * m) / 65536);
}

/** +1 or -1 from a draw's top bit. */
export const signOf = (h: number): number => (h >>> 31 === 1 ? 1 : -1);

/** Draws per point per query: square row and column, second window's row and column, transposition, then one sign per channel. */
export const QUERY_DRAWS = 5;

/** One point's draws of one query (row id `row`, `channels` channels, square side `s`, image h x w). */
export interface SquareQueryDraws {
  vh: number;
  vw: number;
  vh2: number;
  vw2: number;
  transposed: boolean;
  signs: number[];
}

/** The draws of point `row` at query key `key`, as the kernels make them. */
export function squareQueryDraws(key: number, row: number, channels: number, s: number, height: number, width: number): SquareQueryDraws {
  const base = row * (QUERY_DRAWS + channels);
  const d = (j: number) => squareDraw(key, base + j);
  return {
    vh: pickBelow(d(0), height - s),
    vw: pickBelow(d(1), width - s),
    vh2: pickBelow(d(2), height - s),
    vw2: pickBelow(d(3), width - s),
    transposed: d(4) >>> 31 === 1,
    signs: Array.from({ length: channels }, (_, c) => signOf(d(QUERY_DRAWS + c))),
  };
}

/** The reference's eta_rectangles(x, y) for L2: nested rectangles weighted 1 / (k + 1)^2, unit L2 norm (float64). */
function etaRectangles(x: number, y: number): Float64Array {
  const delta = new Float64Array(x * y);
  const xc = Math.floor(x / 2) + 1;
  const yc = Math.floor(y / 2) + 1;
  let c0 = xc - 1;
  let c1 = yc - 1;
  for (let k = 0; k < Math.max(xc, yc); k++) {
    for (let i = Math.max(c0, 0); i < Math.min(c0 + 2 * k + 1, x); i++) {
      for (let j = Math.max(c1, 0); j < Math.min(c1 + 2 * k + 1, y); j++) delta[i * y + j] += 1 / (k + 1) ** 2;
    }
    c0 -= 1;
    c1 -= 1;
  }
  const norm = Math.sqrt(delta.reduce((a, v) => a + v * v, 0));
  return norm > 0 ? delta.map((v) => v / norm) : delta;
}

/**
 * The L2 window profile eta(s) (row-major s x s, float32): the top floor(s/2) rows a positive bump, the
 * rest a negative one, unit L2 norm; the reference's `eta` before its random transposition.
 *
 * @example
 * squareEta(1); // Float32Array [-1]
 */
export function squareEta(s: number): Float32Array {
  const top = Math.floor(s / 2);
  const upper = etaRectangles(top, s);
  const lower = etaRectangles(s - top, s);
  const delta = new Float64Array(s * s);
  delta.set(upper, 0);
  for (let i = 0; i < lower.length; i++) delta[top * s + i] = -lower[i];
  const norm = Math.sqrt(delta.reduce((a, v) => a + v * v, 0));
  return Float32Array.from(delta, (v) => v / norm);
}

/** The windows of the L2 initialisation: side s = floor(h / 5) (at least 1), starting at `start` in both directions. */
export interface SquareL2InitGrid {
  s: number;
  start: number;
  /** Windows down and across that fit the image entirely. */
  rows: number;
  cols: number;
}

/**
 * The reference's L2 start grid: windows of side floor(h / 5) from (h - 5 s) / 2 (rounded down, at
 * least 0), floor(h / s) of them down and floor(w / s) across, those that leave the image dropped (the
 * reference's slices would not fit them either).
 *
 * @example
 * squareL2InitGrid(28, 28); // { s: 5, start: 1, rows: 5, cols: 5 }
 */
export function squareL2InitGrid(height: number, width: number): SquareL2InitGrid {
  const s = Math.max(Math.floor(height / 5), 1);
  const start = Math.max(Math.floor((height - 5 * s) / 2), 0);
  const fit = (count: number, size: number) => {
    let n = 0;
    while (n < count && start + (n + 1) * s <= size) n++;
    return n;
  };
  return { s, start, rows: fit(Math.floor(height / s), height), cols: fit(Math.floor(width / s), width) };
}

/** The L2 norm of the unnormalised initial perturbation (every window one `eta`, by default squareEta(grid.s), per channel), in float32. */
export function squareL2InitNorm(grid: SquareL2InitGrid, channels: number, eta: ArrayLike<number> = squareEta(grid.s)): number {
  let energy = 0;
  for (let i = 0; i < eta.length; i++) energy += eta[i] * eta[i];
  return Math.fround(Math.sqrt(grid.rows * grid.cols * channels * energy));
}
