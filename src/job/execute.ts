// One job from a checked request (made by the command line's flags), the same in Node and in a page:
// the data prepared and uploaded, then `train`, `eval` or `sweep`, and a summary table for the terminal.
import * as tf from '@tensorflow/tfjs-core';
import { classifierFromLayersModel, loadLayersModelFiles } from '../models/layers_format';
import { pct } from '../report/specs';
import { prepareJobData, type ImageSet } from './data';
import { runEvalJob, runSweep, type EvalReport, type SweepReport } from './eval_job';
import { runTrainJob, type JobEnvironment, type JobIO, type TrainJobSettings, type TrainReport } from './train_job';

export type Command = 'train' | 'eval' | 'sweep';

/** What a job needs, checked; plain data, so that it can cross into a page. */
export interface JobRequest {
  command: Command;
  settings: TrainJobSettings;
  probeExamples: number;
  limitTrain?: number;
  limitTest?: number;
  trainEpsilons: number[];
  evalEpsilons: number[];
  files: { trainImages?: string; trainLabels?: string; testImages?: string; testLabels?: string; model?: string };
  /** The output folder (absolute). */
  out: string;
  /** eval writes report.json only when an output folder was named. */
  writeEvalReport: boolean;
  resume: boolean;
  runtime: 'node' | 'chrome';
}

export interface JobOutcome {
  report: TrainReport | EvalReport | SweepReport;
  summary: string[];
}

/** A difference in points with its sign (+, - or +- when it rounds to zero). */
const signed = (v: number) => (Math.round(1000 * Math.abs(v)) === 0 ? '+-0.0%' : `${v > 0 ? '+' : '-'}${pct(Math.abs(v))}`);

/**
 * Runs `request` on the given image sets (`test` absent: a split of `train`, or for eval the test part of it).
 *
 * @example
 * const { report, summary } = await executeJob(request, { train: digits }, io, env);
 */
export async function executeJob(request: JobRequest, sets: { train?: ImageSet; test?: ImageSet }, io: JobIO, env: JobEnvironment): Promise<JobOutcome> {
  const s = request.settings;
  if (request.command === 'eval') {
    const layers = await loadLayersModelFiles(request.files.model!, async (path) => {
      const bytes = await io.readFile(path);
      if (!bytes) throw new Error(`${path}: no such file`);
      return bytes;
    });
    const model = classifierFromLayersModel(layers);
    const base = sets.test ?? sets.train!;
    const data = prepareJobData(base, undefined, { allTest: sets.test !== undefined, limitTest: request.limitTest, numClasses: model.numClasses });
    try {
      io.log(`model ${request.files.model}: ${model.architecture ?? 'tfjs LayersModel'}, ${model.numClasses} classes; ${data.test.length} test examples (${data.description.test_source})`);
      const report = await runEvalJob(model, request.files.model!, data, s, io, env, request.writeEvalReport);
      const summary = [
        `eval of ${request.files.model} on ${report.data.test_examples} test examples, eps ${s.epsilon}, ${report.throughput.eval_seconds.toFixed(0)} s (${env.runtime.name}, ${env.adapter.description || env.adapter.vendor})`,
        ...accuracyTable([{ name: 'model', metrics: report.metrics }], s.evalPgdSteps),
      ];
      return { report, summary };
    } finally {
      data.dataset.dispose();
      // The seed CNN comes back with its own variables; a wrapped model's are the layers model's.
      if (model.architecture === 'seed-cnn') tf.dispose(model.variables);
      layers.dispose();
    }
  }
  const data = prepareJobData(sets.train!, sets.test, { limitTrain: request.limitTrain, limitTest: request.limitTest, probeExamples: request.probeExamples });
  try {
    const d = data.description;
    io.log(`data: ${d.train_examples} training examples, ${d.probe_examples} held back for the guard's probe, ${d.test_examples} test examples (${d.train_source}; ${d.split})`);
    if (request.command === 'train') {
      const report = await runTrainJob(s, data, io, env, { resume: request.resume });
      const summary = [
        `seed CNN, ${s.trainer}, ${report.history.length} epochs${report.guard.kept_epoch !== null && report.guard.kept_epoch !== report.history.length ? ` (kept epoch ${report.guard.kept_epoch})` : ''}, eps ${s.epsilon}, ${d.test_examples} held-out examples, ${report.throughput.total_seconds.toFixed(0)} s (${env.runtime.name}, ${env.adapter.description || env.adapter.vendor})`,
        ...accuracyTable([{ name: s.trainer, metrics: report.metrics }], s.evalPgdSteps),
        ...report.guard.events.map((e) => `guard: ${e.action} after epoch ${e.epoch}: ${e.reason}`),
        `training ${report.throughput.train_images_per_second.toFixed(0)} images/s; uploads per step ${report.transfer.upload_bytes_per_step.toFixed(0)} B (image bytes ${report.transfer.image_bytes_per_step}), uniforms ${report.transfer.uniform_bytes_per_step.toFixed(0)} B, reads ${report.transfer.download_bytes_per_step.toFixed(0)} B`,
        `wrote ${request.out}/report.json, ${request.out}/model/model.json (+ weights.bin), ${request.out}/checkpoints/`,
      ];
      return { report, summary };
    }
    const report = await runSweep(s, request.trainEpsilons, request.evalEpsilons, data, io, env, { resume: request.resume });
    const head = `train eps  trainer   clean  ${request.evalEpsilons.map((e) => `FGSM@${e}`.padStart(9)).join('')}${request.evalEpsilons.map((e) => `PGD@${e}`.padStart(9)).join('')}`;
    const summary = [
      `sweep: seed CNN, ${s.epochs} epochs each, PGD-${s.evalPgdSteps}, ${d.test_examples} held-out examples (${env.runtime.name})`,
      head,
      ...report.rows.map((r) => `${String(r.train_epsilon).padEnd(11)}${r.trainer.padEnd(8)}${pct(r.clean_accuracy).padStart(7)}  ${request.evalEpsilons.map((e) => pct(r.fgsm_accuracy[String(e)]).padStart(9)).join('')}${request.evalEpsilons.map((e) => pct(r.pgd_accuracy[String(e)]).padStart(9)).join('')}`),
      ...report.trade_off.map((t) => `eps ${t.train_epsilon}: clean accuracy ${signed(-t.clean_accuracy_cost)}, PGD accuracy ${signed(t.pgd_accuracy_gain)} against eps 0`),
      `wrote ${request.out}/sweep.json and a model per training epsilon (eps-<e>/model/)`,
    ];
    return { report, summary };
  } finally {
    data.dataset.dispose();
  }
}

function accuracyTable(rows: { name: string; metrics: { clean_accuracy: number; fgsm_accuracy: number; pgd_accuracy: number } }[], pgdSteps: number): string[] {
  return [
    `${'model'.padEnd(10)}${'clean'.padStart(9)}${'FGSM'.padStart(9)}${`PGD-${pgdSteps}`.padStart(9)}`,
    ...rows.map((r) => `${r.name.padEnd(10)}${pct(r.metrics.clean_accuracy).padStart(9)}${pct(r.metrics.fgsm_accuracy).padStart(9)}${pct(r.metrics.pgd_accuracy).padStart(9)}`),
  ];
}
