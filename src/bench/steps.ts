// Training-step benchmark of the seed CNN: a clean step, an FGSM adversarial-training step (attack on B,
// update on 2B), a PGD-7 adversarial-training step and FGSM evaluation, each written twice: with this
// library (data resident on the GPU, fused attack kernels, nothing read back) and the plain way with stock
// tfjs ops (data on the CPU side uploaded per step, composed attack, loss or predictions read back each
// step, as in the seed). Images per second, and the host-device bytes of each step, counted.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import { engineAdam } from '../engine/adam';
import { engineKernelPolicy, useEngineKernels } from '../engine/policy';
import { seedCnn, type Classifier } from '../models/seed_cnn';
import { countTraffic, type TrafficCounts } from '../traffic';
import { cleanStep, crossEntropy, fgsmCorrect, fgsmTrainStep, pgdTrainStep } from '../train/steps';
import { drainQueue, summarize, type Summary } from './timing';

export type StepKind = 'train_clean' | 'train_fgsm' | 'train_pgd7' | 'eval_fgsm';
export type StepImpl = 'ours' | 'stock';

export interface StepBenchOptions {
  batchSizes?: number[];
  steps?: StepKind[];
  /** Timed steps per entry after warm-up (default 5). */
  runs?: number;
  warmup?: number;
  /** Timed steps and warm-up for the stock entries, when they differ (the quick set times stock once: it is slow and steady). */
  stockRuns?: number;
  stockWarmup?: number;
  filter?: string;
  onProgress?: (message: string) => void;
}

export interface StepEntry {
  name: string;
  step: StepKind;
  impl: StepImpl;
  batch: number;
  /** The first step, pipeline compilation included. */
  firstRunMs: number;
  wallMs: Summary;
  /** Batch images per second at the median. */
  imagesPerSecond: number;
  /** Host-device traffic of one step (the last timed one). */
  traffic: TrafficCounts;
}

export const STEP_KINDS: StepKind[] = ['train_clean', 'train_fgsm', 'train_pgd7', 'eval_fgsm'];
const EPSILON = 0.1;
const PGD = { epsilon: EPSILON, steps: 7, stepSize: EPSILON / 4 };
/** Images in the synthetic data set the batches rotate through. */
const DATASET = 512;

interface Data {
  images: Float32Array;
  labels: Int32Array;
  gpuImages: tf.Tensor4D;
  gpuLabels: tf.Tensor1D;
  gpuOnehot: tf.Tensor2D;
  /** A permutation of the data set, on the GPU: batches are slices of it. */
  gpuOrder: tf.Tensor1D;
}

function makeData(seed: number): Data {
  const images = tf.tidy(() => tf.randomUniform([DATASET, 28, 28, 1], 0, 1, 'float32', seed).dataSync() as Float32Array);
  const labels = Int32Array.from({ length: DATASET }, (_, i) => (i * 7 + seed) % 10);
  return {
    images,
    labels,
    gpuImages: tf.tensor4d(images, [DATASET, 28, 28, 1]),
    gpuLabels: tf.tensor1d(labels, 'int32'),
    gpuOnehot: tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), 10), 'float32') as tf.Tensor2D),
    gpuOrder: tf.tensor1d(Int32Array.from({ length: DATASET }, (_, i) => (i * 131) % DATASET), 'int32'),
  };
}

/** This library's step: gather the batch on the GPU, run the step, read nothing back. */
function oursStep(kind: StepKind, model: Classifier, optimizer: tf.Optimizer, data: Data, start: number, batch: number, seed: number): void {
  const { x, onehot, labels } = tf.tidy(() => {
    const idx = tf.slice(data.gpuOrder, [start], [batch]);
    return {
      x: tf.gather(data.gpuImages, idx) as tf.Tensor4D,
      onehot: tf.gather(data.gpuOnehot, idx) as tf.Tensor2D,
      labels: tf.gather(data.gpuLabels, idx) as tf.Tensor1D,
    };
  });
  let out: tf.Tensor;
  if (kind === 'train_clean') out = cleanStep(model, optimizer, x, onehot);
  else if (kind === 'train_fgsm') out = fgsmTrainStep(model, optimizer, x, onehot, EPSILON);
  else if (kind === 'train_pgd7') out = pgdTrainStep(model, optimizer, x, onehot, { ...PGD, seed });
  else out = fgsmCorrect(model, x, onehot, labels, EPSILON);
  tf.dispose([out, x, onehot, labels]);
}

