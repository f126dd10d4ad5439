// The main job's orchestration, the same in Node and in a browser: train a model (a built-in architecture
// or the user's own) with a trainer of the table on GPU-resident data, with the overfitting guard and
// per-epoch checkpoints (resumable); save it in the tfjs Layers format; evaluate it under the job's
// attacks; write report.json. Files go through a `JobIO`, each written whole or not at all.
import * as tf from '@tensorflow/tfjs-core';
import { engineAdam } from '../engine/optimizer/adam';
import { createArchitecture } from '../models/architectures';
import { saveClassifier } from '../models/layers_format';
import type { Classifier } from '../models/classifier';
import type { GuardEvent, HistoryEntry } from '../report/schema';
import { gradientAlignment } from '../train/grad_align';
import { trainingRun } from '../train/loop';
import { getTrainer } from '../trainers/index';
import { addTraffic, zeroTraffic, type TrafficCounts } from '../platform/traffic';
import { AdversarialArgumentError } from '../core/validate';
import { captureTrainingState, decodeCheckpoint, encodeCheckpoint, restoreTrainingState, uploadNow, type CheckpointTensor } from './checkpoint';
import type { PreparedData } from './data';
import { modelFingerprint } from './fingerprint';
import { guardAfterEpoch, guardAtEnd, type GuardSetup, type GuardState } from './guard';
import { pct } from '../report/format';
import type { JobEnvironment, JobIO } from './io';
import { checkTrainSettings, EVAL_BATCH, trainerParamsOf, type TrainJobSettings } from './settings';
import { evaluateModel } from '../train/evaluate';
import type { JobEvaluationOptions } from './evaluation';

/** The state a checkpoint carries besides the tensors. */
interface JobState extends GuardState {
  format: 'tfjs-adversarial/checkpoint@1';
  settingsKey: string;
  epochsDone: number;
  history: HistoryEntry[];
  stepTraffic: TrafficCounts & { steps: number };
}

export interface TrainedModel {
  model: Classifier;
  history: HistoryEntry[];
  events: GuardEvent[];
  best: { epoch: number; probe: number } | null;
  keptEpoch: number | null;
  stoppedEarly: boolean;
  trainSeconds: number;
  probeSeconds: number;
  stepTraffic: TrafficCounts & { steps: number };
  resumedFromEpoch: number | null;
}

export interface TrainJobOptions {
  resume?: boolean;
  /** Folder of the checkpoints and model under the output folder (`eps-0.1/`). */
  prefix?: string;
  /**
   * A model to train from its weights (fine-tuning) instead of `settings.arch` from scratch; it stays the
   * caller's to dispose. `modelSource` names it for the resume check and the report.
   */
  model?: Classifier;
  modelSource?: string;
  /** The final evaluation's audit, curve and AutoAttack points (default: audit on 100 points). */
  evaluation?: JobEvaluationOptions;
  /** Also save the model after every epoch, as its probe measured it, in `epochs/<n>/model/` under `prefix`. */
  epochModels?: boolean;
}

/** A classifier's checkpointed variables: the trainable ones, then its state (batch-norm statistics). */
export const checkpointVariables = (model: Classifier): tf.Variable[] => [...model.variables, ...(model.stateVariables ?? [])];

function settingsKey(s: TrainJobSettings, data: PreparedData, modelSource: string | null): string {
  return JSON.stringify({ settings: s, data: data.description, ...(modelSource ? { model: modelSource } : {}) });
}

/** What differs between two settings keys, as `name: old -> new` (data fields prefixed `data`). */
function settingsDifferences(was: string, now: string): string[] {
  type Key = { settings: Record<string, unknown>; data: Record<string, unknown>; model?: string };
  const [a, b] = [JSON.parse(was) as Key, JSON.parse(now) as Key];
  const changed = (x: Record<string, unknown>, y: Record<string, unknown>, label: string) =>
    [...new Set([...Object.keys(x), ...Object.keys(y)])].filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k])).map((k) => `${label}${k}: ${JSON.stringify(x[k])} -> ${JSON.stringify(y[k])}`);
  return [...changed(a.settings, b.settings, ''), ...changed(a.data, b.data, 'data '), ...changed({ model: a.model }, { model: b.model }, '')];
}

/**
 * Trains a model as `settings` say, on `data.train`, with the guard probing `data.probe` each epoch,
 * writing `checkpoints/last.ckpt` (and `best.ckpt`) under `prefix` after every epoch; with `resume`,
 * continues from `last.ckpt`. The model returned is the caller's to dispose.
 *
 * @example
 * const trained = await trainJobModel(DEFAULT_TRAIN_SETTINGS, data, io, env);
 * trained.model.dispose();
 */
