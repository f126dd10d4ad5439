// The main job, the same in Node and in a browser: train the seed CNN adversarially on GPU-resident data
// with the overfitting guard and per-epoch checkpoints (resumable), save the model in the tfjs Layers
// format, evaluate it clean, under FGSM and under PGD, and write report.json. Files go through a `JobIO`
// (Node's file system, or a bridge from a page to Node), each written whole or not at all.
import * as tf from '@tensorflow/tfjs-core';
import type { AdapterSummary } from '../device';
import { engineAdam } from '../engine/adam';
import { seedCnn, type Classifier } from '../models/seed_cnn';
import { saveLayersModelFiles, seedCnnToLayersModel } from '../models/layers_format';
import type { TrafficCounter, TrafficCounts } from '../traffic';
import { evaluateModel, trainModel, type EpochDecision, type EpochRecord, type EvaluationAttack, type EvaluationResult } from '../train/trainer';
import { TRAINERS, type TrainerKind } from './settings';
import { AdversarialArgumentError } from '../validate';
import { DEFAULT_PROBE_EXAMPLES, DEFAULT_TRAIN_SETTINGS, EVAL_BATCH, GUARD_MODES, KEEP_BEST_MARGIN, MAX_ROLLBACKS, REPORT_SCHEMA, type GuardMode, type TrainJobSettings } from './settings';

export { DEFAULT_PROBE_EXAMPLES, DEFAULT_TRAIN_SETTINGS, EVAL_BATCH, GUARD_MODES, KEEP_BEST_MARGIN, MAX_ROLLBACKS, type GuardMode, type TrainJobSettings };
import { captureTrainingState, decodeCheckpoint, encodeCheckpoint, restoreTrainingState, uploadNow, type CheckpointTensor } from './checkpoint';
import type { PreparedData } from './data';

export interface JobProgress {
  phase: 'train' | 'probe' | 'eval';
  label: string;
  done: number;
  total: number;
  imagesPerSecond?: number;
  etaSeconds?: number;
}

/** Where a job reads and writes its files (paths relative to the output folder) and says how it goes. */
export interface JobIO {
  /** The file's bytes, or null when there is none. */
  readFile(path: string): Promise<Uint8Array | null>;
  /** Writes the whole file or nothing (write to a temporary name, then rename). */
  writeFile(path: string, bytes: Uint8Array): Promise<void>;
  log(message: string): void;
  progress?(p: JobProgress): void;
}

export interface JobEnvironment {
  runtime: { name: 'node' | 'chrome' | 'browser'; version: string };
  adapter: AdapterSummary;
  /** Counts the bytes of the training steps (report: transfer per step). */
  traffic?: TrafficCounter;
}

export interface GuardEvent {
  epoch: number;
  action: 'rollback' | 'stop' | 'kept-best';
  reason: string;
  probe_pgd_accuracy: number;
  best_epoch: number;
  best_probe_pgd_accuracy: number;
}

export interface HistoryEntry {
  epoch: number;
  mean_loss: number;
  seconds: number;
  images_per_second: number;
  learning_rate_scale: number;
  probe_pgd_accuracy: number | null;
  probe_seconds: number;
}

/** The state a checkpoint carries besides the tensors. */
interface JobState {
  format: 'tfjs-adversarial/checkpoint@1';
  settingsKey: string;
  epochsDone: number;
  stopped: boolean;
  learningRateScale: number;
  rollbacks: number;
  best: { epoch: number; probe: number } | null;
  lastProbe: number | null;
  events: GuardEvent[];
  history: HistoryEntry[];
  stepTraffic: TrafficCounts & { steps: number };
}

export { REPORT_SCHEMA };

/** Attack parameters and results as report.json writes them. */
export interface ReportEvaluation {
  attack: 'clean' | 'fgsm' | 'pgd';
  epsilon: number | null;
  steps: number | null;
  step_size: number | null;
  random_start: boolean | null;
  restarts: number | null;
  seed: number | null;
  accuracy: number;
  correct: number;
  examples: number;
  seconds: number;
}

