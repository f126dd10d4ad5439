// Training-step benchmark of the seed CNN: a step of each trainer of the table (clean, fgsm, fgsm-rs, PGD-7)
// and FGSM evaluation, each written twice: this library's, run through the same code as `train` (the
// GPU-resident data set, `gatherBatch`, the trainer's `step`, the attack table; nothing read back), and the
// plain way with stock tfjs ops (data on the CPU side uploaded per step, composed attack, loss or
// predictions read back each step, as in the article). Images per second, and the host-device bytes of each
// step, counted.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import { engineAdam } from '../engine/optimizer/adam';
import { engineKernelPolicy, useEngineKernels } from '../engine/policy';
import type { Classifier } from '../models/classifier';
import { seedCnn } from '../models/seed_cnn';
import { countTraffic, type TrafficCounts } from '../platform/traffic';
import { fgsm as fgsmDefinition } from '../attacks/index';
import { resolveAttack } from '../attacks/attack';
import { gatherBatch, uploadDataset, type GpuDataset } from '../data/gpu_dataset';
import { softmaxCrossEntropy as crossEntropy } from '../engine/loss/softmax_cross_entropy';
import { attackBatch, correctCount } from '../train/evaluate';
import { resolveTrainerById, type ResolvedTrainer } from '../trainers/index';
import { drainQueue, summarize, type Summary } from './timing';

export type StepKind = 'train_clean' | 'train_fgsm' | 'train_fgsm_rs' | 'train_pgd7' | 'eval_fgsm';
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
  /** The steps that also run on stock tfjs (default all of `steps`; the quick set leaves PGD-7 out: 70 s of stock). */
  stockSteps?: StepKind[];
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
  /**
   * Host time of a step: until the step's calls return (ours: every dispatch encoded and submitted, the GPU
   * possibly still busy; stock: its own awaits included), the rest of `wallMs` waiting for the queue.
   */
  hostMs: Summary;
  /** Batch images per second at the median. */
  imagesPerSecond: number;
  /** Host-device traffic of one step (the last timed one). */
  traffic: TrafficCounts;
}

export const STEP_KINDS: StepKind[] = ['train_clean', 'train_fgsm', 'train_fgsm_rs', 'train_pgd7', 'eval_fgsm'];
const EPSILON = 0.1;
const PGD = { epsilon: EPSILON, steps: 7, stepSize: EPSILON / 4 };
/** The trainer of the table (and its parameters) each training step runs. */
const STEP_TRAINERS: Record<Exclude<StepKind, 'eval_fgsm'>, [string, Record<string, number>]> = {
  train_clean: ['clean', {}],
  train_fgsm: ['fgsm', {}],
  train_fgsm_rs: ['fgsm-rs', {}],
  train_pgd7: ['pgd', { steps: PGD.steps }],
};
/** Images in the synthetic data set the batches rotate through. */
const DATASET = 512;

interface Data {
  images: Float32Array;
  labels: Int32Array;
  /** The same images as bytes, resident on the GPU as `train` keeps them. */
  dataset: GpuDataset;
  /** A permutation of the data set, on the GPU: batches are slices of it. */
  gpuOrder: tf.Tensor1D;
}

function makeData(seed: number): Data {
  const bytes = tf.tidy(() => Uint8Array.from(tf.randomUniform([DATASET * 784], 0, 256, 'int32', seed).dataSync() as Int32Array));
  const labels = Int32Array.from({ length: DATASET }, (_, i) => (i * 7 + seed) % 10);
  return {
    images: Float32Array.from(bytes, (b) => b / 255),
    labels,
    dataset: uploadDataset(bytes, Uint8Array.from(labels), [28, 28, 1], 10),
    gpuOrder: tf.tensor1d(Int32Array.from({ length: DATASET }, (_, i) => (i * 131) % DATASET), 'int32'),
  };
}

/** This library's step, through the code `train` runs: gather the batch on the GPU, the trainer's step (or FGSM evaluation), nothing read back. */
function oursStep(kind: StepKind, trainer: ResolvedTrainer | null, model: Classifier, optimizer: tf.Optimizer, data: Data, start: number, batch: number, seed: number): void {
  const idx = tf.slice(data.gpuOrder, [start], [batch]) as tf.Tensor1D;
  const b = gatherBatch(data.dataset, idx);
  idx.dispose();
  let out: tf.Tensor;
  if (trainer) out = trainer.definition.step({ model, optimizer, x: b.x, onehot: b.onehot, epsilon: EPSILON, seed }, trainer.params);
  else {
    const adv = attackBatch(model, resolveAttack(fgsmDefinition, { kind: 'fgsm', epsilon: EPSILON }), b, start);
    out = correctCount(model, adv, b.labels);
    adv.dispose();
  }
  tf.dispose([out, b.x, b.onehot, b.labels]);
}

/** The plain way, as the article writes it: CPU data uploaded per step, composed attack, read back per step. */
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
    } else if (kind === 'train_fgsm_rs') {
      train = tf.tidy(() => {
        const start = tf.clipByValue(tf.add(x, tf.randomUniform(x.shape, -EPSILON, EPSILON)), 0, 1);
        const stepped = tf.add(start, tf.mul(tf.sign(grad(start)), 1.25 * EPSILON));
        return tf.clipByValue(tf.minimum(tf.maximum(stepped, tf.sub(x, EPSILON)), tf.add(x, EPSILON)), 0, 1);
      });
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
        if (impl === 'stock' && options.stockSteps && !options.stockSteps.includes(kind)) continue;
        const model = seedCnn({ seed: 1 });
        // Ours: the engine kernels as the policy has them, and the fused Adam step; stock: tfjs's kernels
        // (the engine switched off) and tfjs's Adam.
        const policy = engineKernelPolicy();
        const trainer = kind === 'eval_fgsm' ? null : resolveTrainerById(...STEP_TRAINERS[kind]);
        const optimizer = impl === 'ours' ? engineAdam(1e-3) : tf.train.adam(1e-3);
        let cursor = 0;
        const host: number[] = [];
        const step = async (i: number): Promise<number> => {
          const start = cursor;
          cursor = (cursor + batch) % (DATASET - batch + 1);
          traffic.reset();
          if (impl === 'stock') useEngineKernels(false);
          try {
            const t0 = performance.now();
            if (impl === 'ours') oursStep(kind, trainer, model, optimizer, data, start, batch, i);
            else await stockStep(kind, model, optimizer, data, start, batch);
            host.push(performance.now() - t0);
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
        host.length = 0;
        for (let i = 0; i < entryRuns; i++) wall.push(await step(i + 1 + entryWarmup));
        const wallMs = summarize(wall);
        options.onProgress?.(`${name}: ${((batch * 1000) / wallMs.median).toFixed(1)} images/s`);
        entries.push({ name, step: kind, impl, batch, firstRunMs, wallMs, hostMs: summarize(host), imagesPerSecond: (batch * 1000) / wallMs.median, traffic: traffic.read() });
        optimizer.dispose();
        tf.dispose(model.variables);
      }
    }
  }
  data.dataset.dispose();
  data.gpuOrder.dispose();
  return entries;
}