export async function trainJobModel(settings: TrainJobSettings, data: PreparedData, io: JobIO, env: JobEnvironment, options: TrainJobOptions = {}): Promise<TrainedModel> {
  checkTrainSettings(settings, 'runTrainJob');
  const trainer = getTrainer(settings.trainer, 'runTrainJob', 'settings.trainer');
  if (settings.batchSize > data.train.length) throw new AdversarialArgumentError('runTrainJob', 'settings.batchSize', `is ${settings.batchSize}, more than the ${data.train.length} training examples (data.train)`);
  const prefix = options.prefix ?? '';
  const lastPath = `${prefix}checkpoints/last.ckpt`;
  const bestPath = `${prefix}checkpoints/best.ckpt`;
  // A given model is known by its source and its fingerprint: a resumed fine-tuning must start from the same weights.
  const modelSource = options.model ? `${options.modelSource ?? 'given model'} (${await modelFingerprint(options.model)})` : null;
  const model = options.model ?? createArchitecture(settings.arch, { seed: settings.seed, inputShape: data.imageShape, numClasses: data.numClasses });
  const optimizer = engineAdam(settings.learningRate);
  try {
    return await trainWithOptimizer(settings, data, io, env, options, { model, optimizer, lastPath, bestPath, key: settingsKey(settings, data, modelSource), adversarial: trainer.adversarial });
  } catch (err) {
    if (!options.model) model.dispose();
    throw err;
  } finally {
    optimizer.dispose();
  }
}

interface Setup {
  model: Classifier;
  optimizer: tf.Optimizer;
  lastPath: string;
  bestPath: string;
  key: string;
  adversarial: boolean;
}

