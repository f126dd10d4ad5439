// Models on Dawn: a user's functional tfjs-layers model (strided conv, batch normalization, dropout, pooling,
// reshape) trains with fgsm-rs on the embedded digits, updates its moving statistics, is saved with its own
// layer names and reloads to the same logits and correct counts; the built-in architectures (madry-cnn,
// seed-cnn) by id; a seed-CNN topology under the user's layer names trains and is saved back under them;
// dispose() of owned and not-owned models; unknown architecture ids refused. No GPU errors, no leaks.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { withGpuErrorScope } from '../suite/kernel_suite';
import { functionalChain, seededInit } from '../suite/user_models';

/** Runs `body` in a GPU error scope and expects no GPU errors. */
async function gpuChecked<T>(body: () => Promise<T>): Promise<T> {
  const { value, errors } = await withGpuErrorScope(lib.currentWebGPU()!.device, body);
  expect(errors).toEqual([]);
  return value;
}

let dir: string;
let digits: lib.PreparedData;
const images = (n: number, seed: number) => tf.randomUniform([n, 28, 28, 1], 0, 1, 'float32', seed) as tf.Tensor4D;

/** Saves `model` with saveClassifier under `sub`, reloads it with loadLayersModelFiles; returns both. */
async function saveAndLoad(model: lib.Classifier, sub: string): Promise<{ json: { modelTopology: unknown }; loaded: tfl.LayersModel }> {
  await mkdir(join(dir, sub), { recursive: true });
  await lib.saveClassifier(model, (name, bytes) => writeFile(join(dir, sub, name), bytes));
  const json = JSON.parse(await readFile(join(dir, sub, 'model.json'), 'utf8'));
  const loaded = await lib.loadLayersModelFiles(join(dir, sub, 'model.json'), (path) => readFile(path));
  return { json, loaded };
}

async function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const [x, y] = [(await a.data()) as Float32Array, (await b.data()) as Float32Array];
  expect(x.length).toBe(y.length);
  return x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i])), 0);
}

/** Layer names and class names of a saved model.json's (functional or sequential) topology. */
function savedLayers(json: { modelTopology: unknown }): { name: string; className: string }[] {
  const config = (json.modelTopology as { config: { layers: { class_name: string; config: { name: string } }[] } }).config;
  return config.layers.map((l) => ({ name: l.config.name, className: l.class_name }));
}

const train = (model: lib.Classifier, indices: number[], batchSize: number, onLoss?: (loss: number) => void) => {
  const optimizer = lib.engineAdam(1e-3);
  return lib
    .trainModel(model, optimizer, digits.dataset, indices, {
      trainer: 'fgsm-rs', epsilon: 0.1, epochs: 1, batchSize, learningRate: 1e-3, seed: 0,
      ...(onLoss ? { progressEvery: 1, onProgress: (p: lib.TrainProgress) => onLoss(p.meanLoss) } : {}),
    })
    .finally(() => optimizer.dispose());
};

beforeAll(async () => {
  await lib.initWebGPU();
  await lib.ensureGradients();
  dir = await mkdtemp(join(tmpdir(), 'models-'));
  const set = await lib.loadIdxImageSet('dist/data/digits-images-idx3-ubyte.gz', 'dist/data/digits-labels-idx1-ubyte.gz');
  digits = lib.prepareJobData({ ...set, source: 'embedded' }, undefined, { limitTrain: 256, limitTest: 64 });
});

