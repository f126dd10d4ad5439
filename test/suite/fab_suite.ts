// FAB's projection and step kernels as table-driven cases for the Node (Dawn) and Chromium suites: fresh
// random rows from the run seed (pixels in [0, 1], some exactly 0 or 1; normals of random scale, some
// zero or below 1e-8; offsets on the plane, near it, out of reach or anywhere), poisoned output buffers,
// one GPU error scope. The fused kernels and the stock-op fallback are compared with the float64 port of
// the reference's projection_linf / projection_l2 within the rounding a float32 row sum allows (scaled by
// how ill-conditioned the row is); FabProjectionApply and FabStep against their float32 references.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import * as lib from '../../dist/index.js';
import * as engine from '../../dist/engine.js';
import { caseSeed } from './cases';
import { POISON, withGpuErrorScope } from './kernel_suite';

export type FabNorm = 'linf' | 'l2';
export type FabInputs = 'random' | 'mnist' | 'zeros' | 'wzero' | 'tiny' | 'onplane' | 'near' | 'far' | 'nan';
export const FAB_INPUTS: FabInputs[] = ['random', 'mnist', 'zeros', 'wzero', 'tiny', 'onplane', 'near', 'far', 'nan'];

export interface FabCase {
  name: string;
  rows: number;
  cols: number;
  norm: FabNorm;
  inputs: FabInputs;
}

export const fabCases: FabCase[] = [1, 37].flatMap((rows) =>
  [1, 2, 7, 784, 785].flatMap((cols) =>
    (['linf', 'l2'] as FabNorm[]).flatMap((norm) => FAB_INPUTS.map((inputs) => ({ name: `fab_projection rows=${rows} cols=${cols} norm=${norm} inputs=${inputs}`, rows, cols, norm, inputs }))),
  ),
);

export interface FabRows {
  t: Float32Array;
  w: Float32Array;
  b: Float32Array;
  /** Rows given a NaN (inputs 'nan'). */
  nanRows: Set<number>;
}

/** Rows of one case: MNIST-like pixels, normals of scale 1e-3..10, offsets by the case's kind. */
export function fabRows(c: FabCase, seed: number): FabRows {
  const rand = lib.seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const { rows, cols } = c;
  const t = new Float32Array(rows * cols);
  const w = new Float32Array(rows * cols);
  const b = new Float32Array(rows);
  const nanRows = new Set<number>();
  for (let r = 0; r < rows; r++) {
    const scale = 10 ** (4 * rand() - 3);
    let dot = 0;
    let reach = 0;
    for (let i = r * cols; i < (r + 1) * cols; i++) {
      const u = rand();
      t[i] = c.inputs === 'mnist' && u < 0.4 ? 0 : c.inputs === 'mnist' && u > 0.85 ? 1 : rand();
      w[i] = c.inputs === 'wzero' || (c.inputs === 'zeros' && rand() < 0.5) ? 0 : c.inputs === 'tiny' && rand() < 0.3 ? 1e-9 * gauss() : scale * gauss();
      dot += w[i] * t[i];
      reach += Math.abs(w[i]) * (w[i] < 0 ? 1 - t[i] : t[i]);
    }
    const fraction = { onplane: 0, near: 1e-3 * rand(), far: 1.5 + rand() }[c.inputs as string] ?? 1.1 * rand();
    b[r] = dot - (rand() < 0.5 ? 1 : -1) * fraction * reach;
    if (c.inputs === 'nan' && r % 3 === 0) {
      nanRows.add(r);
      const which = Math.floor(rand() * 3);
      if (which === 2) b[r] = NaN;
      else (which === 0 ? t : w)[r * cols + Math.floor(rand() * cols)] = NaN;
    }
  }
  return { t, w, b, nanRows };
}

