// `train`: the trained model saved in the tfjs Layers format, evaluated under the job's attacks on the
// test part, and report.json written (schema in report/schema.ts).
import * as tf from '@tensorflow/tfjs-core';
import { engineKernelCountsSince, snapshotEngineKernelCounts } from '../engine/policy';
import { getTrainer, resolveTrainerById } from '../trainers/index';
import { REPORT_SCHEMA, type TrainReport } from '../report/schema';
import type { PreparedData } from './data';
import { DEFAULT_JOB_EVALUATION, evaluateJob, metricsOf } from './evaluation';
import { modelNotes } from './eval_job';
import type { JobEnvironment, JobIO } from './io';
import { watchMemory } from './memory';
import { SETTINGS, trainerParamsOf, type TrainJobSettings } from './settings';
import { saveJobModel, trainJobModel, type TrainJobOptions } from './train_job';

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** report.settings: the table's reported rows, the optimizer, and what the trainer adds at the job's eps. */
export function reportSettings(settings: TrainJobSettings): TrainReport['settings'] {
  const rows = Object.fromEntries(SETTINGS.filter((r) => r.report).map((r) => [snake(r.key), (settings as unknown as Record<string, number | string>)[r.key]]));
  const trainer = resolveTrainerById(settings.trainer, trainerParamsOf(settings, settings.trainer));
  return {
    ...(rows as TrainReport['settings']),
    optimizer: 'adam (beta1 0.9, beta2 0.999), fused engine step',
    trainer_params: JSON.stringify(trainer.params),
    ...(trainer.definition.reportSettings?.(trainer.params, settings.epsilon) ?? {}),
  };
}

/**
 * The main job: trains, saves the model, evaluates clean and under the job's attacks on the test part,
 * writes `report.json`; returns the report.
 *
 * @example
 * const data = prepareJobData(await embeddedImageSet(), undefined, { probeExamples: DEFAULT_PROBE_EXAMPLES });
 * const report = await runTrainJob(DEFAULT_TRAIN_SETTINGS, data, nodeJobIO('out'), { runtime, adapter });
 * console.log(report.metrics.pgd_accuracy);
 */
export async function runTrainJob(settings: TrainJobSettings, data: PreparedData, given: JobIO, env: JobEnvironment, options: TrainJobOptions = {}): Promise<TrainReport> {
  const start = performance.now();
  const memory = watchMemory();
  const io = memory.watch(given);
  const kernelsBefore = snapshotEngineKernelCounts();
  const trained = await trainJobModel(settings, data, io, env, options);
  const engineKernels = engineKernelCountsSince(kernelsBefore);
  const { model } = trained;
  try {
    const files = await saveJobModel(model, io);
    io.log(`saved the model: ${files.join(', ')}`);
    const evalStart = performance.now();
    const { evaluation, audit, modelFingerprint, outcomes } = await evaluateJob(model, data, settings, options.evaluation ?? DEFAULT_JOB_EVALUATION, io, 'test', { stateFile: `${options.prefix ?? ''}eval-state.json`, resume: options.resume === true });
    const evalSeconds = (performance.now() - evalStart) / 1000;
    const trafficSteps = trained.stepTraffic.steps;
    const perStep = (bytes: number) => (trafficSteps > 0 ? bytes / trafficSteps : 0);
    const imageBytes = data.imageShape[0] * data.imageShape[1] * data.imageShape[2];
    const uploadPerStep = perStep(trained.stepTraffic.uploadBytes);
    const report: TrainReport = {
      schema: REPORT_SCHEMA,
      command: 'train',
      created: new Date().toISOString(),
      runtime: { ...env.runtime, tfjs_core: tf.version_core, backend: tf.getBackend() },
      adapter: env.adapter,
      data: data.description,
      settings: reportSettings(settings),
      metrics: metricsOf(evaluation),
      evaluation,
      guard: {
        mode: getTrainer(settings.trainer).adversarial ? settings.guard : 'off',
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
        architecture: model.architecture ?? 'layers-model',
        description: model.description ?? '',
        source: options.model ? (options.modelSource ?? 'given model') : null,
        parameters: model.variables.reduce((a, v) => a + v.size, 0),
        files,
        ...modelNotes(model),
        fingerprint: modelFingerprint,
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
        dispatches_per_step: perStep(trained.stepTraffic.dispatches),
        submits_per_step: perStep(trained.stepTraffic.submits),
        // No single upload of a step as large as one image (as bytes): none can hold image data.
        image_bytes_per_step: trained.stepTraffic.largestUploadBytes < imageBytes ? 0 : uploadPerStep,
        image_bytes: imageBytes,
        note: 'counted at the WebGPU API over the training steps after set-up (not the per-epoch shuffled order, the progress and epoch-end read-backs, probes or evaluation); upload = storage-buffer writes and mapped uploads, uniform = kernel parameters; dispatches and submits = compute dispatches and queue submits; image_bytes_per_step is 0 when no single upload during the steps is as large as one image (image_bytes, one byte a pixel), else all upload bytes per step',
      },
      engine_kernels: engineKernels,
      resumed_from_epoch: trained.resumedFromEpoch,
      memory: memory.read(),
      ...(audit ? { audit } : {}),
      outcomes,
    };
    await io.writeFile('report.json', new TextEncoder().encode(`${JSON.stringify(report, null, 2)}\n`));
    return report;
  } finally {
    if (!options.model) model.dispose();
  }
}
