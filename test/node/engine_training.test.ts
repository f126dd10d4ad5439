// The engine in training: gradients of a tiny CNN against float64 finite differences, a training run's
// loss curve against stock tfjs's, the fused Adam against tfjs's Adam (and its checkpoint weights), tensor
// counts flat over many steps, and the kernel-selection policy.
import { conv2dReference, maxPoolReference, matMulReference, softmaxCrossEntropyReference } from '../suite/engine_reference';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import * as engine from '../../dist/engine.js';
import { withGpuErrorScope } from '../suite/kernel_suite';
import { runSeed } from '../suite/run_seed';

beforeAll(async () => {
  await lib.initWebGPU();
  await lib.ensureGradients();
});

afterEach(() => lib.useEngineKernels('auto'));

const device = () => lib.currentWebGPU()!.device;

describe('gradients against finite differences', () => {
  test('tiny CNN (conv2dBiasRelu 3x3 2->4, max pool 2, dense 16->3): every parameter', async () => {
    const random = lib.seededRandom(runSeed ^ 0x5eed);
    const rand = (n: number, scale: number) => Float64Array.from({ length: n }, () => (random() * 2 - 1) * scale);
    const xShape: [number, number, number, number] = [2, 6, 6, 2];
    const x = rand(2 * 6 * 6 * 2, 1).map(Math.abs);
    const labels = new Float64Array([1, 0, 0, 0, 0, 1]);
    const params = { filter: rand(3 * 3 * 2 * 4, 0.5), convBias: rand(4, 0.1), dense: rand(16 * 3, 0.5), denseBias: rand(3, 0.1) };
    const conv = tf.backend_util.computeConv2DInfo(xShape, [3, 3, 2, 4], 1, 1, 'valid');
    const pool = tf.backend_util.computePool2DInfo(conv.outShape as [number, number, number, number], 2, 2, 1, 'valid');
    const loss64 = (p: typeof params) => {
      const a = conv2dReference(x, p.filter, conv, p.convBias, 'relu');
      const pooled = maxPoolReference(a, pool);
      const logits = matMulReference(pooled, p.dense, { batchA: 1, batchB: 1, m: 2, k: 16, n: 3, transposeA: false, transposeB: false, bias: p.denseBias });
      return softmaxCrossEntropyReference(logits, labels, 2, 3).loss;
    };
    const { value: engineGrads, errors } = await withGpuErrorScope(device(), async () => {
      lib.useEngineKernels(true);
      const v = {
        filter: tf.variable(tf.tensor4d(Float32Array.from(params.filter), [3, 3, 2, 4])),
        convBias: tf.variable(tf.tensor1d(Float32Array.from(params.convBias))),
        dense: tf.variable(tf.tensor2d(Float32Array.from(params.dense), [16, 3])),
        denseBias: tf.variable(tf.tensor1d(Float32Array.from(params.denseBias))),
      };
      const xs = tf.tensor4d(Float32Array.from(x), xShape);
      const ys = tf.tensor2d(Float32Array.from(labels), [2, 3]);
      const before = { ...lib.engineKernelCounts.Conv2DBackpropFilter };
      const fusedBefore = lib.engineKernelCounts[engine.Conv2DBiasRelu]?.engine ?? 0;
      const { grads } = tf.variableGrads(() => {
        const activated = engine.conv2dBiasRelu(xs, v.filter as tf.Tensor4D, v.convBias as tf.Tensor1D);
        const flat = tf.reshape(tf.maxPool(activated, 2, 2, 'valid'), [2, 16]) as tf.Tensor2D;
        return lib.softmaxCrossEntropy(tf.fused.matMul({ a: flat, b: v.dense as tf.Tensor2D, bias: v.denseBias }) as tf.Tensor2D, ys);
      }, Object.values(v));
      expect(lib.engineKernelCounts.Conv2DBackpropFilter.engine).toBeGreaterThan(before.engine ?? 0);
      expect(lib.engineKernelCounts[engine.Conv2DBiasRelu].engine).toBeGreaterThan(fusedBefore);
      const out: Record<string, Float32Array> = {};
      for (const [name, variable] of Object.entries(v)) out[name] = (await grads[variable.name].data()) as Float32Array;
      tf.dispose([xs, ys, ...Object.values(v), ...Object.values(grads)]);
      return out;
    });
    expect(errors).toEqual([]);
    const h = 1e-6;
    for (const name of Object.keys(params) as (keyof typeof params)[]) {
      const values = params[name];
      let maxError = 0;
      let maxGrad = 0;
      for (let i = 0; i < values.length; i++) {
        const saved = values[i];
        values[i] = saved + h;
        const up = loss64(params);
        values[i] = saved - h;
        const down = loss64(params);
        values[i] = saved;
        const fd = (up - down) / (2 * h);
        maxError = Math.max(maxError, Math.abs(fd - engineGrads[name][i]));
        maxGrad = Math.max(maxGrad, Math.abs(fd));
      }
      expect(maxGrad, `${name}: finite differences are all zero`).toBeGreaterThan(0);
      expect(maxError / maxGrad, `${name}: engine gradient vs finite differences (seed ${runSeed})`).toBeLessThan(1e-4);
    }
  });
});

