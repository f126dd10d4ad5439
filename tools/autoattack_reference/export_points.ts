// Writes the first N held-out test points of the library's job data (the embedded digits' stratified 80/20
// split, split seed 0, the test part in its seeded order: what `train` and `eval` evaluate, and what
// `--limit-test N` keeps) with our model's clean logits, for the PyTorch reference to attack the same points.
// usage: node bench/run.mjs tools/autoattack_reference/export_points.ts --model DIR --out DIR [--n 500]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { gatherBatch, loadEmbeddedDigits, prepareJobData } from '../../dist/index.js';
import { loadModel, modelJsonPath, parseFlags, setUp, type PointsMeta } from './common';

const USAGE = `usage: node bench/run.mjs tools/autoattack_reference/export_points.ts --model DIR --out DIR [--n N]
  --model DIR   a model.json, or a folder holding it or model/model.json (a train job's --out)
  --out DIR     where to write points.json, images.f32, labels.u8, logits.f32
  --n N         the first N test points (default 500; at most the test part's 1996)`;

const flags = parseFlags(process.argv.slice(2), ['model', 'out', 'n'], USAGE);
const modelPath = flags.get('model');
const out = flags.get('out');
if (!modelPath || !out) {
  console.error(USAGE);
  process.exit(2);
}
const n = Number(flags.get('n') ?? 500);

const adapter = await setUp();
const model = await loadModel(modelPath);
const digits = await loadEmbeddedDigits();
const data = prepareJobData(digits, undefined, { limitTest: n, numClasses: model.numClasses });
const indices = data.test;
const [h, w, c] = data.imageShape;
const images = new Float32Array(indices.length * h * w * c);
const logits = new Float32Array(indices.length * model.numClasses);
const labels = new Uint8Array(indices.length);
for (let start = 0; start < indices.length; start += 256) {
  const part = indices.slice(start, start + 256);
  const idx = tf.tensor1d(part, 'int32');
  const batch = gatherBatch(data.dataset, idx);
  const out = model.forward(batch.x);
  images.set(await batch.x.data(), start * h * w * c);
  logits.set(await out.data(), start * model.numClasses);
  labels.set(await batch.labels.data(), start);
  tf.dispose([idx, batch.x, batch.labels, batch.onehot, out]);
}
const predictions: number[] = [];
for (let i = 0; i < indices.length; i++) {
  const row = logits.subarray(i * model.numClasses, (i + 1) * model.numClasses);
  predictions.push(row.indexOf(Math.max(...row)));
}
const meta: PointsMeta = {
  count: indices.length,
  image_shape: [h, w, c],
  layout: 'NHWC',
  classes: model.numClasses,
  files: { images: 'images.f32', labels: 'labels.u8', logits: 'logits.f32' },
  indices,
  labels: [...labels],
  predictions,
  model: modelJsonPath(modelPath),
  data: { ...data.description, test_examples: indices.length, note: 'the first N of the test part, as --limit-test N' },
  adapter,
};
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'images.f32'), new Uint8Array(images.buffer));
writeFileSync(join(out, 'labels.u8'), labels);
writeFileSync(join(out, 'logits.f32'), new Uint8Array(logits.buffer));
writeFileSync(join(out, 'points.json'), `${JSON.stringify(meta)}\n`);
const correct = predictions.filter((p, i) => p === labels[i]).length;
console.log(`wrote ${indices.length} points to ${out} (${model.architecture}; our clean accuracy ${((100 * correct) / indices.length).toFixed(2)}%, ${correct}/${indices.length})`);
data.dataset.dispose();
model.dispose();
