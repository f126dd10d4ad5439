// The L2 kernel cases (PgdStepL2, ApgdStepL2, RandomStartL2), for the Node (Dawn) and Chromium suites: named
// cases of [rows, rowSize] batches (odd sizes, one row of 2179, 2179 rows of one), fresh random inputs from
// the run seed, poisoned outputs, one GPU error scope; the fused kernel against its float32 CPU reference,
// the stock-op fallback against it to rounding, and the ball and the box never left.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import * as lib from '../../dist/index.js';
import * as engine from '../../dist/engine.js';
import { mismatches, poisoned } from './apgd_suite';
import { caseSeed } from './cases';
import { POISON, withGpuErrorScope } from './kernel_suite';

export type L2KernelId = 'pgd_step_l2' | 'apgd_step_l2' | 'random_start_l2';
export type L2Inputs = 'random' | 'zero_grad' | 'nan' | 'huge_grad' | 'edges' | 'eps0';

export interface L2Case {
  name: string;
  kernel: L2KernelId;
  rows: number;
  rowSize: number;
  vec4: boolean;
  /** APGD's momentum weight (1 on the first step, 0.75 after); 1 for the others. */
  momentum: number;
  inputs: L2Inputs;
}

const SHAPES: [number, number][] = [[1, 1], [3, 1], [1, 4], [1, 2179], [2179, 1], [5, 63], [7, 312], [4, 784]];
const KINDS: Record<L2KernelId, L2Inputs[]> = {
  pgd_step_l2: ['random', 'zero_grad', 'nan', 'huge_grad', 'edges', 'eps0'],
  apgd_step_l2: ['random', 'zero_grad', 'nan', 'huge_grad', 'edges', 'eps0'],
  random_start_l2: ['random', 'nan', 'edges', 'eps0'],
};

export const l2Cases: L2Case[] = (Object.keys(KINDS) as L2KernelId[]).flatMap((kernel) =>
  SHAPES.flatMap(([rows, rowSize]) =>
    (rowSize % 4 === 0 ? [true, false] : [false]).flatMap((vec4) =>
      (kernel === 'apgd_step_l2' ? [1, 0.75] : [1]).flatMap((momentum) =>
        KINDS[kernel].map((inputs) => ({
          name: `${kernel} rows=${rows} rowSize=${rowSize} vec4=${vec4}${kernel === 'apgd_step_l2' ? ` a=${momentum}` : ''} inputs=${inputs}`,
          kernel,
          rows,
          rowSize,
          vec4,
          momentum,
          inputs,
        })),
      ),
    ),
  ),
);

interface L2CaseInputs {
  x0: Float32Array;
  xCur: Float32Array;
  xPrev: Float32Array;
  grad: Float32Array;
  stepSize: Float32Array;
  epsilon: number;
  clipMin: number;
  clipMax: number;
  seed: number;
}

/** The case's inputs: points around x0 inside and beyond the ball, gradients of many magnitudes, edge values. */
export function l2Inputs(c: L2Case, seed: number): L2CaseInputs {
  const rand = lib.seededRandom(seed);
  const n = c.rows * c.rowSize;
  const edges = c.inputs === 'edges';
  const epsilon = c.inputs === 'eps0' ? 0 : edges ? [0.1, 1][Math.floor(rand() * 2)] : 0.05 + rand() * 2;
  const clipMin = edges ? -0.25 : 0;
  const clipMax = edges ? 0.5 : 1;
  const pick = <T>(values: T[]) => values[Math.floor(rand() * values.length)];
  const x0 = Float32Array.from({ length: n }, () => (edges ? pick([clipMin, clipMax, clipMin - 1, clipMax + 1, 0, -0]) : rand() < 0.1 ? Math.round(rand()) : rand()));
  // Offsets of norm about 0.3 to 3 eps (1 for eps 0), so that the projection is sometimes active.
  const spread = ((Math.max(epsilon, 0.5) * 2) / Math.sqrt(c.rowSize)) * (0.3 + rand() * 2.7);
  const around = () => Float32Array.from(x0, (v) => v + spread * (2 * rand() - 1));
  const xCur = around();
  const xPrev = around();
  const grad = Float32Array.from({ length: n }, () => {
    if (edges) return pick([0, -0, NaN, Infinity, -Infinity, 1e-30, -1e30, 0.5, -2]);
    if (c.inputs === 'huge_grad') return (rand() - 0.5) * 10 ** (10 + 25 * rand());
    return (rand() - 0.5) * 10 ** (4 * rand() - 2);
  });
  if (c.inputs === 'zero_grad') for (let r = 0; r < c.rows; r += 2) grad.fill(r % 4 === 0 ? 0 : -0, r * c.rowSize, (r + 1) * c.rowSize);
  if (c.inputs === 'nan') for (const a of [xCur, xPrev, x0, grad]) for (let i = 0; i < n; i++) if (rand() < 0.3 / c.rowSize + 0.01) a[i] = NaN;
  const stepSize = Float32Array.from({ length: c.rows }, () => 2 * Math.max(epsilon, 0.1) * 2 ** -Math.floor(rand() * 4));
  return { x0, xCur, xPrev, grad, stepSize, epsilon, clipMin, clipMax, seed: Math.floor(rand() * 0x100000000) };
}

