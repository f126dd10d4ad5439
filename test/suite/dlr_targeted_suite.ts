// The targeted DLR kernel cases (DlrTargetedLoss, DlrTargetedLossGrad; APGD-T's loss), for the Node (Dawn) and
// Chromium suites: named cases, fresh random inputs from the run seed, poisoned outputs, one GPU error scope,
// the fused kernels and tf.grad through the op against the float32 CPU references (bit for bit, NaN equal to
// NaN) and the references against float64.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import * as lib from '../../dist/index.js';
import * as engine from '../../dist/engine.js';
import { mismatches, poisoned, relError } from './apgd_suite';
import { caseSeed } from './cases';
import { POISON, withGpuErrorScope } from './kernel_suite';
import { dlrTargetedLoss64, dlrTargetedLossGrad64 } from './dlr_reference';

export type DlrTargetedInputs = 'random' | 'ties' | 'nan' | 'huge' | 'target_is_label';
export interface DlrTargetedCase {
  name: string;
  rows: number;
  classes: number;
  inputs: DlrTargetedInputs;
}

export const dlrTargetedCases: DlrTargetedCase[] = [1, 3, 65, 257].flatMap((rows) =>
  [4, 10, 100].flatMap((classes) =>
    (['random', 'ties', 'nan', 'huge', 'target_is_label'] as DlrTargetedInputs[]).map((inputs) => ({ name: `dlr_targeted rows=${rows} classes=${classes} inputs=${inputs}`, rows, classes, inputs })),
  ),
);

export interface DlrTargetedInputValues {
  logits: Float32Array;
  labels: Float32Array;
  targets: Float32Array;
  dy: Float32Array;
}

export function dlrTargetedInputs(c: DlrTargetedCase, seed: number): DlrTargetedInputValues {
  const rand = lib.seededRandom(seed);
  const n = c.rows * c.classes;
  const logits = new Float32Array(n);
  const labels = new Float32Array(n);
  const targets = new Float32Array(n);
  const dy = Float32Array.from({ length: c.rows }, () => rand() * 2 - 0.5);
  for (let r = 0; r < c.rows; r++) {
    const label = Math.floor(rand() * c.classes);
    labels[r * c.classes + label] = 1;
    targets[r * c.classes + (c.inputs === 'target_is_label' && r % 2 === 0 ? label : Math.floor(rand() * c.classes))] = 1;
    for (let k = 0; k < c.classes; k++) {
      const i = r * c.classes + k;
      if (c.inputs === 'ties') logits[i] = Math.floor(rand() * 3) - 1;
      else if (c.inputs === 'huge') logits[i] = (rand() - 0.5) * 1e30;
      else logits[i] = (rand() - 0.5) * 20;
      if (c.inputs === 'nan' && rand() < 0.3 / c.classes) logits[i] = NaN;
    }
    // An all-equal row: spread 1e-12, margin 0.
    if (c.inputs === 'ties' && r === 0) logits.fill(0.5, 0, c.classes);
  }
  return { logits, labels, targets, dy };
}

export interface DlrTargetedReport {
  name: string;
  seed: number;
  lossMismatches: number;
  gradMismatches: number;
  /** tf.grad through dlrTargetedLoss (a sum weighted by dy) against the gradient reference. */
  tapeMismatches: number;
  firstMismatch: string | null;
  poisonLeft: number;
  /** Largest relative error of the float32 references against float64 (loss; gradient relative to its terms). */
  lossRelError: number;
  gradRelError: number;
  leakedTensors: number;
  gpuErrors: string[];
}

/** Largest gradient error relative to the size of the row's terms, |dy| (1 + |loss|) / spread (float64). */
function gradError(a: ArrayLike<number>, b: ArrayLike<number>, loss64: ArrayLike<number>, p: DlrTargetedInputValues, c: DlrTargetedCase): number {
  let worst = 0;
  for (let r = 0; r < c.rows; r++) {
    if (!Number.isFinite(loss64[r])) continue;
    const s = Array.from(p.logits.subarray(r * c.classes, (r + 1) * c.classes)).sort((x, y) => y - x);
    const scale = (Math.abs(p.dy[r]) * (1 + Math.abs(loss64[r]))) / (s[0] - 0.5 * (s[2] + s[3]) + 1e-12);
    if (scale === 0) continue;
    for (let k = 0; k < c.classes; k++) worst = Math.max(worst, Math.abs(a[r * c.classes + k] - b[r * c.classes + k]) / scale);
  }
  return worst;
}

export async function runDlrTargetedCase(c: DlrTargetedCase, runSeed: number): Promise<DlrTargetedReport> {
  const backend = tf.backend() as WebGPUBackend;
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  const seed = caseSeed(runSeed, c.name);
  const p = dlrTargetedInputs(c, seed);
  const loss32 = engine.dlrTargetedLossReference(p.logits, p.labels, p.targets, c.rows, c.classes);
  const grad32 = engine.dlrTargetedLossGradReference(p.logits, p.labels, p.targets, p.dy, c.rows, c.classes);
  const logits64 = Float64Array.from(p.logits);
  const loss64 = dlrTargetedLoss64(logits64, p.labels, p.targets, c.rows, c.classes);
  const grad64 = dlrTargetedLossGrad64(logits64, p.labels, p.targets, p.dy, c.rows, c.classes);
  const { value, errors } = await withGpuErrorScope(backend.device, async () => {
    const shape = [c.rows, c.classes] as [number, number];
    const logits = tf.tensor2d(p.logits, shape);
    const labels = tf.tensor2d(p.labels, shape);
    const targets = tf.tensor2d(p.targets, shape);
    const dy = tf.tensor1d(p.dy);
    for (const t of [logits, labels, targets, dy]) backend.uploadToGPU(t.dataId);
    const before = tf.memory().numTensors;
    await poisoned(c.rows);
    const loss = lib.dlrTargetedLoss(logits, labels, targets);
    const lossValues = (await loss.data()) as Float32Array;
    loss.dispose();
    await poisoned(c.rows * c.classes);
    const grad = tf.engine().runKernel(engine.DlrTargetedLossGrad, { logits, labels, targets, dy }) as tf.Tensor;
    const gradValues = (await grad.data()) as Float32Array;
    grad.dispose();
    const tape = tf.grad((l: tf.Tensor) => tf.sum(tf.mul(lib.dlrTargetedLoss(l, labels, targets), dy)))(logits);
    const tapeValues = (await tape.data()) as Float32Array;
    tape.dispose();
    const leakedTensors = tf.memory().numTensors - before;
    tf.dispose([logits, labels, targets, dy]);
    return { lossValues, gradValues, tapeValues, leakedTensors };
  });
  const first = { value: null as string | null };
  let poisonLeft = 0;
  for (const v of [...value.lossValues, ...value.gradValues]) if (v === Math.fround(POISON)) poisonLeft++;
  return {
    name: c.name,
    seed,
    lossMismatches: mismatches(value.lossValues, loss32, 'loss', first),
    gradMismatches: mismatches(value.gradValues, grad32, 'grad', first),
    tapeMismatches: mismatches(value.tapeValues, grad32, 'tape', first),
    firstMismatch: first.value,
    poisonLeft,
    lossRelError: relError(loss32, loss64, 1e-6),
    gradRelError: gradError(grad32, grad64, loss64, p, c),
    leakedTensors: value.leakedTensors,
    gpuErrors: errors,
  };
}
