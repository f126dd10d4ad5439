// Real models and real images with `--runtime chrome` (headless Chromium through puppeteer): a user's
// softmax-headed MobileNetV2-like model evaluated on a JPEG folder with --normalize gives the figures it
// gives in Node; fine-tuning it with --freeze, training on CIFAR-10 batches and training --arch resnet-20 on
// one run there too.
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

const dir = mkdtempSync(join(tmpdir(), 'tfjs-adv-chrome-real-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = (args: string[]) => spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8', timeout: 600_000 });
const report = (out: string) => JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
const QUICK = ['--probe-examples', '0', '--audit', 'off', '--pgd-steps', '3', '--batch-size', '16'];

describe('real models and images in headless Chromium', () => {
  const modelDir = join(dir, 'mobilenet');
  const model = join(modelDir, 'model.json');
  const images = writeImageFolder(join(dir, 'images'), { classes: [['cat', 12], ['dog', 12], ['owl', 12]], size: 20, format: 'jpeg', seed: 9 });
  beforeAll(async () => {
    await tf.setBackend('cpu');
    const user = mobileNetV2Like({ inputSize: 16, classes: 3, seed: 4 });
    mkdirSync(modelDir, { recursive: true });
    await lib.saveLayersModelFiles(user, async (name, bytes) => writeFileSync(join(modelDir, name), bytes));
    writeFileSync(join(modelDir, 'metadata.json'), JSON.stringify({ labels: ['cat', 'dog', 'owl'] }));
    user.dispose();
  });

  test('eval of a softmax-headed model on a JPEG folder with --normalize: the Node figures, the head and class names', () => {
    const args = ['eval', '--model', model, '--test-images', images, '--normalize', 'mean=0.5,std=0.25', '--epsilon', '0.03', '--pgd-steps', '3', '--audit', 'off'];
    const chrome = cli([...args, '--runtime', 'chrome', '--out', join(dir, 'chrome')]);
    expect(chrome.status, chrome.stderr).toBe(0);
    const node = cli([...args, '--out', join(dir, 'node')]);
    expect(node.status, node.stderr).toBe(0);
    const [c, n] = [report(join(dir, 'chrome')), report(join(dir, 'node'))];
    expect(c.runtime.name).toBe('chrome');
    expect(c.data.image_shape).toEqual([16, 16, 3]);
    expect(c.model.head).toMatch(/softmax removed/);
    expect(c.model.class_names).toEqual(['cat', 'dog', 'owl']);
    expect(c.data.fingerprint).toBe(n.data.fingerprint);
    // float32 rounding may differ between the runtimes: at most one point of 36 apart.
    c.evaluation.forEach((e: { label: string; correct: number }, i: number) => expect(Math.abs(e.correct - n.evaluation[i].correct), e.label).toBeLessThanOrEqual(1));
  });

  test('eval of a tfjs graph model (fused ops, Softmax head): the converter loads in the page, the Node figures', async () => {
    const graphDir = join(dir, 'graph');
    const { modelJson, weights } = await graphModelFiles({ size: 16, classes: 3, seed: 6 });
    mkdirSync(graphDir, { recursive: true });
    writeFileSync(join(graphDir, 'weights.bin'), weights);
    writeFileSync(join(graphDir, 'model.json'), JSON.stringify(modelJson));
    const args = ['eval', '--model', join(graphDir, 'model.json'), '--test-images', images, '--epsilon', '0.03', '--pgd-steps', '3', '--audit', 'off'];
    const chrome = cli([...args, '--runtime', 'chrome', '--out', join(dir, 'g-chrome')]);
    expect(chrome.status, chrome.stderr).toBe(0);
    const node = cli([...args, '--out', join(dir, 'g-node')]);
    expect(node.status, node.stderr).toBe(0);
    const [c, n] = [report(join(dir, 'g-chrome')), report(join(dir, 'g-node'))];
    expect(c.runtime.name).toBe('chrome');
    expect(c.model.architecture).toBe('graph-model');
    expect(c.model.head).toBe(n.model.head);
    expect(c.model.fingerprint).toBe(n.model.fingerprint);
    c.evaluation.forEach((e: { label: string; correct: number }, i: number) => expect(Math.abs(e.correct - n.evaluation[i].correct), e.label).toBeLessThanOrEqual(1));
  });

  test('train --model --freeze and train on CIFAR-10 batches, in Chromium', () => {
    const tuned = cli(['train', '--runtime', 'chrome', '--model', model, '--train-images', images, '--freeze', '20', '--epochs', '1', ...QUICK, '--out', join(dir, 'tuned')]);
    expect(tuned.status, tuned.stderr).toBe(0);
    expect(report(join(dir, 'tuned')).model.description).toMatch(/the first 20 layers frozen/);
    const cifar = writeCifarBatch(join(dir, 'data_batch_1.bin'), 80, 10, 5);
    const run = cli(['train', '--runtime', 'chrome', '--train-images', cifar, '--epochs', '1', ...QUICK, '--out', join(dir, 'cifar')]);
    expect(run.status, run.stderr).toBe(0);
    expect(report(join(dir, 'cifar')).data.image_shape).toEqual([32, 32, 3]);
  });

  test('train --arch resnet-20 on a CIFAR-10 batch, in Chromium: one fgsm step of 10, evaluated', () => {
    const cifar = writeCifarBatch(join(dir, 'resnet_batch.bin'), 10, 10, 7);
    const testSet = writeCifarBatch(join(dir, 'resnet_test.bin'), 10, 10, 8);
    const out = join(dir, 'resnet');
    const run = cli(['train', '--runtime', 'chrome', '--arch', 'resnet-20', '--train-images', cifar, '--test-images', testSet, '--trainer', 'fgsm', '--epochs', '1', '--batch-size', '10', '--attacks', 'fgsm', '--probe-examples', '0', '--audit', 'off', '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    const r = report(out);
    expect(r.runtime.name).toBe('chrome');
    expect(r.model.architecture).toBe('resnet-20');
    expect(r.model.parameters).toBe(272_474);
    expect([r.data.train_examples, r.data.test_examples]).toEqual([10, 10]);
    expect(r.evaluation.map((e: { label: string }) => e.label)).toEqual(['clean', 'FGSM']);
  }, 600_000);
});