export interface TrainReport {
  schema: typeof REPORT_SCHEMA;
  command: 'train';
  created: string;
  runtime: JobEnvironment['runtime'] & { tfjs_core: string; backend: string };
  adapter: AdapterSummary;
  data: PreparedData['description'];
  settings: {
    trainer: TrainerKind;
    epsilon: number;
    epochs: number;
    batch_size: number;
    learning_rate: number;
    schedule: string;
    epsilon_warmup_epochs: number;
    seed: number;
    optimizer: string;
    clean_weight: number | null;
    train_pgd_steps: number | null;
    train_pgd_step_size: number | null;
    fgsm_rs_step_size: number | null;
  };
  metrics: { clean_accuracy: number; fgsm_accuracy: number; pgd_accuracy: number };
  evaluation: ReportEvaluation[];
  guard: {
    mode: GuardMode;
    drop: number;
    probe_examples: number;
    probe_attack: { attack: 'pgd'; epsilon: number; steps: number; step_size: number; random_start: true; restarts: 1; seed: number };
    events: GuardEvent[];
    best_epoch: number | null;
    best_probe_pgd_accuracy: number | null;
    kept_epoch: number | null;
    stopped_early: boolean;
  };
  history: HistoryEntry[];
  model: { architecture: string; parameters: number; files: string[] };
  throughput: { train_images_per_second: number; train_seconds: number; probe_seconds: number; eval_seconds: number; total_seconds: number };
  transfer: {
    steps_counted: number;
    upload_bytes_per_step: number;
    uniform_bytes_per_step: number;
    download_bytes_per_step: number;
    largest_upload_bytes: number;
    image_bytes_per_step: number;
    image_bytes: number;
    note: string;
  };
  resumed_from_epoch: number | null;
}

/** What the guard makes of a probe: a new best, nothing, or a collapse answered by rollback or stop. */
export type GuardVerdict = 'best' | 'none' | 'rollback' | 'stop';

/**
 * The guard's rule. A probe above the best so far is the new best; one more than `drop` below it is a
 * collapse: `rollback` rolls back (at most MAX_ROLLBACKS times, and not after the last epoch, where it
 * stops instead), `stop` stops, `off` does nothing.
 *
 * @example
 * judgeProbe('rollback', 0.1, { best: { epoch: 4, probe: 0.7 }, rollbacks: 0 }, 9, 0.45, 15); // 'rollback'
 */
export function judgeProbe(mode: GuardMode, drop: number, state: { best: { epoch: number; probe: number } | null; rollbacks: number }, epoch: number, probe: number, epochs: number): GuardVerdict {
  if (!state.best || probe > state.best.probe) return 'best';
  if (mode === 'off' || state.best.probe - probe <= drop) return 'none';
  return mode === 'rollback' && state.rollbacks < MAX_ROLLBACKS && epoch < epochs ? 'rollback' : 'stop';
}

const tfjsVersion = (): string => tf.version_core;

function checkSettings(s: TrainJobSettings): void {
  const op = 'runTrainJob';
  const int = (name: keyof TrainJobSettings, min: number, max: number) => {
    const v = s[name] as number;
    if (!Number.isInteger(v) || v < min || v > max) throw new AdversarialArgumentError(op, `settings.${name}`, `must be an integer in [${min}, ${max}], got ${v}`);
  };
  const num = (name: keyof TrainJobSettings, min: number, max: number, openMin = false) => {
    const v = s[name] as number;
    if (typeof v !== 'number' || !Number.isFinite(v) || v > max || (openMin ? v <= min : v < min)) throw new AdversarialArgumentError(op, `settings.${name}`, `must be a number in ${openMin ? '(' : '['}${min}, ${max}], got ${v}`);
  };
  if (!TRAINERS.includes(s.trainer)) throw new AdversarialArgumentError(op, 'settings.trainer', `must be one of ${TRAINERS.join(', ')}, got ${s.trainer}`);
  if (!GUARD_MODES.includes(s.guard)) throw new AdversarialArgumentError(op, 'settings.guard', `must be one of ${GUARD_MODES.join(', ')}, got ${s.guard}`);
  if (s.schedule !== 'constant' && s.schedule !== 'cyclic') throw new AdversarialArgumentError(op, 'settings.schedule', `must be constant or cyclic, got ${s.schedule}`);
  num('epsilon', 0, 1);
  int('epochs', 1, 1000);
  int('batchSize', 1, 4096);
  num('learningRate', 0, 1, true);
  num('epsilonWarmupEpochs', 0, 1000);
  int('seed', 0, 2 ** 32 - 1);
  num('cleanWeight', 0, 1);
  int('trainPgdSteps', 1, 1000);
  int('evalPgdSteps', 1, 1000);
  int('evalPgdRestarts', 1, 100);
  int('attackSeed', 0, 2 ** 32 - 1);
  num('guardDrop', 0, 1, true);
  int('probeSteps', 1, 1000);
}

