// The tfjs Layers format on Dawn: the seed CNN goes to a tfjs-layers model, to model.json + weights.bin and
// back through tf.loadLayersModel with the same logits (and bit-identical ones once it is a seedCnn again);
// a user's own tfl model trains with trainModel; softmax heads give the logits before them; wrong class counts, truncated weights and
// broken model.json files are refused by name; loading leaks no tensors.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { withGpuErrorScope } from '../suite/kernel_suite';
import { syntheticTask } from '../suite/synthetic';

/** Runs `body` in a GPU error scope and expects no GPU errors. */
async function gpuChecked<T>(body: () => Promise<T>): Promise<T> {
  const { value, errors } = await withGpuErrorScope(lib.currentWebGPU()!.device, body);
  expect(errors).toEqual([]);
  return value;
}

let dir: string;
const files = {
  write: (sub: string) => async (name: string, bytes: Uint8Array) => writeFile(join(dir, sub, name), bytes),
  read: (path: string) => readFile(path),
};

/** A directory under the temp folder holding `model`'s model.json and weights.bin; returns model.json's path. */
async function saved(model: tfl.LayersModel, sub: string): Promise<string> {
  await mkdir(join(dir, sub), { recursive: true });
  await lib.saveLayersModelFiles(model, files.write(sub));
  return join(dir, sub, 'model.json');
}

beforeAll(async () => {
  await lib.initWebGPU();
  await lib.ensureGradients();
  dir = await mkdtemp(join(tmpdir(), 'layers-format-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('seed CNN in the Layers format', () => {
  test('seedCnn -> LayersModel -> model.json + weights.bin -> tf.loadLayersModel: same logits; back to a bit-identical seedCnn', () =>
    gpuChecked(async () => {
      const model = lib.seedCnn({ seed: 3 });
      const layersModel = lib.seedCnnToLayersModel(model);
      expect(layersModel.layers.map((l) => l.name)).toEqual(['conv2d', 'max_pooling2d', 'flatten', 'dense', 'logits']);
      const jsonPath = await saved(layersModel, 'seed');
      const json = JSON.parse(await readFile(jsonPath, 'utf8'));
      expect(json.format).toBe('layers-model');
      expect(json.convertedBy).toBeNull();
      expect(typeof json.generatedBy).toBe('string');
      expect(json.weightsManifest).toHaveLength(1);
      expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
      expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toEqual([
        'conv2d/kernel',
        'conv2d/bias',
        'dense/kernel',
        'dense/bias',
        'logits/kernel',
        'logits/bias',
      ]);
      const weightsBytes = (await readFile(join(dir, 'seed', 'weights.bin'))).byteLength;
      expect(weightsBytes).toBe(4 * model.variables.reduce((sum, v) => sum + v.size, 0));

      const loaded = await lib.loadLayersModelFiles(jsonPath, files.read);
      const images = tf.randomUniform([5, 28, 28, 1], 0, 1, 'float32', 11) as tf.Tensor4D;
      const expected = model.forward(images);
      const predicted = loaded.predict(images) as tf.Tensor2D;
      expect(predicted.shape).toEqual([5, 10]);
      const [want, got] = [(await expected.data()) as Float32Array, (await predicted.data()) as Float32Array];
      const maxDiff = got.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i])), 0);
      expect(maxDiff).toBeLessThan(1e-4);

      const again = lib.classifierFromLayersModel(loaded);
      expect(again.architecture).toBe('seed-cnn');
      expect(again.inputShape).toEqual([28, 28, 1]);
      expect(again.numClasses).toBe(10);
      const logits = again.forward(images);
      expect(Array.from(await logits.data())).toEqual(Array.from(want));
      // Its own variables: disposing the loaded model leaves it working.
      loaded.dispose();
      layersModel.dispose();
      const after = again.forward(images);
      expect(Array.from(await after.data())).toEqual(Array.from(want));
      tf.dispose([images, expected, predicted, logits, after, ...model.variables, ...again.variables]);
    }));

  test('seedCnn({weights}) copies them; shapes are checked naming options.weights; a non-seed classifier is refused naming model', () =>
    gpuChecked(async () => {
      const model = lib.seedCnn({ seed: 4, inputShape: [8, 8, 1], numClasses: 3 });
      const copy = lib.seedCnn({ inputShape: [8, 8, 1], numClasses: 3, weights: model.variables });
      expect(copy.architecture).toBe('seed-cnn');
      const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
      const [a, b] = [model.forward(x), copy.forward(x)];
      expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
      // Assigning the copy leaves the original as it was.
      copy.variables[5].assign(tf.ones([3]));
      expect(Array.from(await model.variables[5].data())).toEqual([0, 0, 0]);
      expect(() => lib.seedCnn({ inputShape: [8, 8, 1], numClasses: 10, weights: model.variables })).toThrow(
        expect.objectContaining({ name: 'AdversarialArgumentError', argument: 'options.weights' }),
      );
      expect(() => lib.seedCnn({ inputShape: [8, 8, 1], weights: model.variables.slice(0, 5) })).toThrow(expect.objectContaining({ argument: 'options.weights' }));
      const plain: lib.Classifier = { ...model, architecture: 'layers-model' };
      expect(() => lib.seedCnnToLayersModel(plain)).toThrow(expect.objectContaining({ name: 'AdversarialArgumentError', op: 'seedCnnToLayersModel', argument: 'model' }));
      tf.dispose([x, a, b, ...model.variables, ...copy.variables]);
    }));
});

