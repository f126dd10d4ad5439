// The DLR and APGD-step kernel cases, for the Node (Dawn) and Chromium suites: named cases, fresh random
// inputs from the run seed, poisoned output buffers, one GPU error scope, the fused kernel against its
// float32 CPU reference (bit for bit, NaN equal to NaN) and the reference against float64.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import * as lib from '../../dist/index.js';
import * as engine from '../../dist/engine.js';
import { caseSeed } from './cases';
import { POISON, sameValue, withGpuErrorScope } from './kernel_suite';
import { dlrLoss64, dlrLossGrad64 } from './dlr_reference';

export type DlrInputs = 'random' | 'ties' | 'nan' | 'huge';
export interface DlrCase {
  name: string;
  rows: number;
  classes: number;
  inputs: DlrInputs;
}

export const dlrCases: DlrCase[] = [1, 3, 65, 257].flatMap((rows) =>
  [3, 10, 100].flatMap((classes) =>
    (['random', 'ties', 'nan', 'huge'] as DlrInputs[]).map((inputs) => ({ name: `dlr rows=${rows} classes=${classes} inputs=${inputs}`, rows, classes, inputs })),
  ),
);

export function dlrInputs(c: DlrCase, seed: number): { logits: Float32Array; labels: Float32Array; dy: Float32Array } {
  const rand = lib.seededRandom(seed);
  const logits = new Float32Array(c.rows * c.classes);
  const labels = new Float32Array(c.rows * c.classes);
  const dy = Float32Array.from({ length: c.rows }, () => rand() * 2 - 0.5);
  for (let r = 0; r < c.rows; r++) {
    labels[r * c.classes + Math.floor(rand() * c.classes)] = 1;
    for (let k = 0; k < c.classes; k++) {
      const i = r * c.classes + k;
      if (c.inputs === 'ties') logits[i] = Math.floor(rand() * 3) - 1; // many equal values, label often tied
      else if (c.inputs === 'huge') logits[i] = (rand() - 0.5) * 1e30;
      else logits[i] = (rand() - 0.5) * 20;
      if (c.inputs === 'nan' && rand() < 0.3 / c.classes) logits[i] = NaN;
    }
    // An all-equal row: spread 1e-12, margin 0.
    if (c.inputs === 'ties' && r === 0) logits.fill(0.5, 0, c.classes);
  }
  return { logits, labels, dy };
}

export interface DlrReport {
  name: string;
  seed: number;
  lossMismatches: number;
  gradMismatches: number;
  firstMismatch: string | null;
  /** tf.grad through dlrLoss (mean-free: sum weighted by dy) against the grad kernel's reference. */
  tapeMismatches: number;
  poisonLeft: number;
  /** Largest relative error of the float32 reference against float64 (loss, gradient), finite rows. */
  lossRelError: number;
  gradRelError: number;
  leakedTensors: number;
  gpuErrors: string[];
}

export function mismatches(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string, first: { value: string | null }): number {
  let n = 0;
  for (let i = 0; i < expected.length; i++) {
    if (!sameValue(actual[i], expected[i])) {
      n++;
      first.value ??= `${label} index ${i}: actual ${actual[i]} expected ${expected[i]}`;
    }
  }
  return n;
}

/** Largest |a - b| / (|b| + floor) over entries where b is finite. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>, floor: number): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) if (Number.isFinite(b[i])) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (Math.abs(b[i]) + floor));
  return worst;
}

/**
 * Largest gradient error relative to the size of the row's terms, |dy| (1 + |loss|) / spread: entries
 * that cancel (the label's and the first's, s - t) are only as exact as the terms they cancel.
 */
function gradError(a: ArrayLike<number>, b: ArrayLike<number>, loss64: ArrayLike<number>, p: { logits: Float32Array; dy: Float32Array }, c: DlrCase): number {
  let worst = 0;
  for (let r = 0; r < c.rows; r++) {
    if (!Number.isFinite(loss64[r])) continue;
    const sorted = Array.from(p.logits.subarray(r * c.classes, (r + 1) * c.classes)).sort((x, y) => y - x);
    const scale = (Math.abs(p.dy[r]) * (1 + Math.abs(loss64[r]))) / (sorted[0] - sorted[2] + 1e-12);
    if (scale === 0) continue;
    for (let k = 0; k < c.classes; k++) worst = Math.max(worst, Math.abs(a[r * c.classes + k] - b[r * c.classes + k]) / scale);
  }
  return worst;
}

