// The engine's Sum (reduce/sum_tree.ts and the column sum's fallbacks) gives tfjs-backend-webgpu's own Sum bit
// for bit where it replays tfjs's order: training that sums logits rows, KL or DLR terms on the engine
// keeps the weights of a run on tfjs's kernels. Fresh random inputs, odd sizes, edge values (signed zeros,
// huge and tiny magnitudes), every case on real WebGPU through Dawn.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { gpuChecked } from '../suite/gpu_checked';
import { runSeed } from '../suite/run_seed';

beforeAll(async () => {
  await lib.initWebGPU();
  expect(tf.getBackend()).toBe('webgpu');
});

const cases: { name: string; shape: number[]; axis: number[]; edge?: boolean }[] = [
  { name: 'per-row [128,10] axis 1', shape: [128, 10], axis: [1] },
  { name: 'bias gradient [128,10] axis 0', shape: [128, 10], axis: [0] },
  { name: 'rows [7,3] axis -1', shape: [7, 3], axis: [-1] },
  { name: 'whole [129,10]', shape: [129, 10], axis: [0, 1] },
  { name: 'rows over 130 (two lanes each) [65,130] axis 1', shape: [65, 130], axis: [1] },
  { name: 'whole [5003] (256 lanes)', shape: [5003], axis: [0] },
  { name: 'whole [40001] (512 lanes)', shape: [40001], axis: [0] },
  { name: 'leading [3,5,7] axes 0,1', shape: [3, 5, 7], axis: [0, 1] },
  { name: 'trailing [3,5,7] axes 1,2', shape: [3, 5, 7], axis: [1, 2] },
  { name: 'edge values [33,10] axis 1', shape: [33, 10], axis: [1], edge: true },
];

/** Seeded values; with `edge`, signed zeros and magnitudes from 1e-30 to 1e30 so that rounding order shows. */
function values(n: number, seed: number, edge: boolean): Float32Array {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return Float32Array.from({ length: n }, () => {
    const u = next() * 2 - 1;
    if (!edge) return u;
    const k = Math.floor(next() * 4);
    return k === 0 ? (u < 0 ? -0 : 0) : u * 10 ** Math.round(next() * 60 - 30);
  });
}

describe('engine Sum in tfjs order on Dawn', () => {
  for (const [i, c] of cases.entries()) {
    test(`${c.name} (seed ${runSeed + i})`, () => gpuChecked(async () => {
      const before = tf.memory().numTensors;
      const x = tf.tensor(values(c.shape.reduce((p, q) => p * q, 1), runSeed + i, c.edge ?? false), c.shape, 'float32');
      lib.useEngineKernels({ Sum: false });
      const ours0 = lib.engineKernelCounts.Sum?.engine ?? 0;
      const theirs = tf.sum(x, c.axis);
      lib.useEngineKernels(true);
      const ours = tf.sum(x, c.axis);
      expect((lib.engineKernelCounts.Sum?.engine ?? 0) - ours0, 'ran on the engine').toBe(1);
      const [a, b] = [await theirs.data(), await ours.data()];
      expect(ours.shape).toEqual(theirs.shape);
      expect(Array.from(new Uint32Array(b.buffer)), c.name).toEqual(Array.from(new Uint32Array(a.buffer)));
      tf.dispose([x, theirs, ours]);
      expect(tf.memory().numTensors).toBe(before);
    }));
  }
});
