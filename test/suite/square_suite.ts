// The Square attack's kernel cases, for the Node (Dawn) and Chromium suites: named cases (kernel, odd
// shapes, square sides, input kind), fresh random inputs from the run seed, poisoned output buffers, one
// GPU error scope, the fused kernel against its float32 CPU reference (bit for bit for the L-inf,
// margin and accept kernels; the L2 kernels' square roots and divisions within 1e-5, bit for bit on
// SwiftShader), and the L2 references against float64.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import * as lib from '../../dist/index.js';
import * as engine from '../../dist/engine.js';
import { caseSeed } from './cases';
import { POISON, sameValue, withGpuErrorScope } from './kernel_suite';

export type SquareKernelId = 'margin' | 'accept' | 'linf_init' | 'linf_candidate' | 'l2_init' | 'l2_stats' | 'l2_candidate';
export type SquareInputs = 'random' | 'edges' | 'nan';

export interface SquareCase {
  name: string;
  kernel: SquareKernelId;
  /** [points, h, w, c]; for margin [rows, classes, 1, 1]. */
  shape: [number, number, number, number];
  side: number;
  inputs: SquareInputs;
}

const IMAGE_SHAPES: [number, number, number, number][] = [
  [1, 1, 1, 1],
  [1, 5, 5, 1],
  [3, 7, 9, 2],
  [2, 28, 28, 1],
  [5, 11, 6, 3],
];
const INPUTS: SquareInputs[] = ['random', 'edges', 'nan'];

/** Sides 1, the middle and the image's smaller side (the query kernels); one side for the others. */
const sidesOf = (kernel: SquareKernelId, [, h, w]: number[]): number[] => {
  if (!kernel.endsWith('candidate') && kernel !== 'l2_stats') return [1];
  const most = Math.min(h, w);
  return [...new Set([1, Math.floor(most / 2) + 1, most])].filter((s) => s <= most);
};

const shapeName = (s: number[]) => s.join('x');

export const squareCases: SquareCase[] = [
  ...[1, 3, 65, 257].flatMap((rows) =>
    [2, 10, 100].flatMap((classes) => INPUTS.map((inputs) => ({ name: `square_margin rows=${rows} classes=${classes} inputs=${inputs}`, kernel: 'margin' as const, shape: [rows, classes, 1, 1] as SquareCase['shape'], side: 1, inputs }))),
  ),
  ...[[1, 1, 1, 1], [3, 5, 7, 1], [65, 28, 28, 1], [4, 9, 9, 3]].flatMap((shape) =>
    INPUTS.map((inputs) => ({ name: `square_accept shape=${shapeName(shape)} inputs=${inputs}`, kernel: 'accept' as const, shape: shape as SquareCase['shape'], side: 1, inputs })),
  ),
  ...(['linf_init', 'linf_candidate', 'l2_init', 'l2_stats', 'l2_candidate'] as SquareKernelId[]).flatMap((kernel) =>
    IMAGE_SHAPES.flatMap((shape) =>
      sidesOf(kernel, shape).flatMap((side) => INPUTS.map((inputs) => ({ name: `square_${kernel} shape=${shapeName(shape)} side=${side} inputs=${inputs}`, kernel, shape, side, inputs }))),
    ),
  ),
];

export interface SquareReport {
  name: string;
  seed: number;
  /** Outputs that differ from the float32 reference at all, and beyond the tolerance (L2 kernels: 1e-5). */
  mismatches: number;
  beyondTolerance: number;
  firstMismatch: string | null;
  exact: boolean;
  poisonLeft: number;
  /** L2 stats and candidate: largest error of the float32 reference against float64, relative to 1 + |value|. */
  float64Error: number;
  /** The cpu backend's kernel against the reference (run by the Node suite only; -1 when not run). */
  cpuMismatches: number;
  leakedTensors: number;
  gpuErrors: string[];
}

interface Made {
  inputs: Record<string, { values: Float32Array; shape: number[] }>;
  attrs: { epsilon: number; seed: number; step: number; side: number; clipMin: number; clipMax: number };
}