export async function poisoned(n: number): Promise<void> {
  const p = tf.fill([n], POISON);
  await p.data();
  p.dispose();
}

export async function runDlrCase(c: DlrCase, runSeed: number): Promise<DlrReport> {
  const backend = tf.backend() as WebGPUBackend;
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  const seed = caseSeed(runSeed, c.name);
  const p = dlrInputs(c, seed);
  const loss32 = engine.dlrLossReference(p.logits, p.labels, c.rows, c.classes);
  const grad32 = engine.dlrLossGradReference(p.logits, p.labels, p.dy, c.rows, c.classes);
  const loss64 = dlrLoss64(p.logits, p.labels, c.rows, c.classes);
  const grad64 = dlrLossGrad64(p.logits, p.labels, p.dy, c.rows, c.classes);
  const { value, errors } = await withGpuErrorScope(backend.device, async () => {
    const logits = tf.tensor2d(p.logits, [c.rows, c.classes]);
    const labels = tf.tensor2d(p.labels, [c.rows, c.classes]);
    const dy = tf.tensor1d(p.dy);
    for (const t of [logits, labels, dy]) backend.uploadToGPU(t.dataId);
    const before = tf.memory().numTensors;
    await poisoned(c.rows);
    const loss = lib.dlrLoss(logits, labels);
    const lossValues = (await loss.data()) as Float32Array;
    loss.dispose();
    await poisoned(c.rows * c.classes);
    const grad = tf.engine().runKernel(engine.DlrLossGrad, { logits, labels, dy }) as tf.Tensor;
    const gradValues = (await grad.data()) as Float32Array;
    grad.dispose();
    const tape = tf.grad((l: tf.Tensor) => tf.sum(tf.mul(lib.dlrLoss(l, labels), dy)))(logits);
    const tapeValues = (await tape.data()) as Float32Array;
    tape.dispose();
    const leakedTensors = tf.memory().numTensors - before;
    tf.dispose([logits, labels, dy]);
    return { lossValues, gradValues, tapeValues, leakedTensors };
  });
  const first = { value: null as string | null };
  let poisonLeft = 0;
  for (const v of [...value.lossValues, ...value.gradValues]) if (v === Math.fround(POISON)) poisonLeft++;
  // tf.grad's dy reaches the kernel as mul's gradient: dy exactly (1 * dy), so the same bits.
  return {
    name: c.name,
    seed,
    lossMismatches: mismatches(value.lossValues, loss32, 'loss', first),
    gradMismatches: mismatches(value.gradValues, grad32, 'grad', first),
    firstMismatch: first.value,
    tapeMismatches: mismatches(value.tapeValues, grad32, 'tape', first),
    poisonLeft,
    lossRelError: relError(loss32, loss64, 1e-6),
    gradRelError: gradError(grad32, grad64, loss64, p, c),
    leakedTensors: value.leakedTensors,
    gpuErrors: errors,
  };
}

export type ApgdInputs = 'random' | 'nan' | 'edges';
export interface ApgdStepCase {
  name: string;
  rows: number;
  rowSize: number;
  vec4: boolean;
  momentum: number;
  inputs: ApgdInputs;
}

export const apgdStepCases: ApgdStepCase[] = (
  [
    [1, 1],
    [3, 1],
    [1, 4],
    [5, 63],
    [7, 312],
    [3, 784],
  ] as const
).flatMap(([rows, rowSize]) =>
  ((rows * rowSize) % 4 === 0 ? [true, false] : [false]).flatMap((vec4) =>
    [1, 0.75].flatMap((momentum) =>
      (['random', 'nan', 'edges'] as ApgdInputs[]).map((inputs) => ({
        name: `apgd_step rows=${rows} rowSize=${rowSize} vec4=${vec4} a=${momentum} inputs=${inputs}`,
        rows,
        rowSize,
        vec4,
        momentum,
        inputs,
      })),
    ),
  ),
);