async function trainWithOptimizer(settings: TrainJobSettings, data: PreparedData, io: JobIO, env: JobEnvironment, options: TrainJobOptions, setup: Setup): Promise<TrainedModel> {
  const { model, optimizer, lastPath, bestPath, key } = setup;
  const variables = checkpointVariables(model);
  let state: JobState = {
    format: 'tfjs-adversarial/checkpoint@1',
    settingsKey: key,
    epochsDone: 0,
    stopped: false,
    learningRateScale: 1,
    rollbacks: 0,
    best: null,
    lastProbe: null,
    events: [],
    history: [],
    stepTraffic: { ...zeroTraffic(), steps: 0 },
  };
  let bestTensors: CheckpointTensor[] | null = null;
  let resumedFromEpoch: number | null = null;
  if (options.resume) {
    const bytes = await io.readFile(lastPath);
    if (!bytes) throw new AdversarialArgumentError('runTrainJob', 'resume', `there is no checkpoint ${lastPath} in the output folder to resume from`);
    const checkpoint = decodeCheckpoint<JobState>(bytes, lastPath);
    if (checkpoint.meta.format !== state.format) throw new Error(`checkpoint ${lastPath}: format ${String(checkpoint.meta.format)}, expected ${state.format}`);
    if (checkpoint.meta.settingsKey !== key) {
      const diff = settingsDifferences(checkpoint.meta.settingsKey, key);
      throw new AdversarialArgumentError('runTrainJob', 'resume', `the checkpoint ${lastPath} was made with other settings (${diff.join('; ')}); resume with the same flags or use another output folder`);
    }
    await restoreTrainingState(checkpoint.tensors, variables, optimizer, lastPath);
    // A checkpoint written before the dispatch and submit counts: those start from 0.
    state = { ...checkpoint.meta, stepTraffic: { ...zeroTraffic(), ...checkpoint.meta.stepTraffic } };
    resumedFromEpoch = state.epochsDone;
    if (state.best) {
      // The guard's rollback needs the best epoch's weights: without them, resuming would quietly turn it off.
      const best = await io.readFile(bestPath);
      if (!best) throw new Error(`checkpoint ${bestPath}: missing, but ${lastPath} says epoch ${state.best.epoch} was the best (the guard rolls back to it); restore the file or start afresh in another output folder`);
      bestTensors = decodeCheckpoint(best, bestPath).tensors;
    }
    io.log(`resuming from ${lastPath}: ${state.epochsDone} of ${settings.epochs} epochs done${state.stopped ? ' (the guard had stopped training)' : ''}`);
  }
  const guard: GuardSetup = {
    mode: settings.guard,
    active: settings.guard !== 'off' && setup.adversarial && data.probe.length > 0,
    drop: settings.guardDrop,
    epochs: settings.epochs,
    probeSteps: settings.probeSteps,
    variables,
    optimizer,
    bestPath,
    io,
  };
  let probeSeconds = state.history.reduce((a, h) => a + h.probe_seconds, 0);
  const probe = async (epoch: number): Promise<{ accuracy: number; alignment: number; seconds: number } | null> => {
    if (data.probe.length === 0) return null;
    const start = performance.now();
    const attack = { kind: 'pgd', epsilon: settings.epsilon, steps: settings.probeSteps, stepSize: (2.5 * settings.epsilon) / settings.probeSteps, restarts: 1, seed: settings.attackSeed };
    const [r] = await evaluateModel(model, data.dataset, data.probe, [attack], {
      batchSize: EVAL_BATCH,
      onProgress: (done, total) => io.progress?.({ phase: 'probe', label: `epoch ${epoch + 1} probe PGD-${settings.probeSteps}`, done, total }),
    });
    // The catastrophic-overfitting diagnostic on the same examples, at the full eps (not the warm-up's).
    const alignment = await gradientAlignment(model, data.dataset, data.probe, { epsilon: settings.epsilon, seed: settings.attackSeed, batchSize: EVAL_BATCH });
    return { accuracy: r.accuracy, alignment, seconds: (performance.now() - start) / 1000 };
  };
  const writeCheckpoint = async (path: string, tensors: CheckpointTensor[]) => io.writeFile(path, encodeCheckpoint({ meta: state, tensors }));

  // Set-up: the initial weights go to the GPU now, not inside the first counted step.
  uploadNow(variables);
  if (!state.stopped && state.epochsDone < settings.epochs) {
    const run = trainingRun(model, optimizer, data.dataset, data.train, {
      trainer: settings.trainer,
      trainerParams: trainerParamsOf(settings, settings.trainer),
      epsilon: settings.epsilon,
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      learningRate: settings.learningRate,
      seed: settings.seed,
      epsilonWarmupEpochs: settings.epsilonWarmupEpochs,
      schedule: settings.schedule,
      startEpoch: state.epochsDone,
      learningRateScale: state.learningRateScale,
      progressEvery: 25,
      traffic: env.traffic,
      onProgress: (p) => {
        const remainingSteps = p.totalSteps - p.globalStep;
        const epochsLeft = settings.epochs - p.epoch - 1;
        const probeEstimate = state.history.length > 0 ? (epochsLeft + 1) * (state.history[state.history.length - 1].probe_seconds || 0) : 0;
        io.progress?.({
          phase: 'train',
          label: `${settings.trainer} epoch ${p.epoch + 1}/${settings.epochs} loss ${p.meanLoss.toFixed(3)} eps ${p.epsilon.toFixed(3)}`,
          done: p.step,
          total: p.stepsPerEpoch,
          imagesPerSecond: p.imagesPerSecond,
          etaSeconds: (remainingSteps * settings.batchSize) / p.imagesPerSecond + probeEstimate,
        });
      },
    });
    for await (const record of run) {
      const measured = await probe(record.epoch);
      const entry: HistoryEntry = {
        epoch: record.epoch + 1,
        mean_loss: record.meanLoss,
        seconds: record.seconds,
        images_per_second: record.imagesPerSecond,
        learning_rate_scale: record.learningRateScale,
        probe_pgd_accuracy: measured?.accuracy ?? null,
        grad_alignment: measured?.alignment ?? null,
        probe_seconds: measured?.seconds ?? 0,
      };
      probeSeconds += entry.probe_seconds;
      state.history.push(entry);
      if (record.stepTraffic) {
        addTraffic(state.stepTraffic, record.stepTraffic);
        state.stepTraffic.steps += record.steps;
      }
      if (options.epochModels) await saveJobModel(model, io, `${options.prefix ?? ''}epochs/${record.epoch + 1}/`);
      let current = await captureTrainingState(variables, optimizer);
      let improved = false;
      let stop = false;
      if (measured) {
        const outcome = await guardAfterEpoch(guard, state, bestTensors, record.epoch + 1, measured.accuracy, record.learningRateScale, current);
        current = outcome.current;
        improved = outcome.improved;
        if (improved) bestTensors = current;
        if (outcome.learningRateScale !== undefined) run.learningRateScale = outcome.learningRateScale;
        stop = outcome.stop;
      }
      state.epochsDone = record.epoch + 1;
      if (improved) await writeCheckpoint(bestPath, current);
      await writeCheckpoint(lastPath, current);
      io.log(`epoch ${record.epoch + 1}/${settings.epochs}: loss ${record.meanLoss.toFixed(4)}, ${record.imagesPerSecond.toFixed(0)} images/s` + (measured ? `, probe PGD-${settings.probeSteps} ${pct(measured.accuracy)}, gradient alignment ${measured.alignment.toFixed(3)} (${data.probe.length} held-back examples)` : ''));
      if (stop) break;
    }
  }
  let keptEpoch: number | null = state.history.length > 0 ? state.history[state.history.length - 1].epoch : null;
  if (state.events.length > 0 && state.best) keptEpoch = state.best.epoch;
  keptEpoch = await guardAtEnd(guard, state, bestTensors, state.epochsDone, keptEpoch);
  return {
    model,
    history: state.history,
    events: state.events,
    best: state.best,
    keptEpoch,
    stoppedEarly: state.stopped,
    trainSeconds: state.history.reduce((a, h) => a + h.seconds, 0),
    probeSeconds,
    stepTraffic: state.stepTraffic,
    resumedFromEpoch,
  };
}

/** Writes `model/model.json` and `model/weights.bin` (tfjs Layers format) under `prefix`; returns their paths. */
export async function saveJobModel(model: Classifier, io: JobIO, prefix = ''): Promise<string[]> {
  const files: string[] = [];
  await saveClassifier(model, async (name, bytes) => {
    files.push(`${prefix}model/${name}`);
    await io.writeFile(`${prefix}model/${name}`, bytes);
  });
  return files;
}