/** The evaluation attacks of a job: clean, FGSM and PGD at `epsilon`. */
export function jobAttacks(s: Pick<TrainJobSettings, 'evalPgdSteps' | 'evalPgdRestarts' | 'attackSeed'>, epsilon: number): EvaluationAttack[] {
  return [
    { kind: 'clean' },
    { kind: 'fgsm', epsilon },
    { kind: 'pgd', epsilon, steps: s.evalPgdSteps, stepSize: (2.5 * epsilon) / s.evalPgdSteps, restarts: s.evalPgdRestarts, seed: s.attackSeed },
  ];
}

/** Evaluates under `attacks` with progress; results in the report's form. */
export async function evaluateForReport(model: Classifier, data: PreparedData, attacks: EvaluationAttack[], io: JobIO, label: string): Promise<ReportEvaluation[]> {
  const out: ReportEvaluation[] = [];
  for (const attack of attacks) {
    const start = performance.now();
    const name = attack.kind === 'pgd' ? `PGD-${attack.steps}` : attack.kind === 'fgsm' ? 'FGSM' : 'clean';
    const [r] = await evaluateModel(model, data.dataset, data.test, [attack], {
      batchSize: EVAL_BATCH,
      onProgress: (done, total) => io.progress?.({ phase: 'eval', label: `${label} ${name}`, done, total, etaSeconds: ((total - done) * (performance.now() - start)) / 1000 / done }),
    });
    out.push(toReportEvaluation(r, (performance.now() - start) / 1000));
  }
  return out;
}

export function toReportEvaluation(r: EvaluationResult, seconds: number): ReportEvaluation {
  const a = r.attack;
  return {
    attack: a.kind,
    epsilon: a.kind === 'clean' ? null : (a.epsilon ?? 0.1),
    steps: a.kind === 'pgd' ? (a.steps ?? 20) : a.kind === 'fgsm' ? 1 : null,
    step_size: a.kind === 'pgd' ? (a.stepSize ?? (2.5 * (a.epsilon ?? 0.1)) / (a.steps ?? 20)) : a.kind === 'fgsm' ? (a.epsilon ?? 0.1) : null,
    random_start: a.kind === 'pgd' ? true : a.kind === 'fgsm' ? false : null,
    restarts: a.kind === 'pgd' ? (a.restarts ?? 1) : null,
    seed: a.kind === 'pgd' ? (a.seed ?? 0) : null,
    accuracy: r.accuracy,
    correct: r.correct,
    examples: r.examples,
    seconds,
  };
}

function settingsKey(s: TrainJobSettings, data: PreparedData): string {
  return JSON.stringify({ settings: s, data: data.description });
}

/** What differs between two settings keys, as `name: old -> new` (data fields prefixed `data`). */
function settingsDifferences(was: string, now: string): string[] {
  type Key = { settings: Record<string, unknown>; data: Record<string, unknown> };
  const [a, b] = [JSON.parse(was) as Key, JSON.parse(now) as Key];
  const changed = (x: Record<string, unknown>, y: Record<string, unknown>, label: string) =>
    Object.keys(y)
      .filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k]))
      .map((k) => `${label}${k}: ${JSON.stringify(x[k])} -> ${JSON.stringify(y[k])}`);
  return [...changed(a.settings, b.settings, ''), ...changed(a.data, b.data, 'data ')];
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

/**
 * Trains the seed CNN as `settings` say, on `data.train`, with the guard probing `data.probe` each epoch,
 * writing `checkpoints/last.ckpt` (and `best.ckpt`) under `prefix` after every epoch; with `resume`,
 * continues from `last.ckpt`.
 */
