// Real image files through the command line (child processes, Dawn): a colour model trained on a folder of
// PNG class folders and tested on a folder of JPEG ones, evaluated again by `eval`; CIFAR-10 binary
// batches (two files); and the refusals, each naming its flag before any work: labels given for a folder,
// a corrupt image, --classes naming a missing folder, a class count the model does not have.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { writeCifarBatch, writeImageFolder } from '../suite/image_files';
import { mobileNetV2Like } from '../suite/mobilenet_like';
import { graphModelFiles } from '../suite/graph_model';

const dir = mkdtempSync(join(tmpdir(), 'tfjs-adv-cli-images-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = (args: string[]) => spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8', timeout: 600_000 });
const report = (out: string) => JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
const QUICK = ['--probe-examples', '0', '--audit', 'off', '--pgd-steps', '3', '--batch-size', '16'];

const classes: [string, number][] = [['cat', 40], ['dog', 40], ['owl', 40]];
const train = writeImageFolder(join(dir, 'train'), { classes, size: 16, format: 'png', seed: 1 });
const testSet = writeImageFolder(join(dir, 'test'), { classes: classes.map(([c]) => [c, 10]), size: 16, format: 'jpeg', seed: 2 });
const twoClasses = writeImageFolder(join(dir, 'two'), { classes: [['cat', 4], ['dog', 4]], size: 16, seed: 3 });

