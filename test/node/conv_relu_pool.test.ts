// conv2dBiasReluPool (the seed CNN's conv + bias + ReLU + max pool as one op, its gradient one MaxPoolGrad
// with the ReLU's mask in it) against the two ops it replaces, conv2dBiasRelu then tf.maxPool on the same
// engine kernels: the value and the gradients of x, the filter and the bias bit for bit, on named cases
// with windows that are all zero after the ReLU (the mask then matters), NaN inputs, odd sizes, and the
// fallback where the pool's windows do not tile the activation.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import * as engine from '../../dist/engine.js';
import { withGpuErrorScope } from '../suite/kernel_suite';
import { runSeed } from '../suite/run_seed';

beforeAll(async () => {
  await lib.initWebGPU();
  await lib.ensureGradients();
});

interface Case {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  /** Bias of every channel (negative: many windows all zero after the ReLU). */
  bias: number;
  nan?: boolean;
  /** Whether the fused op runs (the pool's windows tile the activation). */
  fused: boolean;
}

const CASES: Case[] = [
  { name: 'conv_relu_pool seed x=[5,28,28,1] filter=[3,3,1,32]', x: [5, 28, 28, 1], filter: [3, 3, 1, 32], bias: 0.01, fused: true },
  { name: 'conv_relu_pool zero windows x=[3,10,10,3] filter=[3,3,3,8] bias=-1', x: [3, 10, 10, 3], filter: [3, 3, 3, 8], bias: -1, fused: true },
  { name: 'conv_relu_pool NaN input x=[2,8,8,2] filter=[3,3,2,4]', x: [2, 8, 8, 2], filter: [3, 3, 2, 4], bias: 0, nan: true, fused: true },
  { name: 'conv_relu_pool odd activation (fallback) x=[2,9,9,1] filter=[3,3,1,4]', x: [2, 9, 9, 1], filter: [3, 3, 1, 4], bias: 0, fused: false },
];

const bits = async (t: tf.Tensor) => Array.from(new Uint32Array(new Float32Array(await t.data()).buffer));

describe('conv2dBiasReluPool against conv2dBiasRelu then maxPool', () => {
  for (const c of CASES) {
    test(`${c.name} (seed ${runSeed})`, async () => {
      const random = lib.seededRandom(runSeed ^ c.x[1]);
      const values = (shape: number[], scale: number) => Float32Array.from({ length: shape.reduce((p, q) => p * q, 1) }, () => (random() * 2 - 1) * scale);
      const fill = (shape: number[], scale: number) => tf.tensor(values(shape, scale), shape);
      const before = tf.memory().numTensors;
      const { errors } = await withGpuErrorScope(lib.currentWebGPU()!.device, async () => {
        const xData = values(c.x, 1);
        if (c.nan) xData[7] = NaN;
        const x = tf.tensor4d(xData, c.x);
        const filter = fill(c.filter, 0.5) as tf.Tensor4D;
        const bias = tf.fill([c.filter[3]], c.bias) as tf.Tensor1D;
        const dyShape = [c.x[0], Math.floor((c.x[1] - 2) / 2), Math.floor((c.x[2] - 2) / 2), c.filter[3]];
        const dy = fill(dyShape, 1);
        const grads = (f: (x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D) => tf.Tensor) =>
          tf.grads((a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor4D, b as tf.Tensor4D, d as tf.Tensor1D), dy)))([x, filter, bias]);
        const countsBefore = lib.snapshotEngineKernelCounts();
        const fusedValue = engine.conv2dBiasReluPool(x, filter, bias, 2);
        const fusedGrads = grads((a, b, d) => engine.conv2dBiasReluPool(a, b, d, 2));
        const ran = lib.engineKernelCountsSince(countsBefore)[engine.Conv2DBiasReluPool]?.engine ?? 0;
        const twoValue = tf.tidy(() => tf.maxPool(engine.conv2dBiasRelu(x, filter, bias), 2, 2, 'valid'));
        const twoGrads = grads((a, b, d) => tf.maxPool(engine.conv2dBiasRelu(a, b, d), 2, 2, 'valid'));
        expect(ran > 0, c.name).toBe(c.fused);
        expect(await bits(fusedValue), `${c.name} value`).toEqual(await bits(twoValue));
        for (const [i, n] of ['x', 'filter', 'bias'].entries()) expect(await bits(fusedGrads[i]!), `${c.name} d${n}`).toEqual(await bits(twoGrads[i]!));
        if (c.bias < 0) expect((await twoGrads[0]!.data()).some((v) => v === 0), 'some x gradient masked to 0').toBe(true);
        if (c.nan) expect((await fusedGrads[1]!.data()).some(Number.isNaN), 'the NaN reaches the filter gradient').toBe(true);
        tf.dispose([x, filter, bias, dy, fusedValue, twoValue, ...fusedGrads, ...twoGrads]);
      });
      expect(errors, c.name).toEqual([]);
      expect(tf.memory().numTensors, `${c.name}: no tensor leaked`).toBe(before);
    });
  }
});