export async function trainJobModel(settings: TrainJobSettings, data: PreparedData, io: JobIO, env: JobEnvironment, options: { resume?: boolean; prefix?: string } = {}): Promise<TrainedModel> {
  checkSettings(settings);
  const prefix = options.prefix ?? '';
  const lastPath = `${prefix}checkpoints/last.ckpt`;
  const bestPath = `${prefix}checkpoints/best.ckpt`;
  const model = seedCnn({ seed: settings.seed, inputShape: data.imageShape, numClasses: data.numClasses });
  const optimizer = engineAdam(settings.learningRate);
  const key = settingsKey(settings, data);
  const guardActive = settings.guard !== 'off' && settings.trainer !== 'clean' && data.probe.length > 0;
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
    stepTraffic: { uploadBytes: 0, uniformBytes: 0, downloadBytes: 0, largestUploadBytes: 0, steps: 0 },
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
    await restoreTrainingState(checkpoint.tensors, model.variables, optimizer, lastPath);
    state = checkpoint.meta;
    resumedFromEpoch = state.epochsDone;
    const best = state.best ? await io.readFile(bestPath) : null;
    bestTensors = best ? decodeCheckpoint(best, bestPath).tensors : null;
    io.log(`resuming from ${lastPath}: ${state.epochsDone} of ${settings.epochs} epochs done${state.stopped ? ' (the guard had stopped training)' : ''}`);
  }

  let probeSeconds = state.history.reduce((a, h) => a + h.probe_seconds, 0);
  const probeAttack: EvaluationAttack = { kind: 'pgd', epsilon: settings.epsilon, steps: settings.probeSteps, stepSize: (2.5 * settings.epsilon) / settings.probeSteps, restarts: 1, seed: settings.attackSeed };
  const probe = async (epoch: number): Promise<{ accuracy: number; seconds: number } | null> => {
    if (data.probe.length === 0) return null;
    const start = performance.now();
    const [r] = await evaluateModel(model, data.dataset, data.probe, [probeAttack], {
      batchSize: EVAL_BATCH,
      onProgress: (done, total) => io.progress?.({ phase: 'probe', label: `epoch ${epoch + 1} probe PGD-${settings.probeSteps}`, done, total }),
    });
    return { accuracy: r.accuracy, seconds: (performance.now() - start) / 1000 };
  };
  const writeCheckpoint = async (path: string, tensors: CheckpointTensor[]) => io.writeFile(path, encodeCheckpoint({ meta: state, tensors }));

  const onEpochEnd = async (record: EpochRecord): Promise<EpochDecision> => {
    const decision: EpochDecision = {};
    const measured = await probe(record.epoch);
    const entry: HistoryEntry = {
      epoch: record.epoch + 1,
      mean_loss: record.meanLoss,
      seconds: record.seconds,
      images_per_second: record.imagesPerSecond,
      learning_rate_scale: record.learningRateScale,
      probe_pgd_accuracy: measured?.accuracy ?? null,
      probe_seconds: measured?.seconds ?? 0,
    };
    probeSeconds += entry.probe_seconds;
    state.history.push(entry);
    if (record.stepTraffic) {
      state.stepTraffic.uploadBytes += record.stepTraffic.uploadBytes;
      state.stepTraffic.uniformBytes += record.stepTraffic.uniformBytes;
      state.stepTraffic.downloadBytes += record.stepTraffic.downloadBytes;
      state.stepTraffic.largestUploadBytes = Math.max(state.stepTraffic.largestUploadBytes, record.stepTraffic.largestUploadBytes);
      state.stepTraffic.steps += record.steps;
    }
    let current = await captureTrainingState(model.variables, optimizer);
    let improved = false;
    if (measured) {
      state.lastProbe = measured.accuracy;
      const verdict = judgeProbe(guardActive ? settings.guard : 'off', settings.guardDrop, state, record.epoch + 1, measured.accuracy, settings.epochs);
      if (verdict === 'best') {
        state.best = { epoch: record.epoch + 1, probe: measured.accuracy };
        bestTensors = current;
        improved = true;
      } else if ((verdict === 'rollback' || verdict === 'stop') && state.best && bestTensors) {
        const drop = `probe PGD-${settings.probeSteps} accuracy ${pct(measured.accuracy)} fell ${pct(state.best.probe - measured.accuracy)} below the best, ${pct(state.best.probe)} after epoch ${state.best.epoch} (threshold ${pct(settings.guardDrop)}): catastrophic overfitting`;
        const rollback = verdict === 'rollback';
        await restoreTrainingState(bestTensors, model.variables, optimizer, bestPath);
        current = bestTensors;
        state.lastProbe = state.best.probe;
        if (rollback) {
          state.rollbacks++;
          state.learningRateScale = record.learningRateScale / 2;
          decision.learningRateScale = state.learningRateScale;
        } else {
          state.stopped = true;
          decision.stop = true;
        }
        const action = rollback ? 'rollback' : 'stop';
        const what = rollback
          ? `rolled back to epoch ${state.best.epoch}'s weights and optimizer state; the learning rate is halved for the epochs left`
          : `stopped training and kept epoch ${state.best.epoch}'s weights${settings.guard === 'rollback' ? ` (${state.rollbacks >= MAX_ROLLBACKS ? `after ${MAX_ROLLBACKS} rollbacks` : 'no epochs left'})` : ''}`;
        state.events.push({ epoch: record.epoch + 1, action, reason: `${drop}; ${what}`, probe_pgd_accuracy: measured.accuracy, best_epoch: state.best.epoch, best_probe_pgd_accuracy: state.best.probe });
        io.log(`guard after epoch ${record.epoch + 1}: ${drop}; ${what}`);
      }
    }
    state.epochsDone = record.epoch + 1;
    if (improved) await writeCheckpoint(bestPath, current);
    await writeCheckpoint(lastPath, current);
    io.log(
      `epoch ${record.epoch + 1}/${settings.epochs}: loss ${record.meanLoss.toFixed(4)}, ${record.imagesPerSecond.toFixed(0)} images/s` +
        (measured ? `, probe PGD-${settings.probeSteps} ${pct(measured.accuracy)} (${data.probe.length} held-back examples)` : ''),
    );
    return decision;
  };

  // Set-up: the initial weights go to the GPU now, not inside the first counted step.
  uploadNow(model.variables);
  if (!state.stopped && state.epochsDone < settings.epochs) {
    await trainModel(model, optimizer, data.dataset, data.train, {
      trainer: settings.trainer,
      epsilon: settings.epsilon,
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      learningRate: settings.learningRate,
      seed: settings.seed,
      cleanWeight: settings.cleanWeight,
      pgdSteps: settings.trainPgdSteps,
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
      onEpochEnd,
    });
  }
  let keptEpoch: number | null = state.history.length > 0 ? state.history[state.history.length - 1].epoch : null;
  if (state.events.length > 0 && state.best) keptEpoch = state.best.epoch;
  if (guardActive && state.best && state.lastProbe !== null && state.best.probe - state.lastProbe > KEEP_BEST_MARGIN && bestTensors) {
    await restoreTrainingState(bestTensors, model.variables, undefined, bestPath);
    const reason = `the last probe, ${pct(state.lastProbe)}, is ${pct(state.best.probe - state.lastProbe)} below the best, ${pct(state.best.probe)} after epoch ${state.best.epoch} (margin ${pct(KEEP_BEST_MARGIN)}): kept epoch ${state.best.epoch}'s weights`;
    state.events.push({ epoch: state.epochsDone, action: 'kept-best', reason, probe_pgd_accuracy: state.lastProbe, best_epoch: state.best.epoch, best_probe_pgd_accuracy: state.best.probe });
    state.lastProbe = state.best.probe;
    keptEpoch = state.best.epoch;
    io.log(`guard at the end: ${reason}`);
  }
  optimizer.dispose();
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

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