/** Fresh inputs of a case from its seed. */
export function squareInputs(c: SquareCase, seed: number): Made {
  const rand = lib.seededRandom(seed);
  const [rows, h, w, ch] = c.shape;
  const n = rows * h * w * ch;
  const edges = c.inputs === 'edges';
  const nan = c.inputs === 'nan';
  const l2 = c.kernel.startsWith('l2');
  const epsilon = edges ? (l2 ? 1 : 0.1) : l2 ? 0.1 + rand() * 3 : 0.01 + rand() * 0.3;
  const clipMin = edges ? -0.25 : 0;
  const clipMax = edges ? 0.5 : 1;
  const attrs = { epsilon, seed: Math.floor(rand() * 2 ** 32), step: 1 + Math.floor(rand() * 9000), side: c.side, clipMin, clipMax };
  const poke = (a: Float32Array) => {
    if (nan) for (let i = 0; i < a.length; i++) if (rand() < 0.05) a[i] = NaN;
    return a;
  };
  if (c.kernel === 'margin') {
    const logits = Float32Array.from({ length: rows * h }, () => (edges ? Math.floor(rand() * 3) - 1 : (rand() - 0.5) * 20));
    const labels = new Float32Array(rows * h);
    for (let r = 0; r < rows; r++) labels[r * h + Math.floor(rand() * h)] = 1;
    if (edges && rows > 1) labels.fill(0.5, h, 2 * h); // a soft row: its first entry is the label
    return { inputs: { logits: { values: poke(logits), shape: [rows, h] }, labels: { values: labels, shape: [rows, h] } }, attrs };
  }
  const x0 = Float32Array.from({ length: n }, () => (edges ? [clipMin, clipMax, clipMin - 1, clipMax + 1, 0, -0, 0.3][Math.floor(rand() * 7)] : rand()));
  const scale = l2 ? epsilon / Math.sqrt(h * w * ch) : epsilon;
  const xBest = Float32Array.from(x0, (v) => Math.min(Math.max(v + scale * (2 * rand() - 1) * (edges ? 3 : 1), clipMin), clipMax));
  // Distinct ids, not 0..rows-1: the draws must follow the id, not the row.
  const rowIds = Float32Array.from({ length: rows }, (_, r) => r * 37 + Math.floor(rand() * 37));
  const image = (values: Float32Array) => ({ values, shape: [rows, h, w, ch] });
  if (c.kernel === 'accept') {
    const pick = () => (edges ? [0, -0, 1, -1, 0.5, NaN][Math.floor(rand() * 6)] : (rand() - 0.3) * 4);
    const marginBest = Float32Array.from({ length: rows }, pick);
    const margin = Float32Array.from(marginBest, (b) => (rand() < 0.2 ? b : pick()));
    return { inputs: { xNew: image(poke(xBest)), xBest: image(x0), margin: { values: poke(margin), shape: [rows] }, marginBest: { values: marginBest, shape: [rows] } }, attrs };
  }
  const inputs: Made['inputs'] = { x0: image(poke(x0)), rowIds: { values: rowIds, shape: [rows] } };
  if (c.kernel.endsWith('candidate') || c.kernel === 'l2_stats') inputs.xBest = image(poke(xBest));
  if (l2) {
    const side = c.kernel === 'l2_init' ? lib.squareL2InitGrid(h, w).s : c.side;
    inputs.eta = { values: lib.squareEta(side), shape: [side * side] };
  }
  if (c.kernel === 'l2_candidate') {
    const shape = { rows, height: h, width: w, channels: ch };
    inputs.stats = { values: engine.squareL2StatsReference(inputs.xBest.values, inputs.x0.values, rowIds, inputs.eta.values, shape, attrs) as Float32Array, shape: [rows, ch, engine.L2_STATS] };
  }
  return { inputs, attrs };
}

const imageShape = (m: Made) => {
  const [rows, height, width, channels] = (m.inputs.x0 ?? m.inputs.xBest).shape;
  return { rows, height, width, channels };
};

/** The float32 (or float64) reference outputs of a case. */
export function squareExpected(c: SquareCase, m: Made, float64 = false): (Float32Array | Float64Array)[] {
  const v = (name: string) => m.inputs[name].values;
  switch (c.kernel) {
    case 'margin':
      return [engine.squareMarginReference(v('logits'), v('labels'), c.shape[0], c.shape[1])];
    case 'accept':
      return engine.squareAcceptReference(v('xNew'), v('xBest'), v('margin'), v('marginBest'));
    case 'linf_init':
      return [engine.squareLinfInitReference(v('x0'), v('rowIds'), imageShape(m), m.attrs)];
    case 'linf_candidate':
      return [engine.squareLinfCandidateReference(v('xBest'), v('x0'), v('rowIds'), imageShape(m), m.attrs)];
    case 'l2_init':
      return [engine.squareL2InitReference(v('x0'), v('rowIds'), v('eta'), imageShape(m), m.attrs)];
    case 'l2_stats':
      return [engine.squareL2StatsReference(v('xBest'), v('x0'), v('rowIds'), v('eta'), imageShape(m), m.attrs, float64)];
    case 'l2_candidate':
      return [engine.squareL2CandidateReference(v('xBest'), v('x0'), v('rowIds'), v('eta'), v('stats'), imageShape(m), m.attrs, float64)];
  }
}

