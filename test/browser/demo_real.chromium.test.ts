// The demo page's "Evaluate a saved model" on a user's own colour model and images, in headless Chromium on
// WebGPU: a softmax-headed MobileNetV2-like Layers model built here (16x16x3, 3 classes, its head fitted to
// the images' class centroids, with a Teachable Machine metadata.json), a JPEG folder of class subfolders
// picked as a folder and PNG files picked as loose files, and a tfjs graph model (test/suite/graph_model.ts)
// on the folder: the accuracies the CLI's eval computes in Node for the same files and flags, the format,
// head and class names shown, a colour gallery at the model's size with predictions by class name; a
// corrupt image, a folder of the wrong number of classes, a metadata.json that does not fit and the
// embedded digits' 10 classes are refused naming the pick at fault. Screenshots go to test-results/.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import puppeteer, { type Browser, type ElementHandle, type Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDemoServer } from './demo_server';
import * as lib from '../../dist/index.js';
import { graphModelFiles } from '../suite/graph_model';
import { writeImageFolder } from '../suite/image_files';
import { mobileNetV2Like } from '../suite/mobilenet_like';
import { CHROMIUM_ARGS, findChromium } from '../../tools/chromium_page';

type DemoWindow = Window & { demo: any };
const SCREENSHOTS = 'test-results';
const CLASSES = ['cat', 'dog', 'owl'];
const dir = mkdtempSync(join(tmpdir(), 'tfjs-adv-demo-real-'));
const modelDir = join(dir, 'model');
const cli = (args: string[]) => spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8', timeout: 300_000 });
const FLAGS = { eps: '0.05', steps: '3', range: '-1,1' };

/**
 * Sets the model's Dense head to the nearest class centroid of its pooled features on `folder` (read at
 * 16x16, pixels in [-1, 1]), sharpened by `scale`: a model with some accuracy, which FGSM then lowers,
 * without a training run here.
 */
async function fitHeadToCentroids(model: tfl.LayersModel, folder: string, scale = 10_000): Promise<void> {
  const set = await lib.loadImageFolder(folder, { size: [16, 16] });
  const features = tfl.model({ inputs: model.inputs, outputs: model.getLayer('global_average_pooling2d').output as tfl.SymbolicTensor });
  const [kernel, bias] = tf.tidy(() => {
    const x = tf.sub(tf.mul(tf.tensor4d(set.images, [set.count, 16, 16, 3], 'float32'), 2 / 255), 1);
    const f = features.predict(x) as tf.Tensor2D;
    const y = tf.cast(tf.oneHot(tf.tensor1d(set.labels, 'int32'), CLASSES.length), 'float32') as tf.Tensor2D;
    const means = tf.div(tf.matMul(y, f, true, false), tf.expandDims(tf.sum(y, 0), 1));
    // argmax f.m_k - |m_k|^2 / 2 is the nearest centroid m_k.
    return [tf.mul(tf.transpose(means), scale), tf.mul(tf.sum(tf.square(means), 1), -scale / 2)];
  });
  model.getLayer('predictions').setWeights([kernel, bias]);
  tf.dispose([kernel, bias]);
}

const jpegFolder = writeImageFolder(join(dir, 'pets'), { classes: [['cat', 5], ['dog', 5], ['owl', 5]], size: 20, format: 'jpeg', seed: 9 });

let server: ChildProcess;
let browser: Browser;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await tf.setBackend('cpu');
  const user = mobileNetV2Like({ inputSize: 16, classes: 3, seed: 4 });
  await fitHeadToCentroids(user, jpegFolder);
  mkdirSync(modelDir, { recursive: true });
  await lib.saveLayersModelFiles(user, async (name, bytes) => writeFileSync(join(modelDir, name), bytes));
  writeFileSync(join(modelDir, 'metadata.json'), JSON.stringify({ labels: CLASSES }));
  user.dispose();
  let url: string;
  ({ server, url } = await startDemoServer());
  browser = await puppeteer.launch({ executablePath: findChromium(puppeteer), headless: true, args: CHROMIUM_ARGS, protocolTimeout: 900_000 });
  page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1000 });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(url);
  await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state ?? ''), { timeout: 120_000 });
  expect(await page.$eval('#backend', (e) => (e as HTMLElement).dataset.backend)).toBe('webgpu');
}, 300_000);