/** The plain way, as the seed writes it: CPU data uploaded per step, composed attack, read back per step. */
async function stockStep(kind: StepKind, model: Classifier, optimizer: tf.Optimizer, data: Data, start: number, batch: number): Promise<void> {
  const x = tf.tensor4d(data.images.subarray(start * 784, (start + batch) * 784), [batch, 28, 28, 1]);
  const labels = data.labels.subarray(start, start + batch);
  const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), 10), 'float32') as tf.Tensor2D);
  const lossOf = (images: tf.Tensor) => crossEntropy(model.forward(images as tf.Tensor4D), y);
  const grad = (images: tf.Tensor) => tf.grad(lossOf)(images);
  const fgsm = (images: tf.Tensor) => tf.tidy(() => tf.clipByValue(tf.add(images, tf.mul(tf.sign(grad(images)), EPSILON)), 0, 1));
  if (kind === 'eval_fgsm') {
    const predictions = tf.tidy(() => tf.argMax(model.forward(fgsm(x) as tf.Tensor4D), 1));
    const p = await predictions.data();
    let correct = 0;
    for (let i = 0; i < batch; i++) if (p[i] === labels[i]) correct++;
    predictions.dispose();
  } else {
    let train: tf.Tensor = x;
    let trainLabels = y;
    if (kind === 'train_fgsm') {
      train = tf.tidy(() => tf.concat([x, fgsm(x)]));
      trainLabels = tf.concat([y, y]);
    } else if (kind === 'train_pgd7') {
      train = tf.tidy(() => {
        let adv = tf.clipByValue(tf.add(x, tf.randomUniform(x.shape, -EPSILON, EPSILON)), 0, 1);
        for (let i = 0; i < PGD.steps; i++) {
          const stepped = tf.add(adv, tf.mul(tf.sign(grad(adv)), PGD.stepSize));
          adv = tf.clipByValue(tf.minimum(tf.maximum(stepped, tf.sub(x, EPSILON)), tf.add(x, EPSILON)), 0, 1);
        }
        return adv;
      });
    }
    const loss = optimizer.minimize(() => crossEntropy(model.forward(train as tf.Tensor4D), trainLabels), true, model.variables)!;
    await loss.data();
    loss.dispose();
    if (train !== x) tf.dispose([train, trainLabels]);
  }
  tf.dispose([x, y]);
}

/** Runs the training-step benchmark on the active webgpu backend. */
export async function runStepBench(options: StepBenchOptions = {}): Promise<StepEntry[]> {
  const backend = tf.backend() as WebGPUBackend;
  if (tf.getBackend() !== 'webgpu') throw new Error('runStepBench: the active tfjs backend must be webgpu');
  const traffic = countTraffic(backend.device);
  const runs = options.runs ?? 5;
  const warmup = options.warmup ?? 1;
  const data = makeData(7);
  const entries: StepEntry[] = [];
  for (const batch of options.batchSizes ?? [64, 128]) {
    for (const kind of options.steps ?? STEP_KINDS) {
      for (const impl of ['ours', 'stock'] as StepImpl[]) {
        const name = `${kind} ${impl} [${batch},28,28,1]`;
        if (options.filter && !name.includes(options.filter)) continue;
        const model = seedCnn({ seed: 1 });
        // Ours: the engine kernels as the policy has them, and the fused Adam step; stock: tfjs's kernels
        // (the engine switched off) and tfjs's Adam.
        const policy = engineKernelPolicy();
        const optimizer = impl === 'ours' ? engineAdam(1e-3) : tf.train.adam(1e-3);
        let cursor = 0;
        const step = async (i: number): Promise<number> => {
          const start = cursor;
          cursor = (cursor + batch) % (DATASET - batch + 1);
          traffic.reset();
          if (impl === 'stock') useEngineKernels(false);
          try {
            const t0 = performance.now();
            if (impl === 'ours') oursStep(kind, model, optimizer, data, start, batch, i);
            else await stockStep(kind, model, optimizer, data, start, batch);
            await drainQueue(backend);
            return performance.now() - t0;
          } finally {
            useEngineKernels(policy);
          }
        };
        const firstRunMs = await step(0);
        const entryWarmup = impl === 'stock' ? (options.stockWarmup ?? warmup) : warmup;
        const entryRuns = impl === 'stock' ? (options.stockRuns ?? runs) : runs;
        for (let i = 0; i < entryWarmup; i++) await step(i + 1);
        const wall: number[] = [];
        for (let i = 0; i < entryRuns; i++) wall.push(await step(i + 1 + entryWarmup));
        const wallMs = summarize(wall);
        options.onProgress?.(`${name}: ${((batch * 1000) / wallMs.median).toFixed(1)} images/s`);
        entries.push({ name, step: kind, impl, batch, firstRunMs, wallMs, imagesPerSecond: (batch * 1000) / wallMs.median, traffic: traffic.read() });
        optimizer.dispose();
        tf.dispose(model.variables);
      }
    }
  }
  tf.dispose([data.gpuImages, data.gpuLabels, data.gpuOnehot, data.gpuOrder]);
  return entries;
}
