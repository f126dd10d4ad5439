// Plain-TypeScript references of the attack kernels: the CPU kernels and the test oracle.
// Every operation rounds to float32 (Math.fround) exactly where the WGSL does, so results match bit for bit.

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

/** The PCG-RXS-M-XS 32-bit hash (Jarzynski and Olano 2020), as in shaders/random_start.wgsl. */
export function pcgHash(v: number): number {
  const state = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** The noise for element `index` given the hashed seed `key = pcgHash(seed)` (hash the seed once per tensor). */
export function noiseFromKey(index: number, key: number, epsilon: number): number {
  const h = pcgHash((pcgHash(index) ^ key) >>> 0);
  const r = (h >>> 8) * 2 ** -24;
  return f32(f32(2 * r - 1) * f32(epsilon));
}

/** The noise u in [-eps, eps] that `RandomStart` adds to element `index` for `seed`. */
export function randomStartNoise(index: number, seed: number, epsilon: number): number {
  return noiseFromKey(index, pcgHash(seed), epsilon);
}

/** out = clamp(x + u, lo, hi), u from `randomStartNoise`. */
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
