// One job from a checked request (made by the command line's flags), the same in Node and in a page:
// the data prepared and uploaded, the model built or loaded, then `train`, `eval` or `sweep`, and a
// summary table for the terminal.
import { modelJsonFormat } from '../models/model_files';
import type { EvalReport, ReportEvaluation, SweepReport, TrainReport } from '../report/schema';
import { prepareJobData, type ImageSet } from './data';
import { dataFingerprint } from './fingerprint';
import { checkModelFitsData, runEvalJob, runSweep } from './eval_job';
import { memoryLines, pct } from '../report/format';
import { auditLines, compositeLines, curveTable } from '../report/robustness';
import type { JobEnvironment, JobIO } from './io';
import type { JobEvaluationOptions } from './evaluation';
import { runTrainJob } from './run_train';
import { loadEvalInputs, loadJobModel, checkClassNames, type JobInputs } from './eval_inputs';

export { loadJobModel, checkClassNames, checkModelCoversLabels, type JobInputs } from './eval_inputs';
import { AdversarialArgumentError } from '../core/validate';
import type { Command, TrainJobSettings } from './settings';

export type { Command };

/** What a job needs, checked; plain data, so that it can cross into a page. */
export interface JobRequest {
  command: Command;
  settings: TrainJobSettings;
  probeExamples: number;
  limitTrain?: number;
  limitTest?: number;
  trainEpsilons: number[];
  evalEpsilons: number[];
  /** sweep: the trainer list (`fgsm-rs,trades:beta=6`); absent: the settings' trainer. */
  trainers?: string;
  files: { trainImages?: string; trainLabels?: string; testImages?: string; testLabels?: string; model?: string };
  /** How to read the images and the model beyond their files (--classes, --image-size, --input-range, --normalize, --freeze). */
  inputs?: JobInputs;
  /** The output folder (absolute). */
  out: string;
  /** eval writes report.json only when an output folder was named. */
  writeEvalReport: boolean;
  resume: boolean;
  /** train: save the model after every epoch too (`epochs/<n>/model/`). */
  epochModels?: boolean;
  runtime: 'node' | 'chrome';
  /** The final evaluation's audit, robustness curve and AutoAttack points. */
  evaluation: JobEvaluationOptions;
  /** eval --queue: the checked queue address (redis://...); the batches run on `worker` processes. */
  queue?: string | null;
}

export interface JobOutcome {
  report: TrainReport | EvalReport | SweepReport;
  summary: string[];
}