describe('training with the engine equals training with stock tfjs', () => {
  test('seed CNN, FGSM adversarial training, batch 16, 6 steps: loss curves and weights', async () => {
    const x = tf.randomUniform([16, 28, 28, 1], 0, 1, 'float32', 11) as tf.Tensor4D;
    const y = tf.cast(tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => (i * 3) % 10), 'int32'), 10), 'float32') as tf.Tensor2D;
    const run = async (engine: boolean) => {
      lib.useEngineKernels(engine);
      const model = lib.seedCnn({ seed: 5 });
      const optimizer = engine ? lib.engineAdam(1e-3) : tf.train.adam(1e-3);
      const losses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const loss = lib.fgsmTrainer.step({ model, optimizer, x, onehot: y, epsilon: 0.1, seed: i }, { cleanWeight: 0.5 });
        losses.push((await loss.data())[0]);
        loss.dispose();
      }
      const weights = await Promise.all(model.variables.map(async (v) => (await v.data()) as Float32Array));
      optimizer.dispose();
      tf.dispose(model.variables);
      return { losses, weights };
    };
    const { value, errors } = await withGpuErrorScope(device(), async () => {
      const before = { ...(lib.engineKernelCounts.AdamStep ?? { engine: 0, fallback: 0 }) };
      const stock = await run(false);
      const engine = await run(true);
      return { stock, engine, adamSteps: lib.engineKernelCounts.AdamStep.engine - before.engine };
    });
    tf.dispose([x, y]);
    expect(errors).toEqual([]);
    expect(value.adamSteps).toBe(6 * 6);
    for (let i = 0; i < 6; i++) {
      expect(Math.abs(value.engine.losses[i] - value.stock.losses[i]) / value.stock.losses[i], `step ${i}`).toBeLessThan(1e-4);
    }
    expect(value.engine.losses[5]).toBeLessThan(value.engine.losses[0]);
    value.stock.weights.forEach((w, k) => {
      let maxDiff = 0;
      let maxAbs = 0;
      for (let i = 0; i < w.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(w[i] - value.engine.weights[k][i]));
        maxAbs = Math.max(maxAbs, Math.abs(w[i]));
      }
      expect(maxDiff / maxAbs, `variable ${k}`).toBeLessThan(1e-3);
    });
  });

  test('fused Adam: same steps as tfjs Adam, checkpoint weights that tfjs Adam resumes from', async () => {
    const { value, errors } = await withGpuErrorScope(device(), async () => {
      lib.useEngineKernels(true);
      const start = tf.randomNormal([315], 0, 1, 'float32', 3);
      const grads = Array.from({ length: 4 }, (_, i) => tf.randomNormal([315], 0, 0.1, 'float32', 20 + i));
      const a = tf.variable(start.clone());
      const b = tf.variable(start.clone());
      const fused = lib.engineAdam(0.01);
      const stock = tf.train.adam(0.01);
      for (const g of grads.slice(0, 3)) {
        fused.applyGradients([{ name: a.name, tensor: g }]);
        stock.applyGradients([{ name: b.name, tensor: g }]);
      }
      // A checkpoint of the fused optimizer, resumed by a fresh tfjs Adam.
      const resumed = tf.train.adam(0.01);
      const c = tf.variable(a.clone());
      const weights = await fused.getWeights();
      await resumed.setWeights(weights.map((w) => ({ name: w.name.replace(a.name, c.name), tensor: w.tensor })));
      fused.applyGradients([{ name: a.name, tensor: grads[3] }]);
      stock.applyGradients([{ name: b.name, tensor: grads[3] }]);
      resumed.applyGradients([{ name: c.name, tensor: grads[3] }]);
      const out = { fused: (await a.data()) as Float32Array, stock: (await b.data()) as Float32Array, resumed: (await c.data()) as Float32Array, iterations: fused.iterations };
      tf.dispose([start, ...grads, a, b, c]);
      fused.dispose();
      stock.dispose();
      resumed.dispose();
      return out;
    });
    expect(errors).toEqual([]);
    expect(value.iterations).toBe(4);
    for (let i = 0; i < 315; i++) {
      expect(Math.abs(value.fused[i] - value.stock[i])).toBeLessThan(1e-6 * Math.max(1, Math.abs(value.stock[i])));
      expect(Math.abs(value.resumed[i] - value.stock[i])).toBeLessThan(1e-6 * Math.max(1, Math.abs(value.stock[i])));
    }
  });

  test('fused Adam then tfjs Adam (policy switched off after 3 steps): the same 5 steps as tfjs Adam throughout; no tensor made per fused step', async () => {
    const { value, errors } = await withGpuErrorScope(device(), async () => {
      lib.useEngineKernels(true);
      const start = tf.randomNormal([2179], 0, 1, 'float32', 4);
      const grads = Array.from({ length: 5 }, (_, i) => tf.randomNormal([2179], 0, 0.1, 'float32', 40 + i));
      const a = tf.variable(start.clone());
      const b = tf.variable(start.clone());
      const fused = lib.engineAdam(0.01);
      const stock = tf.train.adam(0.01);
      fused.applyGradients([{ name: a.name, tensor: grads[0] }]);
      const tensorsBefore = tf.memory().numTensors;
      for (const g of grads.slice(1, 3)) fused.applyGradients([{ name: a.name, tensor: g }]);
      const tensorsAfter = tf.memory().numTensors;
      lib.useEngineKernels({ Adam: false });
      for (const g of grads.slice(3)) fused.applyGradients([{ name: a.name, tensor: g }]);
      lib.useEngineKernels(true);
      for (const g of grads) stock.applyGradients([{ name: b.name, tensor: g }]);
      const out = { fused: (await a.data()) as Float32Array, stock: (await b.data()) as Float32Array, tensorsBefore, tensorsAfter };
      tf.dispose([start, ...grads, a, b]);
      fused.dispose();
      stock.dispose();
      return out;
    });
    lib.useEngineKernels('auto');
    expect(errors).toEqual([]);
    expect(value.tensorsAfter).toBe(value.tensorsBefore);
    for (let i = 0; i < 2179; i++) expect(Math.abs(value.fused[i] - value.stock[i])).toBeLessThan(1e-6 * Math.max(1, Math.abs(value.stock[i])));
  });

  test('tensor count flat over 40 engine training steps', async () => {
    lib.useEngineKernels(true);
    const model = lib.seedCnn({ seed: 2 });
    const optimizer = lib.engineAdam(1e-3);
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
    const y = tf.cast(tf.oneHot(tf.tensor1d([1, 2, 3, 4], 'int32'), 10), 'float32') as tf.Tensor2D;
    const counts: number[] = [];
    for (let i = 0; i < 40; i++) {
      lib.fgsmTrainer.step({ model, optimizer, x, onehot: y, epsilon: 0.1, seed: i }, { cleanWeight: 0.5 }).dispose();
      counts.push(tf.memory().numTensors);
    }
    await tf.backend().read(model.variables[0].dataId);
    expect(new Set(counts.slice(1)).size, `tensor counts ${counts.join(' ')}`).toBe(1);
    optimizer.dispose();
    tf.dispose([x, y, ...model.variables]);
  });
});

