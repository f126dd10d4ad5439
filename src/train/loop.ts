// The training loop on GPU-resident data: batches gathered on the device from a shuffled order drawn from
// the run's random seed, one trainer of the table per step, an epsilon warm-up and a learning-rate schedule, the loss
// summed on the device and read only at progress intervals and epoch ends. A run is an async iterator of
// epochs: the caller decides between epochs (the guard rolls back, the demo interleaves two models) by
// setting `learningRateScale` or by stopping the iteration.
import * as tf from '@tensorflow/tfjs-core';
import { gatherBatch, type GpuDataset } from '../data/gpu_dataset';
import { seededRandom, shuffle } from '../data/random';
import { uploadNow } from '../program';
import type { Classifier } from '../models/classifier';
import { resolveTrainerById, type ResolvedTrainer } from '../trainers/index';
import { addTraffic, zeroTraffic, type TrafficCounter, type TrafficCounts } from '../platform/traffic';
import { AdversarialArgumentError } from '../core/validate';

export interface TrainOptions {
  /** A trainer of the table (`clean`, `fgsm`, `fgsm-rs`, `pgd`, or one registered). */
  trainer: string;
  /** The trainer's parameters (`{ cleanWeight: 0.5 }` for fgsm, `{ steps: 7 }` for pgd); the rest take defaults. */
  trainerParams?: Record<string, number | boolean | string>;
  epsilon: number;
  epochs: number;
  batchSize: number;
  /** Peak learning rate. */
  learningRate: number;
  seed: number;
  /** Epochs over which epsilon grows linearly from 0 (default 0: none). */
  epsilonWarmupEpochs?: number;
  /** `constant`, or `cyclic`: linear up to the peak at 2/5 of training, then down to 0 (Wong et al. 2020). */
  schedule?: 'constant' | 'cyclic';
  /** Steps between progress reports (default 50); each report reads the running loss back. */
  progressEvery?: number;
  onProgress?: (p: TrainProgress) => void;
  /** Epochs already done (resuming: the caller has restored the weights and the optimizer's state). */
  startEpoch?: number;
  /** Factor on the scheduled learning rate at the start (default 1); `run.learningRateScale` changes it between epochs. */
  learningRateScale?: number;
  /** Counts host-device traffic of the training steps alone (not the per-epoch order upload or read-backs). */
  traffic?: TrafficCounter;
  /** Awaited before each step when it returns a promise (a paused demo holds training there); a plain return costs nothing. */
  beforeStep?: () => Promise<void> | void;
  /** Aborted: training ends after the current step; the partial epoch is recorded (`stopped: true`). */
  signal?: AbortSignal;
}

export interface TrainProgress {
  epoch: number;
  step: number;
  stepsPerEpoch: number;
  /** Steps done since the first epoch of training (including resumed epochs), and of all epochs. */
  globalStep: number;
  totalSteps: number;
  meanLoss: number;
  imagesPerSecond: number;
  epsilon: number;
  learningRate: number;
}

export interface EpochRecord {
  epoch: number;
  meanLoss: number;
  seconds: number;
  imagesPerSecond: number;
  steps: number;
  learningRateScale: number;
  /** Host-device bytes of the epoch's training steps, when `traffic` is given. */
  stepTraffic?: TrafficCounts;
  /** The epoch ended early, at `steps` steps, because `signal` was aborted. */
  stopped?: true;
}

/** A training run: iterate it for its epochs; between two, `learningRateScale` may be set. */
export interface TrainingRun extends AsyncIterable<EpochRecord> {
  learningRateScale: number;
  readonly stepsPerEpoch: number;
  readonly trainer: ResolvedTrainer;
}

/** The optimizer's learning rate, set per step (tfjs's optimizers keep it in a field). */
function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = lr;
}

/** Learning rate at `progress` in [0, 1] of training. */
export function scheduledLearningRate(schedule: 'constant' | 'cyclic', peak: number, progress: number): number {
  if (schedule === 'constant') return peak;
  return progress < 0.4 ? (peak * progress) / 0.4 : (peak * (1 - progress)) / 0.6;
}