/** The tolerance on lambda (and on |d_i| / |w_i| for L2) of each row: float32 row sums' rounding over the free weight. */
export function fabTolerances(p: FabRows, ref: { lambda: Float64Array }, c: FabCase): Float64Array {
  const tol = new Float64Array(c.rows);
  for (let r = 0; r < c.rows; r++) {
    let size = Math.abs(p.b[r]);
    let free = 0;
    for (let i = r * c.cols; i < (r + 1) * c.cols; i++) {
      const m = Math.abs(p.w[i]);
      const room = c.norm === 'linf' ? Math.max(p.t[i], 1 - p.t[i]) : m > 1e-8 ? Math.max(p.t[i], 1 - p.t[i]) / m : 0;
      const q = c.norm === 'linf' ? m : m > 1e-8 ? m * m : 0;
      size += m * Math.abs(p.t[i]) + q * room;
      if (q > 0 && room > ref.lambda[r]) free += q;
    }
    tol[r] = 1e-6 + (free > 0 ? (2e-5 * size) / free : 0);
  }
  return tol;
}

export interface FabReport {
  name: string;
  seed: number;
  /** Elements of d (fused, and stock-op fallback) outside the row's tolerance from the float64 port. */
  fusedMismatches: number;
  composedMismatches: number;
  firstMismatch: string | null;
  /** Rows whose norm (params[2]) is off the port's by more than the tolerance. */
  normMismatches: number;
  /** FabProjectionApply and FabStep against their float32 references on the kernel's own parameters. */
  applyMismatches: number;
  stepMismatches: number;
  stepComposedMismatches: number;
  /** NaN rows not entirely NaN, and non-NaN rows holding NaN. */
  nanMismatches: number;
  poisonLeft: number;
  leakedTensors: number;
  gpuErrors: string[];
}

async function poisoned(n: number): Promise<void> {
  const p = tf.fill([n], POISON);
  await p.data();
  p.dispose();
}