describe("a user's own tfjs-layers model", () => {
  test('classifierFromLayersModel of conv2d -> flatten -> dense(10) trains with fgsm-rs: the loss falls, its variables change', () =>
    gpuChecked(async () => {
      // Seeded initialisers: with unseeded ones about one start in four had every ReLU dead from the first
      // steps (the loss stayed at ln 10), so the test depended on Math.random.
      const user = tfl.sequential({
        layers: [
          tfl.layers.conv2d({
            filters: 8, kernelSize: 3, activation: 'relu', inputShape: [8, 8, 1],
            kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
          }),
          tfl.layers.flatten(),
          tfl.layers.dense({ units: 10, kernelInitializer: tfl.initializers.glorotUniform({ seed: 101 }) }),
        ],
      });
      const model = lib.classifierFromLayersModel(user);
      expect(model.architecture).toBe('layers-model');
      expect(model.inputShape).toEqual([8, 8, 1]);
      expect(model.numClasses).toBe(10);
      expect(model.variables.map((v) => v.shape)).toEqual([[3, 3, 1, 8], [8], [288, 10], [10]]);
      const before = await Promise.all(user.getWeights().map((w) => w.data()));
      const task = syntheticTask(320, 5);
      const data = lib.uploadDataset(task.images, task.labels, [8, 8, 1], 10);
      const optimizer = lib.engineAdam(3e-3);
      const history = await lib.trainModel(model, optimizer, data, Array.from({ length: 320 }, (_, i) => i), {
        trainer: 'fgsm-rs',
        epsilon: 0.1,
        epochs: 3,
        batchSize: 32,
        learningRate: 3e-3,
        seed: 0,
      });
      expect(history).toHaveLength(3);
      expect(history[2].meanLoss).toBeLessThan(history[0].meanLoss);
      // The trained variables are the tfl model's own: its weights changed.
      const after = await Promise.all(user.getWeights().map((w) => w.data()));
      after.forEach((values, i) => expect(Array.from(values), `weight ${i}`).not.toEqual(Array.from(before[i])));
      const [clean] = await lib.evaluateModel(model, data, Array.from({ length: 100 }, (_, i) => i + 200), [{ kind: 'clean' }]);
      expect(clean.accuracy).toBeGreaterThan(0.3);
      optimizer.dispose();
      data.dispose();
      user.dispose();
    }));
});