describe('kernel-selection policy', () => {
  test("'auto' turns the engine on for a software adapter", () => {
    const backend = tf.backend() as Parameters<typeof engine.isSoftwareAdapter>[0];
    lib.useEngineKernels('auto');
    expect(engine.engineKernelEnabled('Conv2D', backend)).toBe(engine.isSoftwareAdapter(backend));
    expect(lib.currentWebGPU()!.adapter.software).toBe(engine.isSoftwareAdapter(backend));
  });

  test('false sends every call to the tfjs kernel; a per-kernel object overrides one', async () => {
    const x = tf.randomUniform([2, 8, 8, 1]) as tf.Tensor4D;
    const w = tf.randomUniform([3, 3, 1, 4]) as tf.Tensor4D;
    const calls = () => ({ ...(lib.engineKernelCounts.Conv2D ?? { engine: 0, fallback: 0 }) });
    lib.useEngineKernels(false);
    let before = calls();
    tf.conv2d(x, w, 1, 'valid').dispose();
    expect(calls().engine - before.engine).toBe(0);
    expect(calls().fallback - before.fallback).toBe(1);
    lib.useEngineKernels({ Conv2D: true });
    before = calls();
    tf.conv2d(x, w, 1, 'valid').dispose();
    expect(calls().engine - before.engine).toBe(1);
    lib.useEngineKernels({ Conv2D: false });
    expect(engine.engineKernelEnabled('Conv2D', tf.backend() as Parameters<typeof engine.isSoftwareAdapter>[0])).toBe(false);
    tf.dispose([x, w]);
  });

  test('bad policies are refused, naming the argument', () => {
    expect(() => lib.useEngineKernels({ Conv3D: true } as never)).toThrow(/unknown kernel 'Conv3D'/);
    expect(() => lib.useEngineKernels('fast' as never)).toThrow(/policy must be/);
  });
});
