// Shared by export_points.ts and run_ours.ts: WebGPU set-up, a saved model (a model.json, or a folder holding
// it or model/model.json) loaded as the library's Classifier, optionally with its last layer's kernel and
// bias scaled (the gradient-masking test model), and the point files export_points.ts writes.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { classifierFromLayersModel, ensureGradients, initWebGPU, loadLayersModelFiles, type Classifier } from '../../dist/index.js';

/** What points.json says about the exported points (see README.md). */
export interface PointsMeta {
  count: number;
  image_shape: [number, number, number];
  layout: 'NHWC';
  classes: number;
  files: { images: string; labels: string; logits: string };
  /** Positions of the points in the data set (the embedded digits: their index among the 10,000). */
  indices: number[];
  labels: number[];
  /** Our clean predictions (argmax of logits.f32). */
  predictions: number[];
  model: string;
  data: Record<string, unknown>;
  adapter: string;
}

/** `path` as a model.json: the file itself, DIR/model.json or DIR/model/model.json. */
export function modelJsonPath(path: string): string {
  for (const candidate of [path, join(path, 'model.json'), join(path, 'model', 'model.json')]) {
    if (existsSync(candidate) && candidate.endsWith('.json')) return candidate;
  }
  throw new Error(`no model.json at ${path} (nor ${path}/model.json, ${path}/model/model.json)`);
}

/** WebGPU (Dawn) and the gradients; returns the adapter in words. */
export async function setUp(): Promise<string> {
  const { adapter } = await initWebGPU();
  await ensureGradients();
  return `${adapter.vendor} ${adapter.architecture} ${adapter.description}`.trim();
}

/** The saved model as a Classifier; `scaleLast` multiplies the last layer's kernel and bias (1: as saved). */
export async function loadModel(path: string, scaleLast = 1): Promise<Classifier> {
  const layers = await loadLayersModelFiles(modelJsonPath(path), (p) => readFile(p));
  if (scaleLast !== 1) {
    const last = [...layers.layers].reverse().find((l) => l.getWeights().length > 0);
    if (!last) throw new Error(`${path}: no layer with weights to scale`);
    const scaled = last.getWeights().map((w) => tf.mul(w, scaleLast));
    last.setWeights(scaled);
    tf.dispose(scaled);
  }
  return classifierFromLayersModel(layers, { owned: true });
}

/** The first `n` (default all) exported points: images NHWC float32, labels, and points.json. */
export function loadPoints(folder: string, n?: number): { images: Float32Array; labels: Int32Array; meta: PointsMeta; count: number } {
  const meta = JSON.parse(readFileSync(join(folder, 'points.json'), 'utf8')) as PointsMeta;
  const count = Math.min(n ?? meta.count, meta.count);
  const pixels = meta.image_shape[0] * meta.image_shape[1] * meta.image_shape[2];
  const bytes = readFileSync(join(folder, meta.files.images));
  const images = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + count * pixels * 4));
  const labels = Int32Array.from(readFileSync(join(folder, meta.files.labels)).subarray(0, count));
  return { images, labels, meta, count };
}

/** `--name value` flags into a map (a flag without a value is 'true'). */
export function parseFlags(argv: string[], known: string[], usage: string): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    if (name === 'help' || !argv[i].startsWith('--') || !known.includes(name)) {
      console.error(name === 'help' ? usage : `unknown argument ${argv[i]}\n${usage}`);
      process.exit(name === 'help' ? 0 : 2);
    }
    const value = argv[i + 1] !== undefined && !argv[i + 1].startsWith('--') ? argv[++i] : 'true';
    flags.set(name, value);
  }
  return flags;
}