afterAll(async () => {
  digits?.dataset.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A functional model: strided conv, batch norm, ReLU, dropout, average pool, valid conv, max pool, reshape, logits. */
function functionalModel(): tfl.LayersModel {
  const init = seededInit;
  return functionalChain('user_net', 'pixels', [28, 28, 1], [
    tfl.layers.conv2d({ name: 'stem', filters: 16, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: init(1) }), // 14x14x16
    tfl.layers.batchNormalization({ name: 'stem_bn' }),
    tfl.layers.activation({ name: 'stem_relu', activation: 'relu' }),
    tfl.layers.dropout({ name: 'drop', rate: 0.1, seed: 2 }),
    tfl.layers.averagePooling2d({ name: 'avg', poolSize: 2 }), // 7x7x16
    tfl.layers.conv2d({ name: 'body', filters: 32, kernelSize: 3, padding: 'valid', activation: 'relu', kernelInitializer: init(3) }), // 5x5x32
    tfl.layers.maxPooling2d({ name: 'max', poolSize: 2 }), // 2x2x32
    tfl.layers.reshape({ name: 'flat', targetShape: [128] }),
    tfl.layers.dense({ name: 'head', units: 10, kernelInitializer: init(4) }),
  ]);
}

describe("a user's functional model with batch normalization", () => {
  test('trains with fgsm-rs, updates its moving statistics, saves with its own layer names, reloads to the same logits and correct counts', () =>
    gpuChecked(async () => {
      const before = tf.memory().numTensors;
      const user = functionalModel();
      const model = lib.classifierFromLayersModel(user);
      expect(model.architecture).toBe('layers-model');
      expect(model.description).toBe(
        'layers-model: Conv2D 16 3x3 s2 same, BatchNormalization, Activation relu, Dropout 0.1, AveragePooling2D 2, Conv2D 32 3x3 valid relu, MaxPooling2D 2, Reshape [128], Dense 10',
      );
      expect(model.variables.map((v) => v.shape)).toEqual([[3, 3, 1, 16], [16], [16], [16], [3, 3, 16, 32], [32], [128, 10], [10]]);
      expect(model.stateVariables.map((v) => v.shape)).toEqual([[16], [16]]);
      const statsBefore = await Promise.all(model.stateVariables.map((v) => v.data()));
      const counts = structuredClone(lib.engineKernelCounts);
      const started = performance.now();
      const history = await train(model, digits.train, 32);
      const seconds = (performance.now() - started) / 1000;
      const delta = Object.fromEntries(
        Object.entries(lib.engineKernelCounts)
          .map(([k, c]) => [k, { engine: c.engine - (counts[k]?.engine ?? 0), fallback: c.fallback - (counts[k]?.fallback ?? 0) }] as const)
          .filter(([, c]) => c.engine + c.fallback > 0),
      );
      console.log(`functional model: ${history[0].steps} fgsm-rs steps of 32 in ${seconds.toFixed(1)} s, loss ${history[0].meanLoss.toFixed(3)}; engine kernels ${JSON.stringify(delta)}`);
      expect(Number.isFinite(history[0].meanLoss)).toBe(true);
      // tfjs-layers' BatchNormalization updates its moving statistics in call(), inside the optimizer's loss.
      const statsAfter = await Promise.all(model.stateVariables.map((v) => v.data()));
      statsAfter.forEach((values, i) => expect(Array.from(values), `state ${i}`).not.toEqual(Array.from(statsBefore[i])));
      expect(model.stateVariables.map((v) => v.isDisposed)).toEqual([false, false]);

      const { json, loaded } = await saveAndLoad(model, 'functional');
      expect(savedLayers(json)).toEqual([
        { name: 'pixels', className: 'InputLayer' },
        { name: 'stem', className: 'Conv2D' },
        { name: 'stem_bn', className: 'BatchNormalization' },
        { name: 'stem_relu', className: 'Activation' },
        { name: 'drop', className: 'Dropout' },
        { name: 'avg', className: 'AveragePooling2D' },
        { name: 'body', className: 'Conv2D' },
        { name: 'max', className: 'MaxPooling2D' },
        { name: 'flat', className: 'Reshape' },
        { name: 'head', className: 'Dense' },
      ]);
      expect(json.modelTopology).toMatchObject({ class_name: 'Model', config: { name: 'user_net' } });
      const x = images(6, 7);
      const [want, got] = [model.forward(x), loaded.predict(x) as tf.Tensor2D];
      expect(await maxAbsDiff(want, got)).toBeLessThan(1e-5);
      const reloaded = lib.classifierFromLayersModel(loaded, { owned: true });
      expect(reloaded.stateVariables).toHaveLength(2);
      const attacks: lib.EvaluationAttack[] = [{ kind: 'clean' }, { kind: 'pgd', epsilon: 0.1, steps: 3, seed: 1 }];
      const evalStart = performance.now();
      const [a, b] = [await lib.evaluateModel(model, digits.dataset, digits.test, attacks), await lib.evaluateModel(reloaded, digits.dataset, digits.test, attacks)];
      console.log(`functional model: clean ${a[0].correct}/${a[0].examples}, pgd-3 ${a[1].correct}/${a[1].examples}; two evaluations in ${((performance.now() - evalStart) / 1000).toFixed(1)} s`);
      expect(b.map((r) => r.correct)).toEqual(a.map((r) => r.correct));
      expect(a[0].correct).toBeGreaterThan(a[1].correct);
      tf.dispose([x, want, got]);
      reloaded.dispose();
      model.dispose();
      user.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }));
});

describe('built-in architectures', () => {
  test("architectureIds, and createArchitecture('seed-cnn') is seedCnn with the same options", () =>
    gpuChecked(async () => {
      expect(lib.architectureIds()).toEqual(['seed-cnn', 'madry-cnn', 'resnet-20']);
      expect(lib.ARCHITECTURES.map((a) => a.id)).toEqual(lib.architectureIds());
      const o = { seed: 5, inputShape: [28, 28, 1] as [number, number, number], numClasses: 10 };
      const [a, b] = [lib.createArchitecture('seed-cnn', o), lib.seedCnn(o)];
      expect(a.architecture).toBe('seed-cnn');
      expect(a.description).toBe('seed-cnn: Conv2D 32 3x3 ReLU, MaxPool 2, Flatten, Dense 128 ReLU, Dense 10 (logits)');
      expect(a.stateVariables).toEqual([]);
      const x = images(2, 3);
      const [ya, yb] = [a.forward(x), b.forward(x)];
      expect(Array.from(await ya.data())).toEqual(Array.from(await yb.data()));
      tf.dispose([x, ya, yb]);
      a.dispose();
      b.dispose();
    }));

  test('madry-cnn trains a few fgsm-rs steps (finite, changing loss), saves and reloads to equal logits; dispose() releases it', () =>
    gpuChecked(async () => {
      const before = tf.memory().numTensors;
      const model = lib.createArchitecture('madry-cnn', { seed: 0, inputShape: [28, 28, 1], numClasses: 10 });
      expect(model.architecture).toBe('madry-cnn');
      expect(model.description).toBe(
        'madry-cnn: Conv2D 32 5x5 same relu, MaxPooling2D 2 same, Conv2D 64 5x5 same relu, MaxPooling2D 2 same, Flatten, Dense 1024 relu, Dense 10',
      );
      expect(model.variables.map((v) => v.shape)).toEqual([[5, 5, 1, 32], [32], [5, 5, 32, 64], [64], [3136, 1024], [1024], [1024, 10], [10]]);
      expect(model.stateVariables).toEqual([]);
      const losses: number[] = [];
      const started = performance.now();
      // On the engine kernels: conv2's 5x5x32x64 filter gradient runs in one chunk (it once came back as
      // [1, filter size] there; the engine table has the case).
      await train(model, digits.train.slice(0, 16), 4, (loss) => losses.push(loss));
      console.log(`madry-cnn: 4 fgsm-rs steps of 4 in ${((performance.now() - started) / 1000).toFixed(1)} s, losses ${losses.map((l) => l.toFixed(3)).join(' ')}`);
      expect(losses).toHaveLength(4);
      losses.forEach((l) => expect(Number.isFinite(l)).toBe(true));
      expect(new Set(losses).size).toBeGreaterThan(1);

      const { json, loaded } = await saveAndLoad(model, 'madry');
      expect(savedLayers(json).map((l) => l.name)).toEqual(['conv1', 'pool1', 'conv2', 'pool2', 'flatten', 'fc1', 'logits']);
      const x = images(3, 9);
      const [want, got] = [model.forward(x), loaded.predict(x) as tf.Tensor2D];
      expect(await maxAbsDiff(want, got)).toBeLessThan(1e-5);
      tf.dispose([x, want, got]);
      loaded.dispose();
      model.dispose();
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }));

  test('an unknown architecture id is refused naming architecture, with the ids', () => {
    expect(() => lib.createArchitecture('resnet-18', { seed: 0, inputShape: [28, 28, 1], numClasses: 10 })).toThrow(
      expect.objectContaining({ name: 'AdversarialArgumentError', op: 'createArchitecture', argument: 'architecture', message: expect.stringMatching(/'seed-cnn', 'madry-cnn'.*resnet-18/) }),
    );
  });
});

/** The seed CNN's topology under the user's own layer names. */
function namedSeedTopology(): tfl.Sequential {
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  return tfl.sequential({
    name: 'my_seed',
    layers: [
      tfl.layers.conv2d({ name: 'c1', filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1], kernelInitializer: init(1) }),
      tfl.layers.maxPooling2d({ name: 'p1', poolSize: 2 }),
      tfl.layers.flatten({ name: 'f1' }),
      tfl.layers.dense({ name: 'd1', units: 128, activation: 'relu', kernelInitializer: init(2) }),
      tfl.layers.dense({ name: 'out', units: 10, kernelInitializer: init(3) }),
    ],
  });
}

describe('a seed-CNN topology under its own layer names', () => {
  test('comes back as seedCnn, trains, and is saved back with the names c1 p1 f1 d1 out and the trained weights', () =>
    gpuChecked(async () => {
      const before = tf.memory().numTensors;
      const user = namedSeedTopology();
      const model = lib.classifierFromLayersModel(user, { owned: true });
      expect(model.architecture).toBe('seed-cnn');
      const initial = await user.getWeights()[0].data();
      await train(model, digits.train.slice(0, 128), 32);
      // Training changes the classifier's copies, not the user's model...
      expect(Array.from(await user.getWeights()[0].data())).toEqual(Array.from(initial));
      const { json, loaded } = await saveAndLoad(model, 'named-seed');
      // ...until layersModel() (here through saveClassifier) writes them back.
      expect(Array.from(await user.getWeights()[0].data())).toEqual(Array.from(await model.variables[0].data()));
      expect(savedLayers(json).map((l) => l.name)).toEqual(['c1', 'p1', 'f1', 'd1', 'out']);
      expect(json.modelTopology).toMatchObject({ class_name: 'Sequential', config: { name: 'my_seed' } });
      const again = lib.classifierFromLayersModel(loaded, { owned: true });
      expect(again.architecture).toBe('seed-cnn');
      const x = images(4, 5);
      const [a, b] = [model.forward(x), again.forward(x)];
      expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
      tf.dispose([x, a, b]);
      again.dispose();
      model.dispose();
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }));
});

describe('dispose()', () => {
  test('a wrapped model not owned keeps working after the classifier is disposed; owned, it is disposed with it', () =>
    gpuChecked(async () => {
      const before = tf.memory().numTensors;
      const x = images(2, 4);
      const user = functionalModel();
      const withUser = tf.memory().numTensors;
      const notOwned = lib.classifierFromLayersModel(user);
      const y0 = notOwned.forward(x);
      notOwned.dispose();
      notOwned.dispose();
      expect(tf.memory().numTensors).toBe(withUser + 1);
      const y1 = user.predict(x) as tf.Tensor;
      // The classifier's inference plan (fused convolutions) against the model's own call: float rounding.
      const [a, b] = [Array.from(await y1.data()), Array.from(await y0.data())];
      expect(a.length).toBe(b.length);
      a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(v))));
      tf.dispose([y0, y1]);
      const owned = lib.classifierFromLayersModel(user, { owned: true });
      owned.dispose();
      owned.dispose();
      expect(() => user.predict(x)).toThrow(/disposed/);
      // A recognised seed CNN, not owned: its copies go, the user's model stays.
      const seedUser = namedSeedTopology();
      const withSeedUser = tf.memory().numTensors;
      const seed = lib.classifierFromLayersModel(seedUser);
      expect(tf.memory().numTensors).toBe(withSeedUser + 6);
      seed.dispose();
      expect(tf.memory().numTensors).toBe(withSeedUser);
      const y2 = seedUser.predict(x) as tf.Tensor;
      expect(y2.shape).toEqual([2, 10]);
      y2.dispose();
      expect(() => lib.classifierFromLayersModel(seedUser, { owned: 'yes' } as never)).toThrow(expect.objectContaining({ argument: 'options.owned' }));
      seedUser.dispose();
      x.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }));
});