/** Writes `model/model.json` and `model/weights.bin` (tfjs Layers format) under `prefix`. */
export async function saveJobModel(model: Classifier, io: JobIO, prefix = ''): Promise<string[]> {
  const layers = seedCnnToLayersModel(model);
  const files: string[] = [];
  try {
    await saveLayersModelFiles(layers, async (name, bytes) => {
      files.push(`${prefix}model/${name}`);
      await io.writeFile(`${prefix}model/${name}`, bytes);
    });
  } finally {
    layers.dispose();
  }
  return files;
}

/**
 * The main job: trains, saves the model, evaluates clean / FGSM / PGD on the test part and writes
 * `report.json`; returns the report.
 *
 * @example
 * const data = prepareJobData(await embeddedImageSet(), undefined, { probeExamples: DEFAULT_PROBE_EXAMPLES });
 * const report = await runTrainJob(DEFAULT_TRAIN_SETTINGS, data, nodeJobIO('out'), { runtime, adapter });
 * console.log(report.metrics.pgd_accuracy);
 */
export async function runTrainJob(settings: TrainJobSettings, data: PreparedData, io: JobIO, env: JobEnvironment, options: { resume?: boolean } = {}): Promise<TrainReport> {
  const start = performance.now();
  const trained = await trainJobModel(settings, data, io, env, options);
  const { model } = trained;
  try {
    const files = await saveJobModel(model, io);
    io.log(`saved the model: ${files.join(', ')}`);
    const evalStart = performance.now();
    const evaluation = await evaluateForReport(model, data, jobAttacks(settings, settings.epsilon), io, 'test');
    const evalSeconds = (performance.now() - evalStart) / 1000;
    const trafficSteps = trained.stepTraffic.steps;
    const perStep = (bytes: number) => (trafficSteps > 0 ? bytes / trafficSteps : 0);
    const imageBytes = data.imageShape[0] * data.imageShape[1] * data.imageShape[2];
    const uploadPerStep = perStep(trained.stepTraffic.uploadBytes);
    const report: TrainReport = {
      schema: REPORT_SCHEMA,
      command: 'train',
      created: new Date().toISOString(),
      runtime: { ...env.runtime, tfjs_core: tfjsVersion(), backend: tf.getBackend() },
      adapter: env.adapter,
      data: data.description,
      settings: {
        trainer: settings.trainer,
        epsilon: settings.epsilon,
        epochs: settings.epochs,
        batch_size: settings.batchSize,
        learning_rate: settings.learningRate,
        schedule: settings.schedule,
        epsilon_warmup_epochs: settings.epsilonWarmupEpochs,
        seed: settings.seed,
        optimizer: 'adam (beta1 0.9, beta2 0.999), fused engine step',
        clean_weight: settings.trainer === 'fgsm' ? settings.cleanWeight : null,
        train_pgd_steps: settings.trainer === 'pgd' ? settings.trainPgdSteps : null,
        train_pgd_step_size: settings.trainer === 'pgd' ? settings.epsilon / 4 : null,
        fgsm_rs_step_size: settings.trainer === 'fgsm-rs' ? 1.25 * settings.epsilon : null,
      },
      metrics: {
        clean_accuracy: evaluation[0].accuracy,
        fgsm_accuracy: evaluation[1].accuracy,
        pgd_accuracy: evaluation[2].accuracy,
      },
      evaluation,
      guard: {
        mode: settings.trainer === 'clean' ? 'off' : settings.guard,
        drop: settings.guardDrop,
        probe_examples: data.probe.length,
        probe_attack: { attack: 'pgd', epsilon: settings.epsilon, steps: settings.probeSteps, step_size: (2.5 * settings.epsilon) / settings.probeSteps, random_start: true, restarts: 1, seed: settings.attackSeed },
        events: trained.events,
        best_epoch: trained.best?.epoch ?? null,
        best_probe_pgd_accuracy: trained.best?.probe ?? null,
        kept_epoch: trained.keptEpoch,
        stopped_early: trained.stoppedEarly,
      },
      history: trained.history,
      model: {
        architecture: 'seed-cnn: Conv2D 32 3x3 ReLU, MaxPool 2, Flatten, Dense 128 ReLU, Dense (logits)',
        parameters: model.variables.reduce((a, v) => a + v.size, 0),
        files,
      },
      throughput: {
        train_images_per_second: trained.history.length > 0 ? (trained.history.length * Math.floor(data.train.length / settings.batchSize) * settings.batchSize) / trained.history.reduce((a, h) => a + h.seconds, 0) : 0,
        train_seconds: trained.trainSeconds,
        probe_seconds: trained.probeSeconds,
        eval_seconds: evalSeconds,
        total_seconds: (performance.now() - start) / 1000,
      },
      transfer: {
        steps_counted: trafficSteps,
        upload_bytes_per_step: uploadPerStep,
        uniform_bytes_per_step: perStep(trained.stepTraffic.uniformBytes),
        download_bytes_per_step: perStep(trained.stepTraffic.downloadBytes),
        largest_upload_bytes: trained.stepTraffic.largestUploadBytes,
        // No single upload of a step as large as one image (as bytes): none can hold image data.
        image_bytes_per_step: trained.stepTraffic.largestUploadBytes < imageBytes ? 0 : uploadPerStep,
        image_bytes: imageBytes,
        note: 'counted at the WebGPU API over the training steps after set-up (not the per-epoch shuffled order, the progress and epoch-end read-backs, probes or evaluation); upload = storage-buffer writes and mapped uploads, uniform = kernel parameters; image_bytes_per_step is 0 when no single upload during the steps is as large as one image (image_bytes, one byte a pixel), else all upload bytes per step',
      },
      resumed_from_epoch: trained.resumedFromEpoch,
    };
    await io.writeFile('report.json', new TextEncoder().encode(`${JSON.stringify(report, null, 2)}\n`));
    return report;
  } finally {
    tf.dispose(model.variables);
  }
}