describe("a user's softmax-headed MobileNetV2-like model on a folder of images", () => {
  const modelDir = join(dir, 'mobilenet');
  const model = join(modelDir, 'model.json');
  // 24x24 images for a 16x16 model: the folder is resized to the model's declared input.
  const big = writeImageFolder(join(dir, 'big'), { classes: [['cat', 16], ['dog', 16], ['owl', 16]], size: 24, format: 'jpeg', seed: 9 });
  beforeAll(async () => {
    await tf.setBackend('cpu');
    const user = mobileNetV2Like({ inputSize: 16, classes: 3, seed: 4 });
    mkdirSync(modelDir, { recursive: true });
    await lib.saveLayersModelFiles(user, async (name, bytes) => writeFileSync(join(modelDir, name), bytes));
    user.dispose();
  });

  test('eval (--normalize): logits before the softmax, images resized to the model, the head and scale in the report', () => {
    const out = join(dir, 'm-eval');
    const run = cli(['eval', '--model', model, '--test-images', big, '--normalize', 'mean=0.5,0.5,0.5,std=0.25,0.25,0.25', '--epsilon', '0.03', '--pgd-steps', '3', '--audit', 'off', '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    const r = report(out);
    expect(r.data.image_shape).toEqual([16, 16, 3]);
    expect(r.model.head).toMatch(/softmax removed: the attacks use the logits of layer 'predictions' before its softmax/);
    expect(r.model.head).toMatch(/normalised by mean 0.5,0.5,0.5 std 0.25,0.25,0.25/);
    expect(r.evaluation.map((e: { label: string }) => e.label)).toEqual(['clean', 'FGSM', 'PGD-3']);
    // Teachable Machine's metadata.json names the classes; a wrong count is refused naming --model.
    writeFileSync(join(modelDir, 'metadata.json'), JSON.stringify({ labels: ['cat', 'dog', 'owl'], imageSize: 16 }));
    const named = cli(['eval', '--model', model, '--test-images', big, '--attacks', 'fgsm', '--audit', 'off', '--out', join(dir, 'm-named')]);
    expect(named.status, named.stderr).toBe(0);
    expect(report(join(dir, 'm-named')).model.class_names).toEqual(['cat', 'dog', 'owl']);
    writeFileSync(join(modelDir, 'metadata.json'), JSON.stringify({ labels: ['cat', 'dog'] }));
    const wrong = cli(['eval', '--model', model, '--test-images', big, '--audit', 'off']);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/--model .*metadata\.json's labels do not fit --test-images .*big: .*owl/);
    // With the classes given, the metadata's wrong count is the model's fault: refused naming --model.
    const given = cli(['eval', '--model', model, '--test-images', big, '--classes', 'cat,dog,owl', '--audit', 'off']);
    rmSync(join(modelDir, 'metadata.json'));
    expect(given.status).toBe(2);
    expect(given.stderr).toMatch(/--model .*metadata\.json lists 2 labels, but the model outputs 3 classes/);
  });

  test('train --model --freeze: fine-tunes the last layers, the frozen ones keep their weights', () => {
    const out = join(dir, 'm-train');
    const run = cli(['train', '--model', model, '--train-images', big, '--freeze', '20', '--epochs', '1', ...QUICK, '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    const r = report(out);
    expect(r.model.description).toMatch(/the first 20 layers frozen/);
    // The weights by name (a frozen layer's weights move to the non-trainable end of the file).
    const weights = (path: string) => {
      const bytes = readFileSync(join(path, 'weights.bin'));
      const specs = JSON.parse(readFileSync(join(path, 'model.json'), 'utf8')).weightsManifest[0].weights as { name: string; shape: number[] }[];
      let offset = 0;
      return new Map(specs.map((w) => {
        const n = w.shape.reduce((a, b) => a * b, 1);
        const values = Array.from(new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + 4 * n)));
        offset += 4 * n;
        return [w.name, values];
      }));
    };
    const [before, after] = [weights(modelDir), weights(join(out, 'model'))];
    expect(after.get('Conv1/kernel')).toEqual(before.get('Conv1/kernel'));
    expect(after.get('bn_Conv1/moving_mean')).toEqual(before.get('bn_Conv1/moving_mean'));
    expect(after.get('predictions/kernel')).not.toEqual(before.get('predictions/kernel'));
    const bad = cli(['train', '--model', model, '--train-images', big, '--freeze', '5000', ...QUICK, '--out', join(dir, 'm-bad')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--freeze must be a layer index in \[0, \d+\]/);
  });
});

describe('a tfjs graph model (the converter\'s format) in the CLI', () => {
  const graphDir = join(dir, 'graph');
  const graph = join(graphDir, 'model.json');
  const images = writeImageFolder(join(dir, 'graph-images'), { classes: [['cat', 8], ['dog', 8], ['owl', 8]], size: 20, format: 'jpeg', seed: 11 });
  beforeAll(async () => {
    await tf.setBackend('cpu');
    const { modelJson, weights } = await graphModelFiles({ size: 16, classes: 3, seed: 6 });
    mkdirSync(graphDir, { recursive: true });
    writeFileSync(join(graphDir, 'weights.bin'), weights);
    writeFileSync(graph, JSON.stringify(modelJson));
  });

  test('eval: the logits at the Softmax\'s input, images resized to the signature\'s input, graph-model in the report', () => {
    const out = join(dir, 'g-eval');
    const run = cli(['eval', '--model', graph, '--test-images', images, '--attacks', 'fgsm,pgd', '--pgd-steps', '3', '--epsilon', '0.03', '--audit', 'off', '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    const r = report(out);
    expect(r.model.architecture).toBe('graph-model');
    expect(r.model.head).toMatch(/^logits: the input of the graph's Softmax 'model\/dense\/Softmax'/);
    expect(r.model.parameters).toBeGreaterThan(0);
    expect(r.model.fingerprint).toMatch(/^sha256:/);
    expect(r.data.image_shape).toEqual([16, 16, 3]);
    expect(r.evaluation.map((e: { label: string }) => e.label)).toEqual(['clean', 'FGSM', 'PGD-3']);
    expect(r.evaluation[1].correct).toBeLessThanOrEqual(r.evaluation[0].correct);
  });

  for (const command of ['train', 'sweep']) {
    test(`${command} --model on a graph model: refused naming --model before any work, nothing written`, () => {
      const out = join(dir, `g-${command}`);
      const run = cli([command, '--model', graph, '--train-images', images, '--out', out]);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`--model .*graph/model\\.json is a tfjs graph model: tfjs cannot train one`));
      expect(() => readFileSync(join(out, 'report.json'))).toThrow();
    });
  }
});

describe('image folders and CIFAR-10 files in the CLI', () => {
  test('train on PNG class folders, test on JPEG ones (colour, class names in the report); eval of the saved model agrees', () => {
    const out = join(dir, 'run');
    const trained = cli(['train', '--train-images', train, '--test-images', testSet, '--epochs', '4', ...QUICK, '--out', out]);
    expect(trained.status, trained.stderr).toBe(0);
    const r = report(out);
    expect(r.data.image_shape).toEqual([16, 16, 3]);
    expect(r.data.class_names).toEqual(['cat', 'dog', 'owl']);
    expect(r.data.train_examples).toBe(120);
    expect(r.data.test_examples).toBe(30);
    expect(r.metrics.clean_accuracy).toBeGreaterThan(0.6);
    const evalOut = join(dir, 'eval');
    const evaluated = cli(['eval', '--model', join(out, 'model', 'model.json'), '--test-images', testSet, '--pgd-steps', '3', '--audit', 'off', '--out', evalOut]);
    expect(evaluated.status, evaluated.stderr).toBe(0);
    expect(report(evalOut).metrics.clean_accuracy).toBe(r.metrics.clean_accuracy);
    expect(report(evalOut).data.fingerprint).toMatch(/^sha256:/);
    // The model has 3 outputs; a folder of 2 classes is refused naming the images' flag.
    const wrong = cli(['eval', '--model', join(out, 'model', 'model.json'), '--test-images', twoClasses, '--audit', 'off']);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/--test-images .*two holds 2 classes \(cat, dog\), but .*model\.json outputs 3/);
  });

  test('CIFAR-10 binary batches, two files comma-separated: 32x32x3 and the CIFAR class names', () => {
    const a = writeCifarBatch(join(dir, 'data_batch_1.bin'), 60, 10, 5);
    const b = writeCifarBatch(join(dir, 'data_batch_2.bin'), 40, 10, 6);
    const out = join(dir, 'cifar');
    const run = cli(['train', '--train-images', `${a},${b}`, '--epochs', '1', ...QUICK, '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    const r = report(out);
    expect(r.data.image_shape).toEqual([32, 32, 3]);
    expect(r.data.train_examples + r.data.test_examples).toBe(100);
    expect(r.data.class_names.slice(0, 3)).toEqual(['airplane', 'automobile', 'bird']);
  });

  const corrupt = join(dir, 'corrupt');
  writeImageFolder(corrupt, { classes: [['a', 2], ['b', 2]], size: 8, seed: 4 });
  writeFileSync(join(corrupt, 'b', 'bad.png'), new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]));
  const refusals: [string, string[], RegExp][] = [
    ['labels for an image folder', ['train', '--train-images', train, '--train-labels', join(dir, 'x.idx')], /--train-labels is not read for the image folder/],
    ['a corrupt PNG, named', ['train', '--train-images', corrupt], /--train-images .*b\/bad\.png/],
    ['--classes naming a missing folder', ['train', '--train-images', train, '--classes', 'cat,dog,emu'], /--classes .*emu/],
    ['IDX images without their labels', ['train', '--train-images', join(dir, 'images-idx3-ubyte')], /--train-labels is required with the IDX images/],
    ['--train-labels alone', ['train', '--train-labels', join(dir, 'x.idx')], /--train-labels needs --train-images/],
    ['--normalize without --model', ['train', '--normalize', 'mean=0.5,std=0.5'], /--normalize .*needs --model/],
    ['--normalize badly written', ['eval', '--model', join(dir, 'm.json'), '--normalize', 'mean=0.5'], /--normalize must be mean=/],
    ['--freeze without --model', ['train', '--freeze', '3'], /--freeze .*needs --model/],
    ['--image-size badly written', ['train', '--image-size', '16x'], /--image-size must be HxW/],
  ];
  for (const [name, args, message] of refusals) {
    test(`refused before any work: ${name}`, () => {
      const run = cli([...args, '--out', join(dir, 'refused')]);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(message);
    });
  }
});