/** The case's op on tensors (the public ops: argument checks, then the kernel of the active backend). */
export function squareRun(c: SquareCase, t: Record<string, tf.Tensor>, a: Made['attrs']): tf.Tensor[] {
  const bounds = { clipMin: a.clipMin, clipMax: a.clipMax };
  const start = { epsilon: a.epsilon, seed: a.seed, ...bounds };
  const query = { ...start, step: a.step, side: a.side };
  const x = t as Record<string, tf.Tensor4D> & Record<'rowIds' | 'margin' | 'marginBest', tf.Tensor1D>;
  switch (c.kernel) {
    case 'margin':
      return [lib.squareMargin(t.logits, t.labels)];
    case 'accept':
      return lib.squareAccept(x.xNew, x.xBest, x.margin, x.marginBest);
    case 'linf_init':
      return [lib.squareLinfInit(x.x0, x.rowIds, start)];
    case 'linf_candidate':
      return [lib.squareLinfCandidate(x.xBest, x.x0, x.rowIds, query)];
    case 'l2_init':
      return [lib.squareL2Init(x.x0, x.rowIds, start)];
    case 'l2_stats':
      return [lib.squareL2Stats(x.xBest, x.x0, x.rowIds, t.eta, query)];
    case 'l2_candidate':
      return [lib.squareL2Candidate(x.xBest, x.x0, x.rowIds, t.eta, t.stats, query)];
  }
}

const TOLERANT: SquareKernelId[] = ['l2_stats', 'l2_candidate', 'l2_init'];

export async function runSquareCase(c: SquareCase, runSeed: number): Promise<SquareReport> {
  const backend = tf.backend() as WebGPUBackend;
  if (tf.getBackend() !== 'webgpu') throw new Error(`the active backend is ${tf.getBackend()}, not webgpu`);
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  const seed = caseSeed(runSeed, c.name);
  const m = squareInputs(c, seed);
  const expected = squareExpected(c, m);
  const { value, errors } = await withGpuErrorScope(backend.device, async () => {
    const t = Object.fromEntries(Object.entries(m.inputs).map(([k, v]) => [k, tf.tensor(v.values, v.shape, 'float32')]));
    for (const u of Object.values(t)) backend.uploadToGPU(u.dataId);
    const before = tf.memory().numTensors;
    for (const e of expected) {
      const p = tf.fill([e.length], POISON);
      await p.data();
      p.dispose();
    }
    const outs = squareRun(c, t, m.attrs);
    const actual = await Promise.all(outs.map(async (o) => (await o.data()) as Float32Array));
    tf.dispose(outs);
    const leakedTensors = tf.memory().numTensors - before;
    tf.dispose(Object.values(t));
    return { actual, leakedTensors };
  });
  const tolerance = TOLERANT.includes(c.kernel) ? 1e-5 : 0;
  let mismatches = 0;
  let beyondTolerance = 0;
  let poisonLeft = 0;
  let firstMismatch: string | null = null;
  let firstOff: string | null = null;
  expected.forEach((e, k) => {
    const a = value.actual[k];
    for (let i = 0; i < e.length; i++) {
      if (a[i] === Math.fround(POISON)) poisonLeft++;
      if (sameValue(a[i], e[i])) continue;
      mismatches++;
      const off = !(Math.abs(a[i] - e[i]) <= tolerance * (1 + Math.abs(e[i])));
      const where = `output ${k} index ${i}: actual ${a[i]} expected ${e[i]}`;
      if (off && beyondTolerance++ === 0) firstOff = where;
      firstMismatch ??= where;
    }
  });
  let float64Error = 0;
  // Side-1 windows are left out: there eta = -1 and delta / (1e-12 + n1) is +-1 in float32, so the new
  // window e cancels to 0 exactly, while float64 keeps a 1e-12 / n1 residue that the division by ||e||
  // blows up (the reference's formula is as ill-conditioned there; the attack's L2 squares are >= 3).
  if ((c.kernel === 'l2_stats' || c.kernel === 'l2_candidate') && c.side >= 3) {
    const e64 = squareExpected(c, m, true)[0];
    for (let i = 0; i < e64.length; i++) if (Number.isFinite(e64[i])) float64Error = Math.max(float64Error, Math.abs(expected[0][i] - e64[i]) / (1 + Math.abs(e64[i])));
  }
  return { name: c.name, seed, mismatches, beyondTolerance, firstMismatch: firstOff ?? firstMismatch, exact: tolerance === 0, poisonLeft, float64Error, cpuMismatches: -1, leakedTensors: value.leakedTensors, gpuErrors: errors };
}
