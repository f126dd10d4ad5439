// The gradients a real architecture's attack and training steps take on Dawn, against tfjs's own: the
// lazy FusedBatchNorm gradient (each input's computed only when asked for, tfjs's formulas and order),
// the bias-free linear Conv2D under a gradient (lazyConvGradients: no filter gradient for an input
// gradient), and ReLU6's gradient in one kernel. Equal bit for bit to tfjs's, with fewer kernels; in GPU
// error scopes, nothing left over.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { gpuChecked } from '../suite/gpu_checked';
import { mobileNetV2Like } from '../suite/mobilenet_like';
import { runSeed } from '../suite/run_seed';

beforeAll(async () => {
  await lib.initWebGPU();
  await lib.ensureGradients();
});

const values = async (ts: tf.Tensor[]) => Promise.all(ts.map(async (t) => Array.from(await t.data())));

/** tfjs-core's FusedBatchNorm gradient (gradients/FusedBatchNorm_grad.ts), written out with the same ops. */
function tfjsBatchNormGrads(x: tf.Tensor4D, mean: tf.Tensor1D, variance: tf.Tensor1D, scale: tf.Tensor1D, dy: tf.Tensor4D, eps: number): tf.Tensor[] {
  const axes = [0, 1, 2];
  const xMinusMean = tf.sub(x, mean);
  const dyTimesScale = tf.mul(dy, scale);
  const r = tf.rsqrt(tf.add(variance, tf.scalar(eps)));
  const minusHalfRCube = tf.mul(tf.mul(tf.mul(r, r), r), tf.scalar(-0.5));
  const tiled = tf.tile(tf.reshape(r, [1, 1, 1, mean.shape[0]]), [x.shape[0], x.shape[1], x.shape[2], 1]);
  return [
    tf.mul(tf.mul(dy, tiled), scale),
    tf.sum(tf.mul(tf.mul(r, tf.scalar(-1)), dyTimesScale), axes),
    tf.sum(tf.mul(tf.mul(minusHalfRCube, xMinusMean), dyTimesScale), axes),
    tf.sum(tf.mul(dy, tf.mul(xMinusMean, r)), axes),
    tf.sum(dy, axes),
  ];
}

describe('FusedBatchNorm gradient (lazy, tfjs formulas)', () => {
  const cases: [string, [number, number, number, number]][] = [
    ['[2,5,5,7] (channels not a multiple of 4)', [2, 5, 5, 7]],
    ['[3,4,4,16]', [3, 4, 4, 16]],
    ['[1,9,9,24]', [1, 9, 9, 24]],
  ];
  test.each(cases)('batchNorm %s: every input gradient equals tfjs\'s bit for bit', async (_name, shape) => {
    await gpuChecked(async () => {
      const random = lib.seededRandom(runSeed ^ shape.reduce((a, b) => a * 31 + b, 7));
      const u = (n: number, lo: number, hi: number) => Float32Array.from({ length: n }, () => lo + (hi - lo) * random());
      const c = shape[3];
      const n = shape.reduce((a, b) => a * b, 1);
      const x = tf.tensor4d(u(n, -3, 3), shape);
      const dy = tf.tensor4d(u(n, -1, 1), shape);
      const [mean, variance, scale, offset] = [u(c, -1, 1), u(c, 0.1, 2), u(c, 0.5, 1.5), u(c, -1, 1)].map((v) => tf.tensor1d(v));
      const eps = 1e-3;
      const ours = tf.grads((a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: tf.Tensor, o: tf.Tensor) =>
        tf.batchNorm(a as tf.Tensor4D, m as tf.Tensor1D, v as tf.Tensor1D, o as tf.Tensor1D, s as tf.Tensor1D, eps),
      )([x, mean, variance, scale, offset], dy);
      const theirs = tf.tidy(() => tfjsBatchNormGrads(x, mean as tf.Tensor1D, variance as tf.Tensor1D, scale as tf.Tensor1D, dy, eps));
      expect(await values(ours)).toEqual(await values(theirs));
      // dx ran on the engine's one-pass kernel; with the policy off, tfjs's own gradient gives the same.
      const counted = { ...(lib.engineKernelCounts.FusedBatchNormGrad ?? { engine: 0, fallback: 0 }) };
      const dxEngine = tf.grad((a: tf.Tensor) => tf.batchNorm(a as tf.Tensor4D, mean as tf.Tensor1D, variance as tf.Tensor1D, offset as tf.Tensor1D, scale as tf.Tensor1D, eps))(x, dy);
      expect(lib.engineKernelCounts.FusedBatchNormGrad.engine).toBe(counted.engine + 1);
      lib.useEngineKernels({ FusedBatchNormGrad: false });
      const dxTfjs = tf.grad((a: tf.Tensor) => tf.batchNorm(a as tf.Tensor4D, mean as tf.Tensor1D, variance as tf.Tensor1D, offset as tf.Tensor1D, scale as tf.Tensor1D, eps))(x, dy);
      lib.useEngineKernels('auto');
      expect(lib.engineKernelCounts.FusedBatchNormGrad.fallback).toBe(counted.fallback + 1);
      expect(await values([dxTfjs])).toEqual(await values([dxEngine]));
      tf.dispose([dxEngine, dxTfjs]);
      // An input gradient alone: one pass over x for dx (no x - mean, no dy * scale, no tile).
      const profile = await tf.profile(() => tf.grad((a: tf.Tensor) => tf.batchNorm(a as tf.Tensor4D, mean as tf.Tensor1D, variance as tf.Tensor1D, offset as tf.Tensor1D, scale as tf.Tensor1D, eps))(x, dy));
      const names = profile.kernels.map((k) => k.name);
      expect(names).not.toContain('Tile');
      expect(names.filter((k) => k === 'Sub')).toEqual([]);
      tf.dispose([x, dy, mean, variance, scale, offset, ...ours, ...theirs, profile.result as tf.Tensor]);
    });
  });
});