describe('training mode of a wrapped model', () => {
  test('dropout acts only in forward(x, true): attacks and evaluation see the inference-mode model', () =>
    gpuChecked(async () => {
      const user = tfl.sequential({
        layers: [tfl.layers.flatten({ inputShape: [8, 8, 1] }), tfl.layers.dropout({ rate: 0.5 }), tfl.layers.dense({ units: 10 })],
      });
      const model = lib.classifierFromLayersModel(user);
      const x = tf.randomUniform([4, 8, 8, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
      const [a, b, trained] = [model.forward(x), model.forward(x), model.forward(x, true)];
      const [av, bv, tv] = await Promise.all([a.data(), b.data(), trained.data()]);
      expect(Array.from(bv)).toEqual(Array.from(av));
      expect(Array.from(tv)).not.toEqual(Array.from(av));
      tf.dispose([x, a, b, trained]);
      user.dispose();
    }));
});

describe('refusals', () => {
  test('a model ending in softmax (a Dense softmax, a Softmax layer) gives the logits before it', () =>
    gpuChecked(async () => {
      const dense = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [8, 8, 1] }), tfl.layers.dense({ units: 10, activation: 'softmax' })] });
      const layer = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [8, 8, 1] }), tfl.layers.dense({ units: 10 }), tfl.layers.softmax()] });
      const x = tf.randomUniform([3, 8, 8, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
      for (const m of [dense, layer]) {
        const model = lib.classifierFromLayersModel(m);
        expect(model.head).toMatch(/softmax removed/);
        const [probabilities, logits] = [m.predict(x) as tf.Tensor, model.forward(x)];
        const [p, q] = await Promise.all([probabilities.data(), tf.softmax(logits).data()]);
        p.forEach((v, i) => expect(Math.abs(v - q[i])).toBeLessThan(1e-5));
        // The model itself still applies its softmax.
        const againTensor = m.predict(x) as tf.Tensor;
        expect(Array.from(await againTensor.data())).toEqual(Array.from(p));
        tf.dispose([probabilities, logits, againTensor]);
        m.dispose();
      }
      x.dispose();
    }));

  test('inputs that are not NHWC images, outputs that are not [batch, classes]: refused naming model', () =>
    gpuChecked(async () => {
      const flat = tfl.sequential({ layers: [tfl.layers.dense({ units: 10, inputShape: [64] })] });
      const spatial = tfl.sequential({ layers: [tfl.layers.conv2d({ filters: 10, kernelSize: 3, inputShape: [8, 8, 1] })] });
      for (const m of [flat, spatial]) {
        expect(() => lib.classifierFromLayersModel(m)).toThrow(expect.objectContaining({ argument: 'model' }));
        m.dispose();
      }
    }));

  test('a model with 3 outputs trained on a 10-class data set is refused by trainModel naming model', () =>
    gpuChecked(async () => {
      const user = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [8, 8, 1] }), tfl.layers.dense({ units: 3 })] });
      const model = lib.classifierFromLayersModel(user);
      expect(model.numClasses).toBe(3);
      const task = syntheticTask(20, 1);
      const data = lib.uploadDataset(task.images, task.labels, [8, 8, 1], 10);
      const optimizer = lib.engineAdam(1e-3);
      await expect(
        lib.trainModel(model, optimizer, data, Array.from({ length: 20 }, (_, i) => i), { trainer: 'clean', epsilon: 0.1, epochs: 1, batchSize: 4, learningRate: 1e-3, seed: 0 }),
      ).rejects.toMatchObject({ name: 'AdversarialArgumentError', argument: 'model' });
      optimizer.dispose();
      data.dispose();
      user.dispose();
    }));

  test('a truncated weights.bin, a missing or broken model.json: refused with errors naming the file', () =>
    gpuChecked(async () => {
      const model = lib.seedCnn({ seed: 5, inputShape: [8, 8, 1] });
      const layersModel = lib.seedCnnToLayersModel(model);
      const jsonPath = await saved(layersModel, 'truncated');
      const weightsPath = join(dir, 'truncated', 'weights.bin');
      const weights = await readFile(weightsPath);
      await writeFile(weightsPath, weights.subarray(0, weights.byteLength - 8));
      const before = tf.memory().numTensors;
      await expect(lib.loadLayersModelFiles(jsonPath, files.read)).rejects.toThrow(weightsPath);
      await expect(lib.loadLayersModelFiles(jsonPath, files.read)).rejects.toThrow(/bytes/);
      const missing = join(dir, 'nowhere', 'model.json');
      await expect(lib.loadLayersModelFiles(missing, files.read)).rejects.toThrow(missing);
      const broken = join(dir, 'broken.json');
      await writeFile(broken, '{"modelTopology": ');
      await expect(lib.loadLayersModelFiles(broken, files.read)).rejects.toThrow(broken);
      const notModel = join(dir, 'not-model.json');
      await writeFile(notModel, '{"hello": 1}');
      await expect(lib.loadLayersModelFiles(notModel, files.read)).rejects.toThrow(notModel);
      expect(tf.memory().numTensors).toBe(before);
      layersModel.dispose();
      tf.dispose(model.variables);
    }));

  test('loading and disposing a model leaves the tensor count as it was', () =>
    gpuChecked(async () => {
      const model = lib.seedCnn({ seed: 6, inputShape: [8, 8, 1] });
      const layersModel = lib.seedCnnToLayersModel(model);
      const jsonPath = await saved(layersModel, 'leak');
      layersModel.dispose();
      tf.dispose(model.variables);
      // Once to warm up whatever tfjs keeps, then counted.
      (await lib.loadLayersModelFiles(jsonPath, files.read)).dispose();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 2; i++) {
        const loaded = await lib.loadLayersModelFiles(jsonPath, files.read);
        const classifier = lib.classifierFromLayersModel(loaded);
        const y = tf.tidy(() => classifier.forward(tf.zeros([1, 8, 8, 1])));
        await y.data();
        tf.dispose([y, ...classifier.variables]);
        loaded.dispose();
      }
      expect(tf.memory().numTensors).toBe(before);
    }));
});
