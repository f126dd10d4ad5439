// The training loop on GPU-resident data (toward issue 5): batches gathered on the device from a shuffled
// order drawn from the seed, one of four trainers per step, an epsilon warm-up and a learning-rate schedule,
// loss summed on the device and read only at progress intervals and epoch ends; and evaluation (clean, FGSM
// and PGD accuracy) with correct counts summed on the device and read once.
import * as tf from '@tensorflow/tfjs-core';
import { fgsmAttack, pgdAttack } from '../attacks';
import { gatherBatch, type GpuDataset } from '../data/gpu_dataset';
import { seededRandom, shuffle } from '../data/random';
import { softmaxCrossEntropy } from '../engine/softmax_cross_entropy';
import type { Classifier } from '../models/seed_cnn';
import { uploadNow } from '../engine/program';
import { pgdStep, randomStart } from '../ops';
import type { TrafficCounter, TrafficCounts } from '../traffic';
import { AdversarialArgumentError } from '../validate';

import { TRAINERS, type TrainerKind } from '../job/settings';

export { TRAINERS, type TrainerKind };

export interface TrainOptions {
  trainer: TrainerKind;
  epsilon: number;
  epochs: number;
  batchSize: number;
  /** Peak learning rate. */
  learningRate: number;
  seed: number;
  /** `fgsm`: weight of the clean loss (the adversarial loss gets 1 - w). Default 0.5, the seed's recipe. */
  cleanWeight?: number;
  /** `pgd`: steps (default 7) and step size (default epsilon / 4). */
  pgdSteps?: number;
  pgdStepSize?: number;
  /** Epochs over which epsilon grows linearly from 0 (default 0: none). */
  epsilonWarmupEpochs?: number;
  /** `constant`, or `cyclic`: linear up to the peak at 2/5 of training, then down to 0 (Wong et al. 2020). */
  schedule?: 'constant' | 'cyclic';
  /** Steps between progress reports (default 50); each report reads the running loss back. */
  progressEvery?: number;
  onProgress?: (p: TrainProgress) => void;
  /** Epochs already done (resuming: the caller has restored the weights and the optimizer's state). */
  startEpoch?: number;
  /** Factor on the scheduled learning rate (default 1); an epoch-end decision may change it. */
  learningRateScale?: number;
  /**
   * Called after each epoch, once the epoch's loss is read back (checkpoints, the overfitting guard).
   * It may stop training or scale the learning rate of the epochs that follow.
   */
  onEpochEnd?: (record: EpochRecord) => Promise<EpochDecision | void> | EpochDecision | void;
  /** Counts host-device traffic of the training steps alone (not the per-epoch order upload or read-backs). */
  traffic?: TrafficCounter;
  /**
   * Awaited before each step when it returns a promise (a paused demo holds training there); a plain
   * return costs nothing.
   */
  beforeStep?: () => Promise<void> | void;
  /** Aborted: training ends after the current step; the partial epoch is recorded (`stopped: true`). */
  signal?: AbortSignal;
}

/** What an `onEpochEnd` callback asks of the loop. */
export interface EpochDecision {
  stop?: boolean;
  learningRateScale?: number;
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

/** The optimizer's learning rate, set per step (tfjs's optimizers keep it in a field). */
function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = lr;
}

/** Learning rate at `progress` in [0, 1] of training. */
export function scheduledLearningRate(schedule: 'constant' | 'cyclic', peak: number, progress: number): number {
  if (schedule === 'constant') return peak;
  return progress < 0.4 ? (peak * progress) / 0.4 : (peak * (1 - progress)) / 0.6;
}

function checkOptions(o: TrainOptions, model: Classifier, data: GpuDataset): void {
  const op = 'trainModel';
  if (!TRAINERS.includes(o.trainer)) throw new AdversarialArgumentError(op, 'options.trainer', `must be one of ${TRAINERS.join(', ')}, got ${String(o.trainer)}`);
  if (!(o.epsilon >= 0) || !Number.isFinite(o.epsilon)) throw new AdversarialArgumentError(op, 'options.epsilon', `must be a finite number >= 0, got ${o.epsilon}`);
  if (!Number.isInteger(o.epochs) || o.epochs < 1) throw new AdversarialArgumentError(op, 'options.epochs', `must be an integer >= 1, got ${o.epochs}`);
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw new AdversarialArgumentError(op, 'options.batchSize', `must be an integer >= 1, got ${o.batchSize}`);
  if (!(o.learningRate > 0) || !Number.isFinite(o.learningRate)) throw new AdversarialArgumentError(op, 'options.learningRate', `must be a finite number > 0, got ${o.learningRate}`);
  const start = o.startEpoch ?? 0;
  if (!Number.isInteger(start) || start < 0 || start > o.epochs) throw new AdversarialArgumentError(op, 'options.startEpoch', `must be an integer in [0, epochs], got ${start}`);
  if (model.numClasses !== data.numClasses) {
    throw new AdversarialArgumentError(op, 'model', `outputs ${model.numClasses} logits but the data set has ${data.numClasses} classes`);
  }
  if (!tf.util.arraysEqual(model.inputShape, data.imageShape)) {
    throw new AdversarialArgumentError(op, 'model', `takes images [${model.inputShape}] but the data set holds [${data.imageShape}]`);
  }
}