describe('FusedBatchNorm forward on the engine', () => {
  test.each([[[2, 5, 5, 7]], [[1, 9, 9, 24]]] as [[number, number, number, number]][])('batchNorm %j: tfjs-webgpu\'s values bit for bit', async (shape) => {
    await gpuChecked(async () => {
      const random = lib.seededRandom(runSeed ^ 0xb4);
      const u = (n: number, lo: number, hi: number) => Float32Array.from({ length: n }, () => lo + (hi - lo) * random());
      const c = shape[3];
      const x = tf.tensor4d(u(shape.reduce((a, b) => a * b, 1), -3, 3), shape);
      const [mean, variance, scale, offset] = [u(c, -1, 1), u(c, 0.1, 2), u(c, 0.5, 1.5), u(c, -1, 1)].map((v) => tf.tensor1d(v));
      const norm = () => tf.batchNorm(x, mean as tf.Tensor1D, variance as tf.Tensor1D, offset as tf.Tensor1D, scale as tf.Tensor1D, 1e-3);
      const counted = lib.engineKernelCounts.FusedBatchNorm?.engine ?? 0;
      const ours = norm();
      expect(lib.engineKernelCounts.FusedBatchNorm.engine).toBe(counted + 1);
      lib.useEngineKernels({ FusedBatchNorm: false });
      const theirs = norm();
      lib.useEngineKernels('auto');
      expect(await values([ours])).toEqual(await values([theirs]));
      tf.dispose([x, mean, variance, scale, offset, ours, theirs]);
    });
  });
});