/** The shuffle seed of `epoch` (a 32-bit mix of the training seed and the epoch). */
export function epochSeed(seed: number, epoch: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(epoch + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  return (h ^ (h >>> 15)) >>> 0;
}

function checkOptions(o: TrainOptions, model: Classifier, data: GpuDataset, indices: ArrayLike<number>): ResolvedTrainer {
  const op = 'trainModel';
  const num = (name: keyof TrainOptions, ok: (v: number) => boolean, what: string) => {
    const v = o[name] as number;
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw new AdversarialArgumentError(op, `options.${name}`, `must be ${what}, got ${v}`);
  };
  const trainer = resolveTrainerById(o.trainer, o.trainerParams ?? {}, op, 'options.trainer');
  num('epsilon', (v) => v >= 0, 'a finite number >= 0');
  num('epochs', (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1');
  num('batchSize', (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1');
  num('learningRate', (v) => v > 0, 'a finite number > 0');
  num('seed', (v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32, 'an integer in [0, 2^32)');
  if (o.epsilonWarmupEpochs !== undefined) num('epsilonWarmupEpochs', (v) => v >= 0, 'a finite number >= 0');
  if (o.learningRateScale !== undefined) num('learningRateScale', (v) => v > 0, 'a finite number > 0');
  if (o.progressEvery !== undefined) num('progressEvery', (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1');
  if (o.schedule !== undefined && o.schedule !== 'constant' && o.schedule !== 'cyclic') throw new AdversarialArgumentError(op, 'options.schedule', `must be constant or cyclic, got ${String(o.schedule)}`);
  const start = o.startEpoch ?? 0;
  if (!Number.isInteger(start) || start < 0 || start > o.epochs) throw new AdversarialArgumentError(op, 'options.startEpoch', `must be an integer in [0, epochs], got ${start}`);
  if (model.numClasses !== data.numClasses) throw new AdversarialArgumentError(op, 'model', `outputs ${model.numClasses} logits but the data set has ${data.numClasses} classes`);
  if (!tf.util.arraysEqual(model.inputShape, data.imageShape)) throw new AdversarialArgumentError(op, 'model', `takes images [${model.inputShape}] but the data set holds [${data.imageShape}]`);
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i];
    if (!Number.isInteger(v) || v < 0 || v >= data.count) throw new AdversarialArgumentError(op, `indices[${i}]`, `must be an example of the data set, in [0, ${data.count}), got ${v}`);
  }
  if (Math.floor(indices.length / o.batchSize) < 1) throw new AdversarialArgumentError(op, 'options.batchSize', `${o.batchSize} is larger than the ${indices.length} training examples`);
  return trainer;
}

/**
 * A training run of `model` on the examples `indices` of a GPU-resident data set: iterate it for its
 * epochs' records. Options are checked here, before any tensor is made.
 *
 * @example
 * const run = trainingRun(model, engineAdam(1e-3), data, split.train, { trainer: 'fgsm-rs', epsilon: 0.1, epochs: 5, batchSize: 64, learningRate: 1e-3, seed: 0 });
 * for await (const epoch of run) {
 *   console.log(epoch.meanLoss);
 *   if (epoch.meanLoss > 2) run.learningRateScale /= 2;
 * }
 */
export function trainingRun(model: Classifier, optimizer: tf.Optimizer, data: GpuDataset, indices: ArrayLike<number>, o: TrainOptions): TrainingRun {
  const trainer = checkOptions(o, model, data, indices);
  const stepsPerEpoch = Math.floor(indices.length / o.batchSize);
  const run: TrainingRun = {
    learningRateScale: o.learningRateScale ?? 1,
    stepsPerEpoch,
    trainer,
    [Symbol.asyncIterator]: () => epochs(),
  };
  async function* epochs(): AsyncGenerator<EpochRecord> {
    for (let epoch = o.startEpoch ?? 0; epoch < o.epochs; epoch++) {
      const record = await runEpoch(model, optimizer, data, indices, o, trainer, epoch, stepsPerEpoch, run.learningRateScale);
      if (!record) return;
      yield record;
      if (record.stopped) return;
    }
  }
  return run;
}

/** One epoch; null when it was stopped before its first step. */
async function runEpoch(model: Classifier, optimizer: tf.Optimizer, data: GpuDataset, indices: ArrayLike<number>, o: TrainOptions, trainer: ResolvedTrainer, epoch: number, stepsPerEpoch: number, lrScale: number): Promise<EpochRecord | null> {
  const totalSteps = o.epochs * stepsPerEpoch;
  const progressEvery = o.progressEvery ?? 50;
  // Each epoch's order comes from (seed, epoch) alone, so that a resumed run shuffles as an uninterrupted one.
  const order = tf.tensor1d(Int32Array.from(shuffle(Array.from(indices), seededRandom(epochSeed(o.seed, epoch)))), 'int32');
  // On the GPU now: tfjs would slice a small order on the CPU and upload each batch's indices.
  uploadNow([order]);
  let lossSum = tf.scalar(0);
  try {
    const start = performance.now();
    let lastReport = { time: start, step: 0, sum: 0 };
    const traffic: TrafficCounts = zeroTraffic();
    let stepsDone = 0;
    for (let step = 0; step < stepsPerEpoch; step++) {
      if (o.signal?.aborted) break;
      const gate = o.beforeStep?.();
      if (gate) await gate;
      if (o.signal?.aborted) break;
      const global = epoch * stepsPerEpoch + step;
      const warmup = o.epsilonWarmupEpochs ?? 0;
      const epsilon = warmup > 0 ? o.epsilon * Math.min(1, (global + 1) / (warmup * stepsPerEpoch)) : o.epsilon;
      const lr = lrScale * scheduledLearningRate(o.schedule ?? 'constant', o.learningRate, (global + 0.5) / totalSteps);
      setLearningRate(optimizer, lr);
      o.traffic?.reset();
      const batchIndices = tf.slice(order, [step * o.batchSize], [o.batchSize]) as tf.Tensor1D;
      const batch = gatherBatch(data, batchIndices);
      batchIndices.dispose();
      try {
        const loss = trainer.definition.step({ model, optimizer, x: batch.x, onehot: batch.onehot, epsilon, seed: (o.seed * 7919 + global) >>> 0 }, trainer.params);
        const next = tf.add(lossSum, loss) as tf.Scalar;
        tf.dispose([lossSum, loss]);
        lossSum = next;
      } finally {
        tf.dispose([batch.x, batch.labels, batch.onehot]);
      }
      stepsDone = step + 1;
      if (o.traffic) {
        addTraffic(traffic, o.traffic.read());
      }
      if (o.onProgress && ((step + 1) % progressEvery === 0 || step + 1 === stepsPerEpoch)) {
        const sum = (await lossSum.data())[0];
        const now = performance.now();
        o.onProgress({
          epoch,
          step: step + 1,
          stepsPerEpoch,
          globalStep: global + 1,
          totalSteps,
          meanLoss: (sum - lastReport.sum) / (step + 1 - lastReport.step),
          imagesPerSecond: ((step + 1 - lastReport.step) * o.batchSize * 1000) / (now - lastReport.time),
          epsilon,
          learningRate: lr,
        });
        lastReport = { time: now, step: step + 1, sum };
      }
    }
    if (stepsDone === 0) return null;
    const meanLoss = (await lossSum.data())[0] / stepsDone;
    const seconds = (performance.now() - start) / 1000;
    return {
      epoch,
      meanLoss,
      seconds,
      imagesPerSecond: (stepsDone * o.batchSize) / seconds,
      steps: stepsDone,
      learningRateScale: lrScale,
      ...(o.traffic ? { stepTraffic: traffic } : {}),
      ...(stepsDone < stepsPerEpoch ? { stopped: true as const } : {}),
    };
  } finally {
    tf.dispose([lossSum, order]);
  }
}

/**
 * Trains `model` on the examples `indices` of a GPU-resident data set for all its epochs; returns the
 * per-epoch records.
 *
 * @example
 * const history = await trainModel(model, engineAdam(1e-3), data, split.train, {
 *   trainer: 'fgsm-rs', epsilon: 0.1, epochs: 5, batchSize: 64, learningRate: 1e-3, seed: 0 });
 */
export async function trainModel(model: Classifier, optimizer: tf.Optimizer, data: GpuDataset, indices: ArrayLike<number>, o: TrainOptions): Promise<EpochRecord[]> {
  const history: EpochRecord[] = [];
  for await (const record of trainingRun(model, optimizer, data, indices, o)) history.push(record);
  return history;
}
