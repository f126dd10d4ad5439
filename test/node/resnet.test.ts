// He et al.'s CIFAR ResNet (cifarResNet, --arch resnet-20) on Dawn: its layer structure and parameter count
// against the paper's formula, depths that are not 6n+2 refused naming depth, replayable seeded weights,
// [b, 10] logits from 32x32x3 images with batch normalization's moving statistics updated in training and
// frozen in inference and attacks; and through the CLI, train --arch resnet-20 on a CIFAR-10 binary batch
// written by the test: moving statistics changed in the saved model, eval of it reproducing the report.
// No GPU errors, no leaks.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { cliOk, expectSameMetrics, readJson, savedLayerNames, type Json } from '../suite/cli_jobs';
import { classImage, writeCifarBatch } from '../suite/image_files';
import { withGpuErrorScope } from '../suite/kernel_suite';

const dir = mkdtempSync(join(tmpdir(), 'tfjs-adv-resnet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  await lib.initWebGPU();
  await lib.ensureGradients();
});

/** Runs `body` in a GPU error scope and expects no GPU errors. */
async function gpuChecked<T>(body: () => Promise<T>): Promise<T> {
  const { value, errors } = await withGpuErrorScope(lib.currentWebGPU()!.device, body);
  expect(errors).toEqual([]);
  return value;
}

/**
 * Trainable weights of a CIFAR ResNet of `depth` (6n+2), `width` and `classes` by the paper's formula: 3x3
 * kernels without bias, each followed by BN (gamma, beta); 1x1 projections (+BN) entering stages 2 and 3.
 */
function expectedParameters(depth: number, width: number, classes: number): number {
  const n = (depth - 2) / 6;
  const w = [16, 32, 64].map((f) => f * width);
  const convBn = (k: number, cin: number, cout: number) => k * k * cin * cout + 2 * cout;
  let total = convBn(3, 3, w[0]);
  w.forEach((f, s) => {
    const cin = s === 0 ? w[0] : w[s - 1];
    total += convBn(3, cin, f) + convBn(3, f, f) + (cin !== f ? convBn(1, cin, f) : 0);
    total += (n - 1) * 2 * convBn(3, f, f);
  });
  return total + w[2] * classes + classes;
}

const count = (model: lib.Classifier, className: string) => model.layersModel().model.layers.filter((l) => l.getClassName() === className).length;
const batch = (n: number, seed: number) => tf.randomUniform([n, 32, 32, 3], 0, 1, 'float32', seed) as tf.Tensor4D;
const values = (vs: tf.Variable[]) => Promise.all(vs.map(async (v) => Array.from((await v.data()) as Float32Array)));