describe('lazyConvGradients: bias-free linear Conv2D under a gradient', () => {
  /**
   * Two copies of one MobileNetV2-like model (same weights); only the second has lazyConvGradients. (A
   * classifier's inference forward runs the inference plan, inference_plan.test.ts; its training forward
   * runs the model's own call, these layers.)
   */
  const twins = () => {
    const plain = mobileNetV2Like({ inputSize: 16, classes: 5, head: 'logits', seed: 3 });
    const wrapped = mobileNetV2Like({ inputSize: 16, classes: 5, head: 'logits', seed: 3 });
    wrapped.setWeights(plain.getWeights());
    expect(lib.lazyConvGradients(wrapped)).toBeGreaterThan(0);
    const classifier = {
      forward: (v: tf.Tensor4D, _training = false) => tf.tidy(() => wrapped.apply(v, { training: false }) as tf.Tensor),
      variables: wrapped.trainableWeights.map((w) => w.read() as tf.Variable),
      dispose: () => wrapped.dispose(),
    };
    return { plain, classifier };
  };

  test('the input gradient equals the unchanged model\'s bit for bit, with no Conv2DBackpropFilter', async () => {
    const { plain, classifier } = twins();
    // A first gradient outside the check: tfjs caches constants it makes on first use.
    tf.dispose(tf.grad((v: tf.Tensor) => tf.sum(classifier.forward(v as tf.Tensor4D)))(tf.zeros([1, 16, 16, 3])));
    await gpuChecked(async () => {
      const x = tf.randomUniform([2, 16, 16, 3], 0, 1, 'float32', runSeed % 1000) as tf.Tensor4D;
      const y = tf.tensor2d([[0, 1, 0, 0, 0], [0, 0, 0, 1, 0]]);
      const loss = (forward: (v: tf.Tensor4D) => tf.Tensor) => (v: tf.Tensor) => tf.sum(tf.mul(y, forward(v as tf.Tensor4D)));
      const plainForward = (v: tf.Tensor4D) => plain.apply(v, { training: false }) as tf.Tensor;
      const theirs = tf.grad(loss(plainForward))(x);
      const ours = tf.grad(loss((v) => classifier.forward(v)))(x);
      const [a, b] = await values([theirs, ours]);
      expect(b).toEqual(a);
      expect(a.some((v) => v !== 0)).toBe(true);
      const profile = await tf.profile(() => tf.grad(loss((v) => classifier.forward(v)))(x));
      expect(profile.kernels.map((k) => k.name)).not.toContain('Conv2DBackpropFilter');
      expect(profile.kernels.map((k) => k.name)).toContain('Conv2DBackpropInput');
      // The forward outside a gradient is the layer's own call: the same logits.
      const logits = [tf.tidy(() => plainForward(x)), tf.tidy(() => classifier.forward(x))];
      const [p, q] = await values(logits);
      expect(q).toEqual(p);
      tf.dispose([x, y, theirs, ours, profile.result as tf.Tensor, ...logits]);
    });
    plain.dispose();
    classifier.dispose();
  });

  // In inference mode (dropout off, so both runs draw nothing): the filters' gradients and batch
  // normalization's scale and offset gradients; the statistics' gradients are the unit test's above.
  test('every trainable variable\'s gradient equals the unchanged model\'s bit for bit', async () => {
    const { plain, classifier } = twins();
    await gpuChecked(async () => {
      const x = tf.randomUniform([3, 16, 16, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
      const y = tf.tensor2d([[0, 1, 0, 0, 0], [0, 0, 0, 0, 1], [0, 0, 1, 0, 0]]);
      const grads = (forward: () => tf.Tensor, vars: tf.Variable[]) => tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, forward()) as tf.Scalar, vars);
      const a = grads(() => plain.apply(x, { training: false }) as tf.Tensor, plain.trainableWeights.map((w) => w.read() as tf.Variable));
      const b = grads(() => classifier.forward(x, false), classifier.variables as tf.Variable[]);
      expect(Object.keys(b.grads).length).toBe(Object.keys(a.grads).length);
      expect(await values(Object.values(b.grads))).toEqual(await values(Object.values(a.grads)));
      expect(await b.value.data()).toEqual(await a.value.data());
      tf.dispose([x, y, a.value, b.value, ...Object.values(a.grads), ...Object.values(b.grads)]);
    });
    plain.dispose();
    classifier.dispose();
  });

  test('a Conv2D with a bias or an activation keeps its own call; the count of changed layers', () => {
    const input = tfl.input({ shape: [8, 8, 3] });
    const withBias = tfl.layers.conv2d({ filters: 4, kernelSize: 3, useBias: true }).apply(input) as tfl.SymbolicTensor;
    const withRelu = tfl.layers.conv2d({ filters: 4, kernelSize: 1, useBias: false, activation: 'relu' }).apply(withBias) as tfl.SymbolicTensor;
    const plainConv = tfl.layers.conv2d({ filters: 4, kernelSize: 1, useBias: false }).apply(withRelu) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 3 }).apply(tfl.layers.flatten().apply(plainConv)) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: out });
    expect(lib.lazyConvGradients(model)).toBe(1);
    expect(lib.lazyConvGradients(model)).toBe(0);
    model.dispose();
  });
});

describe('mobileNetV2 (Keras topology, seeded weights)', () => {
  test('224x224, 5 classes: 157 layers and 2,264,389 weights as keras.applications.MobileNetV2 with a 5-unit head; seeds replay', () => {
    const a = lib.mobileNetV2({ inputSize: 224, classes: 5, seed: 4 });
    const b = lib.mobileNetV2({ inputSize: 224, classes: 5, seed: 4 });
    expect(a.layers.length).toBe(157);
    expect(a.countParams()).toBe(2_264_389);
    expect(a.layers.map((l) => l.name).slice(0, 4)).toEqual(['input_1', 'Conv1', 'bn_Conv1', 'Conv1_relu']);
    const [wa, wb] = [a.getWeights()[0], b.getWeights()[0]];
    expect(Array.from(wa.dataSync())).toEqual(Array.from(wb.dataSync()));
    a.dispose();
    b.dispose();
  });
});