function reference(c: L2Case, p: L2CaseInputs): Float32Array {
  const bounds = { epsilon: p.epsilon, clipMin: p.clipMin, clipMax: p.clipMax };
  switch (c.kernel) {
    case 'pgd_step_l2':
      return engine.pgdStepL2Reference(p.xCur, p.x0, p.grad, c.rows, { ...bounds, stepSize: p.stepSize[0] });
    case 'apgd_step_l2':
      return engine.apgdStepL2Reference(p.xCur, p.xPrev, p.x0, p.grad, p.stepSize, { ...bounds, momentum: c.momentum });
    case 'random_start_l2':
      return engine.randomStartL2Reference(p.x0, c.rows, { ...bounds, seed: p.seed });
  }
}

type CaseTensors = Record<'x0' | 'xCur' | 'xPrev' | 'grad' | 'stepSize', tf.Tensor>;

function run(c: L2Case, p: L2CaseInputs, t: CaseTensors, fused: boolean): tf.Tensor {
  const bounds = { epsilon: p.epsilon, clipMin: p.clipMin, clipMax: p.clipMax };
  switch (c.kernel) {
    case 'pgd_step_l2': {
      const o = { ...bounds, stepSize: p.stepSize[0] };
      return fused ? lib.pgdStep(t.xCur, t.x0, t.grad, { ...o, norm: 'l2' }) : engine.pgdStepL2Composed(t.xCur, t.x0, t.grad, o);
    }
    case 'apgd_step_l2': {
      const o = { ...bounds, momentum: c.momentum };
      return fused ? lib.apgdStep(t.xCur, t.xPrev, t.x0, t.grad, t.stepSize, { ...o, norm: 'l2' }) : engine.apgdStepL2Composed(t.xCur, t.xPrev, t.x0, t.grad, t.stepSize, o);
    }
    case 'random_start_l2': {
      const o = { ...bounds, seed: p.seed };
      return fused ? lib.randomStart(t.x0, { ...o, norm: 'l2' }) : engine.randomStartL2Composed(t.x0, o);
    }
  }
}

export interface L2Report {
  name: string;
  seed: number;
  /** Elements beyond 1e-6 (relative to max(1, |expected|)) of the float32 reference; NaN must match NaN. */
  mismatches: number;
  /** Elements not bit-identical to the reference (0 on SwiftShader; WGSL allows sqrt and division a few ulp). */
  exactMismatches: number;
  firstMismatch: string | null;
  /** The stock-op fallback beyond 1e-4 of the reference (its norms sum in another order), NaN must match NaN. */
  fallbackMismatches: number;
  fallbackFirstMismatch: string | null;
  /** Checked rows (x0 in the box, no NaN) with an element outside [clipMin, clipMax] or ||out - x0|| > eps + 1e-5. */
  rowsChecked: number;
  rowsOutside: number;
  worstExcess: number;
  poisonLeft: number;
  widthUsed: boolean;
  leakedTensors: number;
  gpuErrors: string[];
}

const close = (a: number, b: number, tolerance: number): boolean => (Number.isNaN(a) || Number.isNaN(b) ? Number.isNaN(a) && Number.isNaN(b) : Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b)));

function countFar(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): { n: number; first: string | null } {
  let n = 0;
  let first: string | null = null;
  for (let i = 0; i < expected.length; i++) {
    if (!close(actual[i], expected[i], tolerance)) {
      n++;
      first ??= `index ${i}: actual ${actual[i]} expected ${expected[i]}`;
    }
  }
  return { n, first };
}