describe('cifarResNet', () => {
  const structures: { name: string; options: lib.CifarResNetOptions; convs: number; adds: number; parameters: number }[] = [
    // 19 3x3 convs + 2 projections; 0.27M at 10 classes (He et al. Table 6: 0.27M).
    { name: 'ResNet-20 (default): 21 convs, 9 additions, 272,474 weights', options: {}, convs: 21, adds: 9, parameters: 272_474 },
    { name: 'ResNet-32 at 100 classes', options: { depth: 32, numClasses: 100 }, convs: 33, adds: 15, parameters: expectedParameters(32, 1, 100) },
    { name: 'ResNet-20 at width 2', options: { width: 2 }, convs: 21, adds: 9, parameters: expectedParameters(20, 2, 10) },
  ];
  for (const c of structures) {
    test(`layer structure and parameter count: ${c.name}`, () =>
      gpuChecked(async () => {
        const before = tf.memory().numTensors;
        const model = lib.cifarResNet({ seed: 1, ...c.options });
        const depth = c.options.depth ?? 20;
        expect(c.parameters).toBe(expectedParameters(depth, c.options.width ?? 1, c.options.numClasses ?? 10));
        expect(model.variables.reduce((a, v) => a + v.size, 0)).toBe(c.parameters);
        expect(model.architecture).toBe(`resnet-${depth}`);
        expect(model.inputShape).toEqual([32, 32, 3]);
        expect(model.numClasses).toBe(c.options.numClasses ?? 10);
        expect([count(model, 'Conv2D'), count(model, 'BatchNormalization'), count(model, 'Add'), count(model, 'Dense')]).toEqual([c.convs, c.convs, c.adds, 1]);
        expect(count(model, 'GlobalAveragePooling2D')).toBe(1);
        // Moving mean and variance of every batch normalization: the state to save, not to train.
        expect(model.stateVariables).toHaveLength(2 * c.convs);
        const names = model.layersModel().model.layers.map((l) => l.name);
        expect(names.slice(0, 4)).toEqual(['images', 'conv1', 'bn1', 'relu1']);
        expect(names.slice(-2)).toEqual(['pool', 'logits']);
        expect(names.filter((n) => n.endsWith('_proj'))).toEqual(['s2b1_proj', 's3b1_proj']);
        const layers = model.layersModel().model;
        const strides = (name: string) => (layers.getLayer(name).getConfig() as { strides: number[] }).strides;
        expect([strides('s1b1_conv1'), strides('s2b1_conv1'), strides('s2b1_proj'), strides('s3b1_conv1'), strides('s3b2_conv1')]).toEqual([[1, 1], [2, 2], [2, 2], [2, 2], [1, 1]]);
        expect(layers.getLayer('s3b1_conv2').outputShape).toEqual([null, 8, 8, 64 * (c.options.width ?? 1)]);
        model.dispose();
        expect(tf.memory().numTensors).toBe(before);
      }));
  }

  const refusals: [string, lib.CifarResNetOptions, string][] = [
    ['depth 18, not 6n+2', { depth: 18 }, 'depth'],
    ['depth 2 (n = 0)', { depth: 2 }, 'depth'],
    ['depth 20.5', { depth: 20.5 }, 'depth'],
    ['width 0', { width: 0 }, 'width'],
    ['numClasses 1', { numClasses: 1 }, 'numClasses'],
    ['an input shape of rank 2', { inputShape: [32, 32] as unknown as [number, number, number] }, 'inputShape'],
  ];
  for (const [name, options, argument] of refusals) {
    test(`refused naming ${argument}: ${name}`, () => {
      const before = tf.memory().numTensors;
      expect(() => lib.cifarResNet(options)).toThrow(expect.objectContaining({ name: 'AdversarialArgumentError', op: 'cifarResNet', argument, message: expect.stringContaining(argument) }));
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  test('same seed, same weights; another seed, other weights; createArchitecture(resnet-20) is cifarResNet', () =>
    gpuChecked(async () => {
      const before = tf.memory().numTensors;
      const [a, b, c] = [lib.cifarResNet({ seed: 4 }), lib.createArchitecture('resnet-20', { seed: 4, inputShape: [32, 32, 3], numClasses: 10 }), lib.cifarResNet({ seed: 5 })];
      const [wa, wb, wc] = [await values(a.variables), await values(b.variables), await values(c.variables)];
      expect(wb).toEqual(wa);
      expect(b.description).toBe(a.description);
      // Every kernel differs with the seed (BN's gamma/beta and the logits' bias start as ones and zeros).
      const kernels = a.variables.map((v, i) => (v.shape.length > 1 ? i : -1)).filter((i) => i >= 0);
      expect(kernels).toHaveLength(22);
      kernels.forEach((i) => expect(wc[i], a.variables[i].name).not.toEqual(wa[i]));
      [a, b, c].forEach((m) => m.dispose());
      expect(tf.memory().numTensors).toBe(before);
    }));

  test('forward: [b, 10] logits from 32x32x3; moving statistics frozen in inference and attacks, updated in training', () =>
    gpuChecked(async () => {
      const before = tf.memory().numTensors;
      const model = lib.cifarResNet({ seed: 2 });
      const x = batch(4, 3);
      const stats = await values(model.stateVariables);
      const y = model.forward(x);
      expect(y.shape).toEqual([4, 10]);
      expect(Array.from(await y.data()).every(Number.isFinite)).toBe(true);
      // An attack (gradients through the model in inference mode) leaves the statistics as they were.
      let s = 7;
      const random = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) / 2 ** 24;
      const images = new Uint8Array(4 * 32 * 32 * 3);
      for (let i = 0; i < 4; i++) images.set(classImage(i, 32, 3, random), i * 3072);
      const data = lib.uploadDataset(images, [0, 1, 2, 3], [32, 32, 3], 10);
      await lib.evaluateModel(model, data, [0, 1, 2, 3], [{ kind: 'clean' }, { kind: 'fgsm', epsilon: 8 / 255 }]);
      data.dispose();
      expect(await values(model.stateVariables)).toEqual(stats);
      const again = model.forward(x);
      expect(Array.from(await again.data())).toEqual(Array.from(await y.data()));
      // Training mode normalises by the batch and moves every moving mean and variance.
      tf.dispose(model.forward(x, true));
      const moved = await values(model.stateVariables);
      moved.forEach((v, i) => expect(v, model.stateVariables[i].name).not.toEqual(stats[i]));
      tf.dispose([x, y, again]);
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }));
});

/** The saved model's weights by name, read from model.json's manifest and weights.bin. */
function savedWeights(folder: string): Map<string, number[]> {
  const bytes = readFileSync(join(folder, 'weights.bin'));
  const specs = readJson(join(folder, 'model.json')).weightsManifest[0].weights as { name: string; shape: number[] }[];
  let offset = 0;
  return new Map(
    specs.map((w) => {
      const n = w.shape.reduce((a, b) => a * b, 1);
      const floats = Array.from(new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + 4 * n)));
      offset += 4 * n;
      return [w.name, floats];
    }),
  );
}