/** One optimizer step of `trainer` on the batch; returns the batch's mean loss (a tensor, not read back). */
export function trainerStep(model: Classifier, optimizer: tf.Optimizer, x: tf.Tensor4D, onehot: tf.Tensor2D, trainer: TrainerKind, epsilon: number, o: Pick<TrainOptions, 'cleanWeight' | 'pgdSteps' | 'pgdStepSize'>, seed: number): tf.Scalar {
  const lossOf = (images: tf.Tensor4D, training = false) => softmaxCrossEntropy(model.forward(images, training), onehot);
  let adv: tf.Tensor4D | null = null;
  if (trainer === 'fgsm') adv = fgsmAttack(model, x, onehot, { epsilon });
  else if (trainer === 'fgsm-rs') {
    // Wong, Rice and Kolter 2020: a uniform start in the eps-ball, one signed step of 1.25 eps, projected.
    adv = tf.tidy(() => {
      const start = randomStart(x, { epsilon, seed }) as tf.Tensor4D;
      const grad = tf.grad((images: tf.Tensor) => lossOf(images as tf.Tensor4D))(start);
      return pgdStep(start, x, grad, { stepSize: 1.25 * epsilon, epsilon }) as tf.Tensor4D;
    });
  } else if (trainer === 'pgd') {
    const steps = o.pgdSteps ?? 7;
    adv = pgdAttack(model, x, onehot, { epsilon, steps, stepSize: o.pgdStepSize ?? epsilon / 4, seed });
  }
  const w = o.cleanWeight ?? 0.5;
  const loss = optimizer.minimize(
    () => {
      if (trainer === 'clean') return lossOf(x, true);
      if (trainer === 'fgsm') return tf.add(tf.mul(lossOf(x, true), w), tf.mul(lossOf(adv!, true), 1 - w)) as tf.Scalar;
      return lossOf(adv!, true);
    },
    true,
    model.variables,
  ) as tf.Scalar;
  adv?.dispose();
  return loss;
}

/**
 * Trains `model` on the examples `indices` of a GPU-resident data set; returns per-epoch records.
 *
 * @example
 * const history = await trainModel(model, engineAdam(1e-3), data, split.train, {
 *   trainer: 'fgsm-rs', epsilon: 0.1, epochs: 5, batchSize: 64, learningRate: 1e-3, seed: 0 });
 */