/** Rows of a checkable case (x0 inside the box, no NaN in any input) that leave the box or the ball. */
function ballAndBox(c: L2Case, p: L2CaseInputs, out: ArrayLike<number>): { checked: number; outside: number; worst: number } {
  let checked = 0;
  let outside = 0;
  let worst = -Infinity;
  for (let r = 0; r < c.rows; r++) {
    const k = (j: number) => r * c.rowSize + j;
    let ok = true;
    for (let j = 0; j < c.rowSize && ok; j++) {
      const inputs = [p.x0[k(j)], p.xCur[k(j)], p.xPrev[k(j)]];
      ok = inputs.every((v) => !Number.isNaN(v)) && p.x0[k(j)] >= p.clipMin && p.x0[k(j)] <= p.clipMax;
    }
    if (!ok) continue;
    checked++;
    let sq = 0;
    let inBox = true;
    for (let j = 0; j < c.rowSize; j++) {
      const v = out[k(j)];
      inBox &&= v >= Math.fround(p.clipMin) && v <= Math.fround(p.clipMax);
      sq += (v - p.x0[k(j)]) ** 2;
    }
    const excess = Math.sqrt(sq) - Math.fround(p.epsilon);
    worst = Math.max(worst, excess);
    if (!inBox || !(excess <= 1e-5)) outside++;
  }
  return { checked, outside, worst };
}

const PIPELINES: Record<L2KernelId, string> = { pgd_step_l2: 'PgdStepL2', apgd_step_l2: 'ApgdStepL2', random_start_l2: 'RandomStartL2' };

export async function runL2Case(c: L2Case, runSeed: number): Promise<L2Report> {
  const backend = tf.backend() as WebGPUBackend;
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  tf.env().set(engine.FLAG_VEC4, c.vec4);
  const seed = caseSeed(runSeed, c.name);
  const p = l2Inputs(c, seed);
  const expected = reference(c, p);
  const n = c.rows * c.rowSize;
  const { value, errors } = await withGpuErrorScope(backend.device, async () => {
    const shape = [c.rows, c.rowSize] as [number, number];
    const t: CaseTensors = { x0: tf.tensor2d(p.x0, shape), xCur: tf.tensor2d(p.xCur, shape), xPrev: tf.tensor2d(p.xPrev, shape), grad: tf.tensor2d(p.grad, shape), stepSize: tf.tensor1d(p.stepSize) };
    for (const u of Object.values(t)) backend.uploadToGPU(u.dataId);
    const before = tf.memory().numTensors;
    await poisoned(n);
    const out = run(c, p, t, true);
    const actual = (await out.data()) as Float32Array;
    out.dispose();
    const leakedTensors = tf.memory().numTensors - before;
    const fb = run(c, p, t, false);
    const fallback = (await fb.data()) as Float32Array;
    tf.dispose([fb, ...Object.values(t)]);
    return { actual, fallback, leakedTensors };
  });
  tf.env().set(engine.FLAG_VEC4, true);
  const far = countFar(value.actual, expected, 1e-6);
  const fallback = countFar(value.fallback, expected, 1e-4);
  const box = ballAndBox(c, p, expected);
  const boxFused = ballAndBox(c, p, value.actual);
  let poisonLeft = 0;
  for (const v of value.actual) if (v === Math.fround(POISON)) poisonLeft++;
  const key = `${PIPELINES[c.kernel]}_${c.vec4 && c.rowSize % 4 === 0 ? 'vec4' : 'scalar'}`;
  return {
    name: c.name,
    seed,
    mismatches: far.n,
    exactMismatches: mismatches(value.actual, expected, 'fused', { value: null }),
    firstMismatch: far.first,
    fallbackMismatches: fallback.n,
    fallbackFirstMismatch: fallback.first,
    rowsChecked: box.checked,
    rowsOutside: box.outside + boxFused.outside,
    worstExcess: Math.max(box.worst, boxFused.worst),
    poisonLeft,
    widthUsed: Object.keys((backend as unknown as { pipelineCache: object }).pipelineCache).some((k) => k.startsWith(key)),
    leakedTensors: value.leakedTensors,
    gpuErrors: errors,
  };
}

/** The bits of RandomStartL2 for one seed on rows of 0.5 (the check that every runtime draws the same). */
export async function randomStartL2Bits(seed: number, rows: number, rowSize: number): Promise<number[]> {
  const x = tf.fill([rows, rowSize], 0.5);
  const out = lib.randomStart(x, { epsilon: 0.3, seed, norm: 'l2' });
  const values = (await out.data()) as Float32Array;
  tf.dispose([x, out]);
  return Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));
}
