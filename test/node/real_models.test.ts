// Real architectures as users bring them (Dawn): a MobileNetV2-like Layers model (BN, depthwise, ReLU6,
// zero padding, Add, average and global pooling, dropout) with a softmax head, as a Dense softmax, as a
// separate Activation and nested as Teachable Machine exports it: logits before the softmax, input
// gradients, training updating the model's own weights and BN statistics (frozen in inference), the
// saved model keeping its softmax; transfer learning with frozen layers (and frozen BN statistics); the
// input scale folded into the model; no tensor leaks, every case in a GPU error scope.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { gpuChecked } from '../suite/gpu_checked';
import { classImage } from '../suite/image_files';
import { mobileNetV2Like } from '../suite/mobilenet_like';

beforeAll(async () => {
  await lib.initWebGPU();
  await lib.ensureGradients();
});

/** Disposes `model` and the models nested in it (tfjs-layers' dispose of a Sequential leaves a nested model's own weights). */
function disposeModel(model: tfl.LayersModel): void {
  const nested = model.layers.filter((l): l is tfl.LayersModel => 'layers' in l);
  model.dispose();
  for (const w of nested.flatMap((m) => m.weights)) {
    try {
      w.read().dispose();
    } catch {
      // disposed with the outer model
    }
  }
}

const values = async (t: tf.Tensor) => Array.from((await t.data()) as Float32Array);
const SIZE = 16;

/** A small colour task of 3 classes at SIZE x SIZE, uploaded. */
function colourTask(count: number, seed: number) {
  let s = seed;
  const random = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) / 2 ** 24;
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 3);
  const images = new Uint8Array(count * SIZE * SIZE * 3);
  labels.forEach((k, i) => images.set(classImage(k, SIZE, 3, random), i * SIZE * SIZE * 3));
  return lib.uploadDataset(images, labels, [SIZE, SIZE, 3], 3);
}

describe('softmax heads of a MobileNetV2-like model', () => {
  const cases: [string, Parameters<typeof mobileNetV2Like>[0]][] = [
    ['dense softmax', { inputSize: SIZE, classes: 3, head: 'softmax' }],
    ['activation softmax', { inputSize: SIZE, classes: 3, head: 'activation' }],
    ['nested (teachable machine)', { inputSize: SIZE, classes: 3, head: 'softmax', nested: true }],
  ];
  for (const [name, options] of cases) {
    test(`${name}: softmax(logits) is the model's output, the input gradient is finite and not zero`, () =>
      gpuChecked(async () => {
        const user = mobileNetV2Like(options);
        const model = lib.classifierFromLayersModel(user);
        expect(model.head).toMatch(/softmax removed/);
        const x = tf.randomUniform([4, SIZE, SIZE, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
        const probabilities = user.predict(x) as tf.Tensor;
        const logits = model.forward(x);
        const softmax = tf.softmax(logits);
        const [p, q] = [await values(probabilities), await values(softmax)];
        p.forEach((v, i) => expect(Math.abs(v - q[i]), `element ${i}`).toBeLessThan(1e-5));
        const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 0], 'int32'), 3));
        const grad = tf.grad((input: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, model.forward(input as tf.Tensor4D)))(x);
        const g = await values(grad);
        expect(g.every(Number.isFinite)).toBe(true);
        expect(g.some((v) => v !== 0)).toBe(true);
        tf.dispose([x, probabilities, logits, softmax, labels, grad]);
        disposeModel(user);
      }));
  }
});