afterAll(async () => {
  await browser?.close();
  server?.kill();
  rmSync(dir, { recursive: true, force: true });
});

/** Picks `paths` on the file input `id`, the other image pickers cleared. */
async function pick(id: string, ...paths: string[]): Promise<void> {
  if (id !== 'model-files') await page.$$eval('#image-folder, #image-files, #idx-images, #idx-labels', (inputs) => inputs.forEach((i) => ((i as HTMLInputElement).value = '')));
  await ((await page.$(`#${id}`)) as ElementHandle<HTMLInputElement>).uploadFile(...paths);
}

const modelFiles = (metadata = true) => ['model.json', 'weights.bin', ...(metadata ? ['metadata.json'] : [])].map((f) => join(modelDir, f));

/** Presses Evaluate with the test's flags; resolves to the status line and its class once the page is done. */
async function evaluate(): Promise<{ status: string; failed: boolean; tensorsBefore: number; tensorsAfter: number }> {
  await page.$eval('#load-eps', (e, v) => ((e as HTMLInputElement).value = v), FLAGS.eps);
  await page.$eval('#load-pgd-steps', (e, v) => ((e as HTMLInputElement).value = v), FLAGS.steps);
  await page.$eval('#load-audit-points', (e) => ((e as HTMLInputElement).value = '0'));
  await page.select('#load-input-range', FLAGS.range);
  const tensorsBefore = await page.evaluate(() => {
    const demo = (window as unknown as DemoWindow).demo;
    demo.records.loaded = null;
    document.body.dataset.state = 'ready';
    return demo.tf.memory().numTensors as number;
  });
  await page.click('#load-run');
  await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state ?? ''), { timeout: 300_000, polling: 250 });
  const { status, failed, tensorsAfter } = await page.evaluate(() => ({
    status: document.getElementById('load-status')!.textContent ?? '',
    failed: document.getElementById('load-status')!.className === 'error',
    tensorsAfter: (window as unknown as DemoWindow).demo.tf.memory().numTensors as number,
  }));
  return { status, failed, tensorsBefore, tensorsAfter };
}

/** The CLI's eval in Node of the model (the Layers one by default) on `images` with the test's flags: its report. */
function cliEval(images: string, out: string, model = join(modelDir, 'model.json')): any {
  const run = cli(['eval', '--model', model, '--test-images', images, `--input-range=${FLAGS.range}`, '--epsilon', FLAGS.eps, '--pgd-steps', FLAGS.steps, '--audit', 'off', '--out', join(dir, out)]);
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(readFileSync(join(dir, out, 'report.json'), 'utf8'));
}

/** The loaded model's gallery: one row per class, colour canvases at 16x16, predictions by class name as recorded. */
async function expectColourGallery(classes = CLASSES): Promise<void> {
  const { record, rows } = await page.evaluate(() => ({
    record: (window as unknown as DemoWindow).demo.records.loadedGallery,
    rows: Array.from(document.querySelectorAll('#load-gallery tbody tr')).map((tr) => ({
      cls: tr.children[0].textContent,
      canvases: Array.from(tr.querySelectorAll('canvas')).map((c) => {
        const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let colour = false;
        for (let p = 0; p < data.length; p += 4) colour ||= data[p] !== data[p + 1] || data[p + 1] !== data[p + 2];
        return { role: c.dataset.role, width: c.width, height: c.height, cssWidth: c.style.width, colour };
      }),
      predictions: Array.from(tr.querySelectorAll('.pred')).map((e) => e.textContent),
    })),
  }));
  expect(record.labels).toEqual([0, 1, 2]);
  expect(record.imageShape).toEqual([16, 16, 3]);
  expect(rows.map((r) => r.cls)).toEqual(classes);
  rows.forEach((row, i) => {
    expect(row.canvases).toEqual(['clean', 'perturbation', 'adversarial'].map((role) => ({ role, width: 16, height: 16, cssWidth: '112px', colour: true })));
    const text = (p: { prediction: number; confidence: number }) => `${classes[p.prediction]} (${(100 * p.confidence).toFixed(1)}%)`;
    expect(row.predictions).toEqual([text(record.clean[i]), text(record.adversarial[i])]);
  });
}

