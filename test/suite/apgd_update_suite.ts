// The ApgdUpdate kernel cases (APGD's fused bookkeeping: the misclassified point, the best point and its
// gradient), for the Node (Dawn) and Chromium suites: [rows, rowSize] batches, vec4 and scalar, the wrong
// flags as bool or as float32, NaN losses; each output against the CPU reference (bit for bit) and the
// stock-op fallback, poisoned first, in one GPU error scope.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import * as lib from '../../dist/index.js';
import * as engine from '../../dist/engine.js';
import { mismatches, poisoned } from './apgd_suite';
import { caseSeed } from './cases';
import { POISON, withGpuErrorScope } from './kernel_suite';

export interface ApgdUpdateCase {
  name: string;
  rows: number;
  rowSize: number;
  vec4: boolean;
  wrong: 'bool' | 'float32';
  nanLoss: boolean;
}

export const apgdUpdateCases: ApgdUpdateCase[] = ([[1, 1], [3, 1], [1, 4], [1, 2179], [2179, 1], [5, 63], [7, 312], [4, 784]] as const).flatMap(([rows, rowSize]) =>
  (rowSize % 4 === 0 ? [true, false] : [false]).flatMap((vec4) =>
    (['bool', 'float32'] as const).flatMap((wrong) =>
      [false, true].map((nanLoss) => ({ name: `apgd_update rows=${rows} rowSize=${rowSize} vec4=${vec4} wrong=${wrong} nanLoss=${nanLoss}`, rows, rowSize, vec4, wrong, nanLoss })),
    ),
  ),
);

export interface ApgdUpdateReport {
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

export async function runApgdUpdateCase(c: ApgdUpdateCase, runSeed: number): Promise<ApgdUpdateReport> {
  const backend = tf.backend() as WebGPUBackend;
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  tf.env().set(engine.FLAG_VEC4, c.vec4);
  const seed = caseSeed(runSeed, c.name);
  const rand = lib.seededRandom(seed);
  const n = c.rows * c.rowSize;
  const big = () => Float32Array.from({ length: n }, () => (rand() < 0.02 ? NaN : rand() * 2 - 1));
  const [next, grad, xFooled, xBest, gradBest] = [big(), big(), big(), big(), big()];
  const lossBest = Float32Array.from({ length: c.rows }, () => rand());
  // Equal losses (not an improvement), higher and lower ones, NaN on either side.
  const loss = Float32Array.from(lossBest, (b) => [b, b + 0.1, b - 0.1, c.nanLoss ? NaN : b + 1][Math.floor(rand() * 4)]);
  if (c.nanLoss) lossBest[0] = NaN;
  const wrong = Float32Array.from({ length: c.rows }, () => (rand() < 0.5 ? 1 : c.wrong === 'float32' && rand() < 0.5 ? -0 : 0));
  const expected = engine.apgdUpdateReference(next, grad, xFooled, xBest, gradBest, loss, lossBest, wrong);
  const shape = [c.rows, c.rowSize] as [number, number];
  const { value, errors } = await withGpuErrorScope(backend.device, async () => {
    const t = [next, grad, xFooled, xBest, gradBest].map((a) => tf.tensor2d(a, shape));
    const rows = [tf.tensor1d(loss), tf.tensor1d(lossBest), c.wrong === 'bool' ? tf.tensor1d(Array.from(wrong, (w) => w !== 0), 'bool') : tf.tensor1d(wrong)];
    for (const u of [...t, ...rows]) backend.uploadToGPU(u.dataId);
    const before = tf.memory().numTensors;
    await poisoned(3 * n);
    const out = engine.apgdUpdate(t[0], t[1], t[2], t[3], t[4], rows[0], rows[1], rows[2]);
    const actual = await Promise.all(out.map(async (o) => (await o.data()) as Float32Array));
    tf.dispose(out);
    const leakedTensors = tf.memory().numTensors - before;
    const fb = engine.apgdUpdateComposed(t[0], t[1], t[2], t[3], t[4], rows[0], rows[1], rows[2]);
    const fallback = await Promise.all(fb.map(async (o) => (await o.data()) as Float32Array));
    tf.dispose([...fb, ...t, ...rows]);
    return { actual, fallback, leakedTensors };
  });
  tf.env().set(engine.FLAG_VEC4, true);
  const first = { value: null as string | null };
  let poisonLeft = 0;
  for (const a of value.actual) for (const v of a) if (v === Math.fround(POISON)) poisonLeft++;
  const names = ['xFooled', 'xBest', 'gradBest'];
  const key = `ApgdUpdateBest_${c.vec4 && c.rowSize % 4 === 0 ? 'vec4' : 'scalar'}`;
  const cache = engine.multiOutputPipelineKeys(backend.device);
  return {
    name: c.name,
    seed,
    mismatches: value.actual.reduce((sum, a, k) => sum + mismatches(a, expected[k], names[k], first), 0),
    firstMismatch: first.value,
    fallbackMismatches: value.fallback.reduce((sum, a, k) => sum + mismatches(a, expected[k], `fallback ${names[k]}`, { value: null }), 0),
    poisonLeft,
    widthUsed: cache.some((k) => k.startsWith(key)),
    leakedTensors: value.leakedTensors,
    gpuErrors: errors,
  };
}