describe('training a MobileNetV2-like model', () => {
  test('trainModel updates its own weights and BN statistics; inference leaves the statistics; the saved model keeps its softmax', () =>
    gpuChecked(async () => {
      const user = mobileNetV2Like({ inputSize: SIZE, classes: 3, seed: 2 });
      const model = lib.classifierFromLayersModel(user);
      const mean = () => values(user.getLayer('bn_Conv1').getWeights()[2]);
      const data = colourTask(96, 7);
      const statsBefore = await mean();
      const x = tf.randomUniform([8, SIZE, SIZE, 3], 0, 1, 'float32', 6) as tf.Tensor4D;
      tf.dispose([model.forward(x), model.forward(x)]);
      expect(await mean()).toEqual(statsBefore);
      const kernelBefore = await values(user.getLayer('predictions').getWeights()[0]);
      const optimizer = lib.engineAdam(3e-3);
      const history = await lib.trainModel(model, optimizer, data, Array.from({ length: 96 }, (_, i) => i), { trainer: 'fgsm-rs', epsilon: 4 / 255, epochs: 2, batchSize: 16, learningRate: 3e-3, seed: 0 });
      expect(history).toHaveLength(2);
      expect(await values(user.getLayer('predictions').getWeights()[0])).not.toEqual(kernelBefore);
      expect(await mean()).not.toEqual(statsBefore);
      const saved = new Map<string, Uint8Array>();
      await lib.saveClassifier(model, async (name, bytes) => void saved.set(name, bytes));
      expect(new TextDecoder().decode(saved.get('model.json'))).toMatch(/"activation":"softmax"/);
      optimizer.dispose();
      data.dispose();
      x.dispose();
      user.dispose();
    }));

  test('trainableFrom (by name and by index): frozen layers and frozen BN statistics stay, the rest trains', () =>
    gpuChecked(async () => {
      for (const from of ['block_3_expand', 6] as const) {
        const user = mobileNetV2Like({ inputSize: SIZE, classes: 3, seed: 3 });
        const model = lib.classifierFromLayersModel(user, { trainableFrom: from });
        expect(model.description).toMatch(/the first \d+ layers frozen/);
        const frozenKernel = await values(user.getLayer('Conv1').getWeights()[0]);
        const frozenStats = await values(user.getLayer('bn_Conv1').getWeights()[2]);
        const liveStats = await values(user.getLayer('Conv_1_bn').getWeights()[2]);
        const headKernel = await values(user.getLayer('predictions').getWeights()[0]);
        const data = colourTask(48, 8);
        const optimizer = lib.engineAdam(3e-3);
        await lib.trainModel(model, optimizer, data, Array.from({ length: 48 }, (_, i) => i), { trainer: 'clean', epsilon: 0, epochs: 1, batchSize: 16, learningRate: 3e-3, seed: 0 });
        expect(await values(user.getLayer('Conv1').getWeights()[0]), `${from}: frozen conv`).toEqual(frozenKernel);
        expect(await values(user.getLayer('bn_Conv1').getWeights()[2]), `${from}: frozen BN`).toEqual(frozenStats);
        expect(await values(user.getLayer('Conv_1_bn').getWeights()[2]), `${from}: live BN`).not.toEqual(liveStats);
        expect(await values(user.getLayer('predictions').getWeights()[0]), `${from}: head`).not.toEqual(headKernel);
        optimizer.dispose();
        data.dispose();
        user.dispose();
      }
    }));

  test('trainableFrom out of range or naming no layer: refused naming the option, nothing frozen', () =>
    gpuChecked(async () => {
      const user = mobileNetV2Like({ inputSize: SIZE, classes: 3 });
      for (const bad of [10_000, -1, 'no_such_layer']) {
        expect(() => lib.classifierFromLayersModel(user, { trainableFrom: bad })).toThrow(expect.objectContaining({ name: 'AdversarialArgumentError', argument: 'options.trainableFrom' }));
      }
      expect(user.layers.filter((l) => l.getClassName() !== 'InputLayer').every((l) => l.trainable)).toBe(true);
      user.dispose();
    }));
});

describe('input scale folded into the model', () => {
  const scales: [string, lib.InputScale, (v: number, c: number) => number][] = [
    ['[0, 255]', { range: [0, 255] }, (v) => 255 * v],
    ['[-1, 1]', { range: [-1, 1] }, (v) => 2 * v - 1],
    ['mean/std per channel', { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }, (v, c) => (v - [0.485, 0.456, 0.406][c]) / [0.229, 0.224, 0.225][c]],
    ['mean/std one for all', { mean: [0.5], std: [0.25] }, (v) => (v - 0.5) / 0.25],
  ];
  for (const [name, scale, formula] of scales) {
    test(`${name}: forward(x) is the model's forward of the scaled x`, () =>
      gpuChecked(async () => {
        const user = mobileNetV2Like({ inputSize: SIZE, classes: 3, head: 'logits' });
        const base = lib.classifierFromLayersModel(user);
        const scaled = lib.withInputScale(base, scale);
        expect(scaled.variables).toBe(base.variables);
        const x = tf.randomUniform([2, SIZE, SIZE, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
        const xv = await values(x);
        const mapped = tf.tensor4d(xv.map((v, i) => formula(v, i % 3)), [2, SIZE, SIZE, 3]);
        const [a, b] = [scaled.forward(x), base.forward(mapped)];
        const [av, bv] = [await values(a), await values(b)];
        av.forEach((v, i) => expect(Math.abs(v - bv[i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(bv[i]))));
        tf.dispose([x, mapped, a, b]);
        scaled.dispose();
        user.dispose();
      }));
  }

  test('bad scales refused naming the field', () =>
    gpuChecked(async () => {
      const user = mobileNetV2Like({ inputSize: SIZE, classes: 3, head: 'logits' });
      const base = lib.classifierFromLayersModel(user);
      const bad: [lib.InputScale, string][] = [
        [{ range: [0, 2] } as unknown as lib.InputScale, 'scale.range'],
        [{ mean: [0.5, 0.5], std: [0.2, 0.2] }, 'scale.mean'],
        [{ mean: [0.5], std: [0] }, 'scale.std'],
      ];
      for (const [scale, argument] of bad) expect(() => lib.withInputScale(base, scale)).toThrow(expect.objectContaining({ argument }));
      user.dispose();
    }));
});