describe('train --arch resnet-20 on a CIFAR-10 binary batch (CLI)', () => {
  // Every class once (the job counts the classes by the labels), one fgsm step of 10 (SwiftShader on 2 cores: about a minute for ResNet-20's first step and its shaders).
  test('trains, saves moving statistics that moved, and eval of the saved model reproduces the report', () => {
    const train = writeCifarBatch(join(dir, 'data_batch_1.bin'), 10, 10, 5);
    const testSet = writeCifarBatch(join(dir, 'test_batch.bin'), 10, 10, 6);
    const out = join(dir, 'run');
    const quick = ['--pgd-steps', '1', '--audit', 'off', '--test-images', testSet];
    cliOk('train --arch resnet-20', ['train', '--arch', 'resnet-20', '--train-images', train, '--trainer', 'fgsm', '--epochs', '1', '--batch-size', '10', '--probe-examples', '0', '--epsilon', '0.0314', ...quick, '--out', out]);
    const report: Json = readJson(join(out, 'report.json'));
    expect(report.settings.arch).toBe('resnet-20');
    expect(report.model.architecture).toBe('resnet-20');
    expect(report.model.parameters).toBe(272_474);
    expect(report.data.image_shape).toEqual([32, 32, 3]);
    expect([report.data.train_examples, report.data.test_examples]).toEqual([10, 10]);
    expect(report.evaluation.map((e: Json) => e.label)).toEqual(['clean', 'FGSM', 'PGD-1']);
    const saved = join(out, 'model');
    const names = savedLayerNames(readJson(join(saved, 'model.json')));
    expect(names.slice(0, 3)).toEqual(['images', 'conv1', 'bn1']);
    expect(names).toContain('s3b1_proj_bn');
    // Every batch normalization's moving mean left 0 and its moving variance left 1 (tfjs's initial values).
    const weights = savedWeights(saved);
    const moving = [...weights.keys()].filter((k) => /moving_(mean|variance)$/.test(k));
    expect(moving).toHaveLength(42);
    for (const name of moving) {
      const start = name.endsWith('moving_mean') ? 0 : 1;
      expect(weights.get(name)!.some((v) => v !== start), name).toBe(true);
    }
    const evalOut = join(dir, 'eval');
    cliOk('eval of the resnet-20', ['eval', '--model', join(saved, 'model.json'), '--epsilon', '0.0314', ...quick, '--out', evalOut]);
    const evaluated = readJson(join(evalOut, 'report.json'));
    expect(evaluated.metrics.clean_accuracy).toBe(report.metrics.clean_accuracy);
    expectSameMetrics(evaluated, report);
  }, 600_000);
});