export interface ApgdStepReport {
  name: string;
  seed: number;
  mismatches: number;
  firstMismatch: string | null;
  fallbackMismatches: number;
  poisonLeft: number;
  widthUsed: boolean;
  leakedTensors: number;
  gpuErrors: string[];
}

export async function runApgdStepCase(c: ApgdStepCase, runSeed: number): Promise<ApgdStepReport> {
  const backend = tf.backend() as WebGPUBackend;
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  tf.env().set(engine.FLAG_VEC4, c.vec4);
  const seed = caseSeed(runSeed, c.name);
  const rand = lib.seededRandom(seed);
  const n = c.rows * c.rowSize;
  const edges = c.inputs === 'edges';
  const epsilon = edges ? 0.1 : 0.01 + rand() * 0.3;
  const clipMin = edges ? -0.25 : 0;
  const clipMax = edges ? 0.5 : 1;
  const x0 = Float32Array.from({ length: n }, () => (edges ? [clipMin, clipMax, clipMin - 1, clipMax + 1, 0, -0][Math.floor(rand() * 6)] : rand()));
  const around = () => Float32Array.from(x0, (v) => v + epsilon * (2 * rand() - 1) * (edges ? 3 : 1));
  const xCur = around();
  const xPrev = around();
  const grad = Float32Array.from({ length: n }, () => (edges ? [0, -0, NaN, Infinity, -Infinity, 1e-30, -1e30, 0.5][Math.floor(rand() * 8)] : (rand() - 0.5) * 10 ** (4 * rand() - 2)));
  if (c.inputs === 'nan') for (const a of [xCur, xPrev, x0, grad]) for (let i = 0; i < n; i++) if (rand() < 0.05) a[i] = NaN;
  const stepSize = Float32Array.from({ length: c.rows }, () => 2 * epsilon * 2 ** -Math.floor(rand() * 4));
  const params = { epsilon, momentum: c.momentum, clipMin, clipMax };
  const expected = engine.apgdStepReference(xCur, xPrev, x0, grad, stepSize, params);
  const shape = [c.rows, c.rowSize];
  const { value, errors } = await withGpuErrorScope(backend.device, async () => {
    const t = [xCur, xPrev, x0, grad].map((a) => tf.tensor2d(a, shape as [number, number]));
    const eta = tf.tensor1d(stepSize);
    for (const u of [...t, eta]) backend.uploadToGPU(u.dataId);
    const before = tf.memory().numTensors;
    await poisoned(n);
    const out = lib.apgdStep(t[0], t[1], t[2], t[3], eta, params);
    const actual = (await out.data()) as Float32Array;
    out.dispose();
    const leakedTensors = tf.memory().numTensors - before;
    const fb = engine.apgdStepComposed(t[0], t[1], t[2], t[3], eta, params);
    const fallback = (await fb.data()) as Float32Array;
    tf.dispose([fb, ...t, eta]);
    return { actual, fallback, leakedTensors };
  });
  tf.env().set(engine.FLAG_VEC4, true);
  const first = { value: null as string | null };
  let poisonLeft = 0;
  for (const v of value.actual) if (v === Math.fround(POISON)) poisonLeft++;
  const key = `ApgdStep_${c.vec4 && c.rowSize % 4 === 0 ? 'vec4' : 'scalar'}`;
  return {
    name: c.name,
    seed,
    mismatches: mismatches(value.actual, expected, 'fused', first),
    firstMismatch: first.value,
    fallbackMismatches: mismatches(value.fallback, expected, 'fallback', { value: null }),
    poisonLeft,
    widthUsed: Object.keys((backend as unknown as { pipelineCache: object }).pipelineCache).some((k) => k.startsWith(key)),
    leakedTensors: value.leakedTensors,
    gpuErrors: errors,
  };
}