/** |a - b| within `tol` (NaN equal to NaN). */
const close = (a: number, b: number, tol: number) => (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= tol;

export async function runFabCase(c: FabCase, runSeed: number): Promise<FabReport> {
  const backend = tf.backend() as WebGPUBackend;
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  const seed = caseSeed(runSeed, c.name);
  const p = fabRows(c, seed);
  const ref = engine.fabProjectionReference(p.t, p.w, p.b, c.rows, c.cols, c.norm);
  const tol = fabTolerances(p, ref, c);
  const n = c.rows * c.cols;
  const step = { eta: 1.05, alphaMax: 0.1, norm: c.norm };
  const { value, errors } = await withGpuErrorScope(backend.device, async () => {
    const t = tf.tensor2d(p.t, [c.rows, c.cols]);
    const w = tf.tensor2d(p.w, [c.rows, c.cols]);
    const b = tf.tensor1d(p.b);
    // FabStep's inputs: the case's rows as the current points, pixels shifted as the clean ones.
    const x0 = tf.tensor2d(Float32Array.from(p.t, (v, i) => (i % 5 === 0 ? 1 - v : v)), [c.rows, c.cols]);
    for (const u of [t, w, b, x0]) backend.uploadToGPU(u.dataId);
    const before = tf.memory().numTensors;
    await poisoned(c.rows * 4);
    const paramsT = lib.fabHyperplane(t, w, b, { norm: c.norm });
    const params = (await paramsT.data()) as Float32Array;
    await poisoned(n);
    const dT = lib.fabProjection(t, w, b, { norm: c.norm });
    const d = (await dT.data()) as Float32Array;
    const composedT = tf.tidy(() => engine.fabApplyComposed(t, w, engine.fabHyperplaneComposed(t, w, b, c.norm === 'l2'), c.norm === 'l2'));
    const composed = (await composedT.data()) as Float32Array;
    const rows = [tf.concat([t, x0]), tf.concat([w, w]), tf.concat([b, b])];
    const stepParamsT = lib.fabHyperplane(rows[0], rows[1], rows[2], { norm: c.norm });
    await poisoned(n);
    const stepT = lib.fabStep(t, x0, w, stepParamsT, step);
    const stepped = (await stepT.data()) as Float32Array;
    const stepComposedT = engine.fabStepComposed(t, x0, w, stepParamsT, { l2: c.norm === 'l2', eta: step.eta, alphaMax: step.alphaMax });
    const stepComposed = (await stepComposedT.data()) as Float32Array;
    const stepParams = (await stepParamsT.data()) as Float32Array;
    const x0Values = (await x0.data()) as Float32Array;
    tf.dispose([paramsT, dT, composedT, ...rows, stepParamsT, stepT, stepComposedT]);
    const leakedTensors = tf.memory().numTensors - before;
    tf.dispose([t, w, b, x0]);
    return { params, d, composed, stepped, stepComposed, stepParams, x0Values, leakedTensors };
  });
  const v = value;
  const first = { value: null as string | null };
  const report: FabReport = { name: c.name, seed, fusedMismatches: 0, composedMismatches: 0, firstMismatch: null, normMismatches: 0, applyMismatches: 0, stepMismatches: 0, stepComposedMismatches: 0, nanMismatches: 0, poisonLeft: 0, leakedTensors: v.leakedTensors, gpuErrors: errors };
  for (const x of [...v.params, ...v.d, ...v.stepped]) if (x === Math.fround(POISON)) report.poisonLeft++;
  for (let r = 0; r < c.rows; r++) {
    const nanRow = p.nanRows.has(r);
    const rowValues = [...v.params.subarray(r * 4, r * 4 + 3), ...v.d.subarray(r * c.cols, (r + 1) * c.cols)];
    if (nanRow ? !rowValues.every(Number.isNaN) : rowValues.some(Number.isNaN)) report.nanMismatches++;
    if (nanRow) continue;
    const normTol = c.norm === 'linf' ? tol[r] : tol[r] * Math.sqrt(rowSquares(p.w, r, c.cols)) + 1e-6 * ref.norm[r];
    if (!close(v.params[r * 4 + 2], ref.norm[r], normTol)) report.normMismatches++;
    for (let i = r * c.cols; i < (r + 1) * c.cols; i++) {
      const e = c.norm === 'linf' ? tol[r] : tol[r] * Math.abs(p.w[i]) + 1e-6 * Math.abs(ref.d[i]);
      if (!close(v.d[i], ref.d[i], e)) {
        report.fusedMismatches++;
        first.value ??= `row ${r} index ${i - r * c.cols}: fused ${v.d[i]} reference ${ref.d[i]} (tolerance ${e}; lambda ${v.params[r * 4]} vs ${ref.lambda[r]})`;
      }
      // The stock-op fallback finds lambda through float32 cumulative sums over the sorted breakpoints,
      // which round more than the kernel's one pass: where the free weight is small against the row's size
      // (lambda ~2000 on two columns) its error reached 1.3x the kernel's bound (run seed 785557178, rows=37
      // cols=2 l2 mnist, row 32: lambda 1984.025 against 1984.092), so it gets 3x that bound.
      if (!close(v.composed[i], ref.d[i], 3 * e)) {
        report.composedMismatches++;
        first.value ??= `row ${r} index ${i - r * c.cols}: composed ${v.composed[i]} reference ${ref.d[i]} (tolerance ${3 * e})`;
      }
    }
  }
  report.firstMismatch = first.value;
  const applied = engine.fabApplyReference(p.t, p.w, v.params, c.cols, c.norm);
  const expectedStep = engine.fabStepReference(p.t, v.x0Values, p.w, v.stepParams, c.cols, step);
  // Element-wise formulas: equal up to a contraction into fused multiply-adds (a few float32 ulps).
  const ulps = (a: number, b: number) => close(a, b, 4 * 2 ** -24 * Math.max(1, Math.abs(b)));
  for (let i = 0; i < n; i++) {
    if (!ulps(v.d[i], applied[i])) report.applyMismatches++;
    if (!ulps(v.stepped[i], expectedStep[i])) report.stepMismatches++;
    if (!ulps(v.stepComposed[i], expectedStep[i])) report.stepComposedMismatches++;
  }
  return report;
}

function rowSquares(w: Float32Array, r: number, cols: number): number {
  let s = 0;
  for (let i = r * cols; i < (r + 1) * cols; i++) if (Math.abs(w[i]) > 1e-8) s += w[i] * w[i];
  return s;
}
