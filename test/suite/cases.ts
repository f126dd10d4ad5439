// The kernel test table, shared by the Node (Dawn) and Chromium suites.
// Each case is named `kernel n=N vec4=B inputs=KIND`; inputs are drawn fresh each run from the run's seed.

import { seededRandom } from '../../dist/index.js';

export type KernelId = 'fgsm_step' | 'pgd_step' | 'random_start';
export type InputKind = 'random' | 'zero_grad' | 'nan_grad' | 'out_of_bounds' | 'eps0' | 'edges' | 'targeted';

export interface KernelCase {
  name: string;
  kernel: KernelId;
  n: number;
  vec4: boolean;
  inputs: InputKind;
}

export const SIZES = [1, 3, 4, 315, 2179, 1 << 20];

const KINDS: Record<KernelId, InputKind[]> = {
  fgsm_step: ['random', 'zero_grad', 'nan_grad', 'out_of_bounds', 'eps0', 'edges', 'targeted'],
  pgd_step: ['random', 'zero_grad', 'nan_grad', 'out_of_bounds', 'eps0', 'edges'],
  random_start: ['random', 'out_of_bounds', 'eps0', 'edges'],
};

/** Every kernel x size x width (vec4 only where n % 4 == 0; the scalar path at every size) x input kind. */
export const kernelCases: KernelCase[] = (Object.keys(KINDS) as KernelId[]).flatMap((kernel) =>
  SIZES.flatMap((n) =>
    (n % 4 === 0 ? [true, false] : [false]).flatMap((vec4) =>
      KINDS[kernel].map((inputs) => ({ name: `${kernel} n=${n} vec4=${vec4} inputs=${inputs}`, kernel, n, vec4, inputs })),
    ),
  ),
);

/** A per-case seed from the run seed and the case name (so a failure can be replayed alone). */
export function caseSeed(runSeed: number, name: string): number {
  let h = runSeed >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  return h;
}

export interface CaseInputs {
  x: Float32Array;
  grad: Float32Array;
  /** PGD only: the clean origin. */
  x0: Float32Array;
  epsilon: number;
  stepSize: number;
  clipMin: number;
  clipMax: number;
  targeted: boolean;
  seed: number;
}

const GRAD_EDGES = [0, -0, NaN, Infinity, -Infinity, 1e-30, -1e-30, 1e30, -1e30, 0.5, -0.5];

export function makeInputs(c: KernelCase, seed: number): CaseInputs {
  const rand = seededRandom(seed);
  const pick = <T>(pool: T[]): T => pool[Math.floor(rand() * pool.length)];
  const n = c.n;
  const edges = c.inputs === 'edges';
  const clipMin = edges ? -0.25 : 0;
  const clipMax = edges ? 0.5 : 1;
  const epsilon = c.inputs === 'eps0' ? 0 : edges ? 0.1 : 0.001 + rand() * 0.3;
  const xEdges = [clipMin, clipMax, clipMin - 1, clipMax + 1, (clipMin + clipMax) / 2, 0, -0, NaN];
  const x0 = new Float32Array(n);
  const x = new Float32Array(n);
  const grad = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x0[i] = c.inputs === 'out_of_bounds' ? -1 + 3 * rand() : edges ? pick(xEdges) : rand();
    // PGD's current point: somewhere in (and for out_of_bounds, around) the eps-ball of x0.
    x[i] =
      c.kernel === 'pgd_step'
        ? edges && rand() < 0.1
          ? NaN
          : x0[i] + (c.inputs === 'out_of_bounds' ? 4 : 1) * epsilon * (2 * rand() - 1)
        : x0[i];
    grad[i] =
      c.inputs === 'zero_grad'
        ? rand() < 0.5 ? 0 : -0
        : c.inputs === 'nan_grad'
          ? rand() < 0.5 ? NaN : rand() - 0.5
          : edges
            ? pick(GRAD_EDGES)
            : (rand() - 0.5) * 10 ** (4 * rand() - 2);
  }
  return {
    x,
    grad,
    x0,
    epsilon,
    stepSize: epsilon / 4 + (edges ? 0 : rand() * epsilon),
    clipMin,
    clipMax,
    targeted: c.inputs === 'targeted',
    seed: Math.floor(rand() * 0x100000000),
  };
}