describe('demo page: a user\'s colour model on picked images', () => {

  test('a JPEG class folder picked as a folder, with metadata.json: the CLI eval\'s accuracies, head, classes and a colour gallery', async () => {
    const report = cliEval(jpegFolder, 'eval-folder');
    await pick('model-files', ...modelFiles());
    await pick('image-folder', jpegFolder);
    const run = await evaluate();
    expect(run.failed, run.status).toBe(false);
    expect(run.tensorsAfter).toBe(run.tensorsBefore);
    const loaded = await page.evaluate(() => (window as unknown as DemoWindow).demo.records.loaded);
    expect(loaded.examples).toBe(15);
    expect(loaded.source).toBe('images folder pets');
    expect(loaded.inputShape).toEqual([16, 16, 3]);
    expect(loaded.classNames).toEqual(CLASSES);
    expect(loaded.format).toBe('tfjs Layers model');
    expect(loaded.results.map((r: { label: string }) => r.label)).toEqual(report.evaluation.map((e: { label: string }) => e.label));
    expect(loaded.results.map((r: { correct: number }) => r.correct)).toEqual(report.evaluation.map((e: { correct: number }) => e.correct));
    // A model with accuracy to lose (its head fitted to these images), and FGSM lowering it.
    expect(loaded.results[0].correct).toBeGreaterThan(10);
    expect(loaded.results[1].correct).toBeLessThan(loaded.results[0].correct);
    expect(loaded.head).toBe(report.model.head);
    const shown = await page.evaluate(() => ({ format: document.getElementById('load-format')?.textContent, head: document.getElementById('load-head')?.textContent }));
    expect(shown.format).toBe('model.json: tfjs Layers model (layers-model), input 16x16x3, 3 classes: cat, dog, owl');
    expect(shown.head).toMatch(/^head: .*softmax removed.*mapped to the model's input \[-1, 1\]/);
    await expectColourGallery();
    await page.screenshot({ path: join(SCREENSHOTS, 'demo-real-folder.png'), fullPage: true });
  }, 400_000);

  test('loose PNG files named by class, without metadata.json: class names from the file names, the CLI eval\'s accuracies', async () => {
    const pngFolder = writeImageFolder(join(dir, 'png'), { classes: [['cat', 4], ['dog', 4], ['owl', 4]], size: 16, format: 'png', seed: 3 });
    const loose = join(dir, 'loose');
    mkdirSync(loose);
    for (const cls of CLASSES) for (const f of readdirSync(join(pngFolder, cls))) copyFileSync(join(pngFolder, cls, f), join(loose, `${cls}_${f}`));
    const report = cliEval(pngFolder, 'eval-png');
    await pick('model-files', ...modelFiles(false));
    await pick('image-files', ...readdirSync(loose).map((f) => join(loose, f)));
    const run = await evaluate();
    expect(run.failed, run.status).toBe(false);
    expect(run.tensorsAfter).toBe(run.tensorsBefore);
    const loaded = await page.evaluate(() => (window as unknown as DemoWindow).demo.records.loaded);
    expect(loaded.examples).toBe(12);
    expect(loaded.classNames).toEqual(CLASSES);
    expect(loaded.results.map((r: { correct: number }) => r.correct)).toEqual(report.evaluation.map((e: { correct: number }) => e.correct));
    await expectColourGallery();
  }, 400_000);

  test('a tfjs graph model (fused ops, Softmax head) on the JPEG folder: the CLI eval\'s accuracies, the graph format and its head', async () => {
    const graphDir = join(dir, 'graph');
    const { modelJson, weights } = await graphModelFiles({ size: 16, classes: 3, seed: 6 });
    mkdirSync(graphDir, { recursive: true });
    writeFileSync(join(graphDir, 'weights.bin'), weights);
    writeFileSync(join(graphDir, 'model.json'), JSON.stringify(modelJson));
    const report = cliEval(jpegFolder, 'eval-graph', join(graphDir, 'model.json'));
    await pick('model-files', join(graphDir, 'model.json'), join(graphDir, 'weights.bin'));
    await pick('image-folder', jpegFolder);
    const run = await evaluate();
    expect(run.failed, run.status).toBe(false);
    expect(run.tensorsAfter).toBe(run.tensorsBefore);
    const loaded = await page.evaluate(() => (window as unknown as DemoWindow).demo.records.loaded);
    expect([loaded.format, loaded.architecture]).toEqual(['tfjs graph model', 'graph-model']);
    expect(loaded.classNames).toEqual(CLASSES);
    expect(loaded.results.map((r: { correct: number }) => r.correct)).toEqual(report.evaluation.map((e: { correct: number }) => e.correct));
    expect(loaded.head).toBe(report.model.head);
    const shown = await page.evaluate(() => ({ format: document.getElementById('load-format')?.textContent, head: document.getElementById('load-head')?.textContent }));
    expect(shown.format).toBe('model.json: tfjs graph model (graph-model), input 16x16x3, 3 classes: cat, dog, owl');
    expect(shown.head).toBe(`head: ${report.model.head}`);
    await expectColourGallery();
    await page.screenshot({ path: join(SCREENSHOTS, 'demo-real-graph.png'), fullPage: true });
  }, 400_000);

  test('refusals name the pick at fault: a corrupt image, a folder of 2 classes, metadata.json labels that do not fit, the 10 embedded digit classes', async () => {
    const bad = writeImageFolder(join(dir, 'bad'), { classes: [['cat', 2], ['dog', 2], ['owl', 2]], size: 16, format: 'png' });
    writeFileSync(join(bad, 'dog', '001.png'), Uint8Array.from([137, 80, 78, 71, 1, 2, 3]));
    const two = writeImageFolder(join(dir, 'two'), { classes: [['cat', 2], ['dog', 2]], size: 16, format: 'png' });
    const other = writeImageFolder(join(dir, 'other'), { classes: [['ant', 2], ['bee', 2], ['cow', 2]], size: 16, format: 'png' });
    await pick('model-files', ...modelFiles(false));
    await pick('image-folder', bad);
    let run = await evaluate();
    expect(run.failed).toBe(true);
    expect(run.status).toMatch(/^images folder bad: dog\/001\.png: .*PNG/);
    expect(run.tensorsAfter).toBe(run.tensorsBefore);
    await pick('image-folder', two);
    run = await evaluate();
    expect(run.status).toBe('images folder two: 2 classes (cat, dog), but the model model.json outputs 3: pick images of the model\'s classes, one subfolder per class');
    // With the metadata.json: its labels name the classes, and a folder of other classes does not fit them.
    await pick('model-files', ...modelFiles());
    await pick('image-folder', other);
    run = await evaluate();
    expect(run.status).toMatch(/^images folder other: its classes do not fit the labels of the metadata.json picked with the model: .*"cat"/);
    const wrongMetadata = join(dir, 'wrong-metadata');
    mkdirSync(wrongMetadata);
    writeFileSync(join(wrongMetadata, 'metadata.json'), JSON.stringify({ labels: ['cat', 'dog'] }));
    await pick('model-files', join(modelDir, 'model.json'), join(modelDir, 'weights.bin'), join(wrongMetadata, 'metadata.json'));
    run = await evaluate();
    expect(run.status).toBe('model files: metadata.json lists 2 labels (cat, dog), but model.json outputs 3 classes: a metadata.json of another model?');
    expect(run.tensorsAfter).toBe(run.tensorsBefore);
    // No images picked: the embedded digits (grey 28x28, resized and made RGB), whose 10 classes do not fit.
    await pick('model-files', ...modelFiles(false));
    await page.$$eval('#image-folder, #image-files, #idx-images, #idx-labels', (inputs) => inputs.forEach((i) => ((i as HTMLInputElement).value = '')));
    run = await evaluate();
    expect(run.status).toMatch(/^embedded digits, test split: label \d at example \d+, but the model model.json outputs 3 classes \(labels 0 to 2\)/);
    expect(errors).toEqual([]);
  }, 200_000);
});