/** images/s for the summary: two significant digits below 10 (0.41, not 0). */
const rate = (v: number) => (v < 10 ? v.toPrecision(2) : v.toFixed(0));

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
  const where = `${env.runtime.name}, ${env.adapter.description || env.adapter.vendor}`;
  const modelPath = request.files.model;
  if (modelPath && request.command !== 'eval') {
    const bytes = await io.readFile(modelPath);
    if (bytes && modelJsonFormat(bytes) === 'graph-model') {
      throw new AdversarialArgumentError(request.command, 'model', `${modelPath} is a tfjs graph model: tfjs cannot train one (it has no variables); evaluate it with eval, or ${request.command} the Layers model it came from`);
    }
  }
  if (request.command === 'eval') {
    const { model, data, dispose } = await loadEvalInputs(modelPath!, sets, io, { inputs: request.inputs, limitTest: request.limitTest });
    try {
      io.log(`model ${modelPath}: ${model.architecture}, ${model.numClasses} classes${model.head ? ` (${model.head})` : ''}; ${data.test.length} test examples (${data.description.test_source})`);
      const report = await runEvalJob(model, modelPath!, data, s, io, env, request.writeEvalReport, { resume: request.resume, evaluation: request.evaluation });
      const summary = [
        `eval of ${modelPath} on ${report.shard ? `part ${report.shard.index}/${report.shard.count}, points ${report.shard.first}-${report.shard.end - 1} of ${report.shard.total}` : `${report.data.test_examples}`} test examples, eps ${s.epsilon}, ${report.throughput.eval_seconds.toFixed(0)} s (${where})${report.resumed ? ', continued from eval-state.json' : ''}`,
        ...evalSummaryLines(report),
        ...memoryLines(report.memory),
      ];
      return { report, summary };
    } finally {
      dispose();
    }
  }
  const data = prepareJobData(sets.train!, sets.test, { limitTrain: request.limitTrain, limitTest: request.limitTest, probeExamples: request.probeExamples });
  try {
    data.description.fingerprint = await dataFingerprint([sets.train, sets.test]);
    const d = data.description;
    io.log(`data: ${d.train_examples} training examples, ${d.probe_examples} held back for the guard's probe, ${d.test_examples} test examples (${d.train_source}; ${d.split})`);
    const load = async () => {
      const model = await loadJobModel(modelPath!, io, request.inputs);
      try {
        checkClassNames(model, modelPath!, sets.train!, 'train', request.inputs?.classes !== undefined, request.command);
        checkModelFitsData(model, data, 'train');
      } catch (err) {
        model.dispose();
        throw err;
      }
      return model;
    };
    const what = modelPath ? `${modelPath}` : s.arch;
    if (request.command === 'train') {
      const given = modelPath ? await load() : undefined;
      try {
        const report = await runTrainJob(s, data, io, env, { resume: request.resume, model: given, modelSource: modelPath, evaluation: request.evaluation, epochModels: request.epochModels });
        const summary = [
          `${what}, ${s.trainer}, ${report.history.length} epochs${report.guard.kept_epoch !== null && report.guard.kept_epoch !== report.history.length ? ` (kept epoch ${report.guard.kept_epoch})` : ''}, eps ${s.epsilon}, ${d.test_examples} held-out examples, ${report.throughput.total_seconds.toFixed(0)} s (${where})`,
          ...accuracyTable([{ name: s.trainer, evaluation: report.evaluation }]),
          ...compositeLines(report.evaluation),
          ...auditLines(report.audit),
          ...report.guard.events.map((e) => `guard: ${e.action} after epoch ${e.epoch}: ${e.reason}`),
          `training ${rate(report.throughput.train_images_per_second)} images/s; uploads per step ${report.transfer.upload_bytes_per_step.toFixed(0)} B (image bytes ${report.transfer.image_bytes_per_step}), uniforms ${report.transfer.uniform_bytes_per_step.toFixed(0)} B, reads ${report.transfer.download_bytes_per_step.toFixed(0)} B; ${(report.transfer.dispatches_per_step ?? 0).toFixed(0)} dispatches and ${(report.transfer.submits_per_step ?? 0).toFixed(1)} submits per step`,
          ...memoryLines(report.memory),
          ...fallbackLine(report.engine_kernels),
          `wrote ${request.out}/report.json, ${request.out}/model/model.json (+ weights.bin), ${request.out}/checkpoints/${request.epochModels ? `, ${request.out}/epochs/<n>/model/` : ''}`,
        ];
        return { report, summary };
      } finally {
        given?.dispose();
      }
    }
    const report = await runSweep(s, request.trainEpsilons, request.evalEpsilons, data, io, env, { resume: request.resume, model: modelPath ? load : undefined, modelSource: modelPath, compositePoints: request.evaluation.compositePoints, trainers: request.trainers });
    const cols = report.attacks.flatMap((a) => request.evalEpsilons.map((e) => `${a}@${e}`));
    const width = Math.max(8, ...report.rows.map((x) => (x.trainer_label ?? x.trainer).length + 1));
    const summary = [
      `sweep: ${what}, ${s.epochs} epochs each, ${report.attacks.join(', ')}, ${d.test_examples} held-out examples (${env.runtime.name})`,
      `train eps  ${'trainer'.padEnd(width)}  clean  ${cols.map((c) => c.padStart(Math.max(9, c.length + 1))).join('')}`,
      ...report.rows.map((r) => `${String(r.train_epsilon).padEnd(11)}${(r.trainer_label ?? r.trainer).padEnd(width)}${pct(r.clean_accuracy).padStart(7)}  ${report.attacks.flatMap((a) => request.evalEpsilons.map((e) => pct(r.accuracy[a][String(e)]).padStart(Math.max(9, `${a}@${e}`.length + 1)))).join('')}`),
      ...report.trade_off.map((t) => `eps ${t.train_epsilon}${request.trainers ? ` ${t.trainer_label}` : ''}: clean accuracy ${signed(-t.clean_accuracy_cost)}, ${report.trade_off_attack} accuracy ${signed(t.robust_accuracy_gain)} against eps 0`),
      `wrote ${request.out}/sweep.json and a model per training epsilon (${request.trainers ? '<trainer>/eps-<e>/model/' : 'eps-<e>/model/'})`,
    ];
    return { report, summary };
  } finally {
    data.dataset.dispose();
  }
}

/** An eval report's tables for the terminal: accuracies, each composite's chain, the curve, the audit. */
export function evalSummaryLines(report: EvalReport): string[] {
  return [
    ...accuracyTable([{ name: 'model', evaluation: report.evaluation }]),
    ...compositeLines(report.evaluation),
    ...(report.curve ? curveTable(report.curve).rows.map((row) => `curve ${row[0]}: ${row.slice(1).map((v, i) => `eps ${report.curve!.epsilons[i]} ${v}`).join(', ')}`) : []),
    ...auditLines(report.audit),
  ];
}

/** The engine kernels that handed calls to tfjs, when any did: why a model runs slower. */
function fallbackLine(counts: Record<string, { engine: number; fallback: number }>): string[] {
  const fell = Object.entries(counts).filter(([, c]) => c.fallback > 0);
  return fell.length ? [`engine kernels that fell back to tfjs's: ${fell.map(([k, c]) => `${k} ${c.fallback} of ${c.engine + c.fallback} calls`).join(', ')}`] : [];
}

function accuracyTable(rows: { name: string; evaluation: ReportEvaluation[] }[]): string[] {
  const labels = rows[0].evaluation.map((e) => e.label);
  const width = (l: string) => Math.max(9, l.length + 2);
  return [`${'model'.padEnd(10)}${labels.map((l) => l.padStart(width(l))).join('')}`, ...rows.map((r) => `${r.name.padEnd(10)}${r.evaluation.map((e, i) => pct(e.accuracy).padStart(width(labels[i]))).join('')}`)];
}