export async function trainModel(model: Classifier, optimizer: tf.Optimizer, data: GpuDataset, indices: ArrayLike<number>, o: TrainOptions): Promise<EpochRecord[]> {
  checkOptions(o, model, data);
  const stepsPerEpoch = Math.floor(indices.length / o.batchSize);
  if (stepsPerEpoch < 1) throw new AdversarialArgumentError('trainModel', 'options.batchSize', `${o.batchSize} is larger than the ${indices.length} training examples`);
  const totalSteps = o.epochs * stepsPerEpoch;
  const progressEvery = o.progressEvery ?? 50;
  const history: EpochRecord[] = [];
  let lrScale = o.learningRateScale ?? 1;
  for (let epoch = o.startEpoch ?? 0; epoch < o.epochs; epoch++) {
    // Each epoch's order comes from (seed, epoch) alone, so that a resumed run shuffles as an uninterrupted one.
    const order = tf.tensor1d(Int32Array.from(shuffle(Array.from(indices), seededRandom(epochSeed(o.seed, epoch)))), 'int32');
    // On the GPU now: tfjs would slice a small order on the CPU and upload each batch's indices.
    uploadNow([order]);
    let lossSum = tf.scalar(0);
    const start = performance.now();
    let lastReport = { time: start, step: 0, sum: 0 };
    const traffic: TrafficCounts = { uploadBytes: 0, uniformBytes: 0, downloadBytes: 0, largestUploadBytes: 0 };
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
      const loss = trainerStep(model, optimizer, batch.x, batch.onehot, o.trainer, epsilon, o, (o.seed * 7919 + global) >>> 0);
      const next = tf.add(lossSum, loss) as tf.Scalar;
      tf.dispose([lossSum, loss, batch.x, batch.labels, batch.onehot]);
      lossSum = next;
      stepsDone = step + 1;
      if (o.traffic) {
        const counted = o.traffic.read();
        traffic.uploadBytes += counted.uploadBytes;
        traffic.uniformBytes += counted.uniformBytes;
        traffic.downloadBytes += counted.downloadBytes;
        traffic.largestUploadBytes = Math.max(traffic.largestUploadBytes, counted.largestUploadBytes);
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
    const stopped = stepsDone < stepsPerEpoch;
    if (stepsDone === 0) {
      tf.dispose([lossSum, order]);
      break;
    }
    const meanLoss = (await lossSum.data())[0] / stepsDone;
    const seconds = (performance.now() - start) / 1000;
    tf.dispose([lossSum, order]);
    const record: EpochRecord = {
      epoch,
      meanLoss,
      seconds,
      imagesPerSecond: (stepsDone * o.batchSize) / seconds,
      steps: stepsDone,
      learningRateScale: lrScale,
      ...(o.traffic ? { stepTraffic: traffic } : {}),
      ...(stopped ? { stopped: true as const } : {}),
    };
    history.push(record);
    if (stopped) break;
    const decision = await o.onEpochEnd?.(record);
    if (decision?.learningRateScale !== undefined) lrScale = decision.learningRateScale;
    if (decision?.stop) break;
  }
  return history;
}

/** The shuffle seed of `epoch` (a 32-bit mix of the training seed and the epoch). */
export function epochSeed(seed: number, epoch: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(epoch + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  return (h ^ (h >>> 15)) >>> 0;
}

export interface EvaluationAttack {
  kind: 'clean' | 'fgsm' | 'pgd';
  epsilon?: number;
  steps?: number;
  stepSize?: number;
  restarts?: number;
  seed?: number;
}

export interface EvaluationResult {
  attack: EvaluationAttack;
  accuracy: number;
  correct: number;
  examples: number;
}

export interface EvaluationOptions {
  /** Examples per batch (default 256). The PGD seed of a batch is `attack.seed + first example's position`. */
  batchSize?: number;
  /** Called after each batch with the examples done, over all attacks (each call waits for the device). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Accuracy of `model` on the examples `indices` under each attack, in batches; correct counts summed on
 * the device and read once per attack.
 *
 * @example
 * const [clean, pgd] = await evaluateModel(model, data, split.test, [{kind: 'clean'}, {kind: 'pgd', epsilon: 0.1}]);
 */
export async function evaluateModel(model: Classifier, data: GpuDataset, indices: ArrayLike<number>, attacks: EvaluationAttack[], options: EvaluationOptions | number = {}): Promise<EvaluationResult[]> {
  const { batchSize = 256, onProgress } = typeof options === 'number' ? { batchSize: options } : options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new AdversarialArgumentError('evaluateModel', 'options.batchSize', `must be an integer >= 1, got ${batchSize}`);
  if (indices.length === 0) throw new AdversarialArgumentError('evaluateModel', 'indices', 'is empty');
  let done = 0;
  const total = indices.length * attacks.length;
  if (model.numClasses !== data.numClasses) {
    throw new AdversarialArgumentError('evaluateModel', 'model', `outputs ${model.numClasses} logits but the data set has ${data.numClasses} classes`);
  }
  const all = tf.tensor1d(Int32Array.from(indices), 'int32');
  const results: EvaluationResult[] = [];
  for (const attack of attacks) {
    let correct = tf.scalar(0, 'int32');
    for (let start = 0; start < indices.length; start += batchSize) {
      const size = Math.min(batchSize, indices.length - start);
      const batchIndices = tf.slice(all, [start], [size]) as tf.Tensor1D;
      const batch = gatherBatch(data, batchIndices);
      batchIndices.dispose();
      let x = batch.x;
      if (attack.kind === 'fgsm') x = fgsmAttack(model, batch.x, batch.onehot, { epsilon: attack.epsilon ?? 0.1 });
      else if (attack.kind === 'pgd') {
        const steps = attack.steps ?? 20;
        const epsilon = attack.epsilon ?? 0.1;
        x = pgdAttack(model, batch.x, batch.onehot, { epsilon, steps, stepSize: attack.stepSize ?? (2.5 * epsilon) / steps, restarts: attack.restarts ?? 1, seed: (attack.seed ?? 0) + start });
      }
      const next = tf.tidy(() => tf.add(correct, tf.sum(tf.cast(tf.equal(tf.argMax(model.forward(x), 1), batch.labels), 'int32'))));
      tf.dispose([correct, batch.x, batch.labels, batch.onehot, ...(x !== batch.x ? [x] : [])]);
      correct = next as tf.Scalar;
      done += size;
      if (onProgress) {
        await correct.data(); // progress that follows the device, not the dispatch (4 bytes a batch)
        onProgress(done, total);
      }
    }
    const count = (await correct.data())[0];
    results.push({ attack, accuracy: count / indices.length, correct: count, examples: indices.length });
    correct.dispose();
  }
  all.dispose();
  return results;
}
