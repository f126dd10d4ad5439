// One job from a checked request (made by the command line's flags), the same in Node and in a page:
// the data prepared and uploaded, the model built or loaded, then `train`, `eval` or `sweep`, and a
// summary table for the terminal.
import { withInputScale } from '../models/input_scale';
import { loadClassifierFiles, modelJsonFormat } from '../models/model_files';
import type { Classifier } from '../models/classifier';
import type { EvalReport, ReportEvaluation, SweepReport, TrainReport } from '../report/schema';
import { prepareJobData, type ImageSet } from './data';
import { dataFingerprint } from './fingerprint';
import { checkModelFitsData, runEvalJob, runSweep } from './eval_job';
import { pct } from '../report/format';
import { auditLines, compositeLines, curveTable } from '../report/robustness';
import type { JobEnvironment, JobIO } from './io';
import type { JobEvaluationOptions } from './evaluation';
import { runTrainJob } from './run_train';
import { AdversarialArgumentError } from '../core/validate';
import type { Command, TrainJobSettings } from './settings';

export type { Command };

/** How a job reads its images and its model, beyond the files: plain data, checked by the command line. */
export interface JobInputs {
  /** Image folders: the class folders in label order. */
  classes?: string[];
  /** Image folders: [height, width] to resize to. */
  imageSize?: [number, number];
  /** The input scale the given model expects, folded into it: a range, or per-channel mean and std in [0, 1] pixels. */
  inputScale?: { range: [number, number] } | { mean: number[]; std: number[] };
  /** Fine-tuning: train only from this layer (an index: the first N layers frozen; or a name) on. */
  trainableFrom?: number | string;
}

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
 * The model.json at `path` (a Layers or a graph model) read through `io` as a classifier that owns its
 * model: `inputs`' frozen layers and input scale applied, class names from a metadata.json beside it (Teachable Machine's export).
 */
export async function loadJobModel(path: string, io: JobIO, inputs: JobInputs = {}): Promise<Classifier> {
  const read = async (p: string) => {
    const bytes = await io.readFile(p);
    if (!bytes) throw new Error(`${p}: no such file`);
    return bytes;
  };
  let model: Classifier;
  try {
    model = await loadClassifierFiles(path, read, { trainableFrom: inputs.trainableFrom });
  } catch (err) {
    const e = err as AdversarialArgumentError;
    if (e.name === 'AdversarialArgumentError' && e.argument === 'options.trainableFrom') {
      throw new AdversarialArgumentError('loadJobModel', typeof inputs.trainableFrom === 'number' ? 'freeze' : 'trainableFrom', e.message.replace(/^.*?options\.trainableFrom /, ''));
    }
    throw err;
  }
  try {
    const classNames = await metadataClassNames(path, io, model.numClasses);
    const scaled = inputs.inputScale ? withInputScale(model, inputs.inputScale) : model;
    return classNames ? { ...scaled, classNames } : scaled;
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/** The `labels` of a metadata.json beside `modelPath` (Teachable Machine's export), checked against the model's classes; undefined without one. */
async function metadataClassNames(modelPath: string, io: JobIO, numClasses: number): Promise<string[] | undefined> {
  const metadataPath = `${modelPath.slice(0, Math.max(modelPath.lastIndexOf('/'), modelPath.lastIndexOf('\\')) + 1)}metadata.json`;
  const bytes = await io.readFile(metadataPath);
  if (!bytes) return undefined;
  let labels: unknown;
  try {
    labels = (JSON.parse(new TextDecoder().decode(bytes)) as { labels?: unknown }).labels;
  } catch (err) {
    throw new AdversarialArgumentError('loadJobModel', 'model', `${metadataPath} is not valid JSON (${(err as Error).message})`);
  }
  if (labels === undefined) return undefined;
  if (!Array.isArray(labels) || !labels.every((l) => typeof l === 'string') || labels.length !== numClasses) {
    throw new AdversarialArgumentError('loadJobModel', 'model', `${metadataPath} lists ${Array.isArray(labels) ? labels.length : 'no'} labels, but the model outputs ${numClasses} classes`);
  }
  return labels as string[];
}

/**
 * The model's outputs cover the data's labels (a label `l` needs at least `l + 1` logits), checked before
 * the upload: an AdversarialArgumentError naming `model` (the model, not the labels, is what does not fit).
 */
export function checkModelCoversLabels(model: Classifier, modelPath: string, set: ImageSet, op = 'eval'): void {
  let max = 0;
  let at = 0;
  set.labels.forEach((l, i) => {
    if (l > max) [max, at] = [l, i];
  });
  if (max >= model.numClasses) {
    throw new AdversarialArgumentError(op, 'model', `${modelPath} outputs ${model.numClasses} logits (classes 0..${model.numClasses - 1}), but the data has ${max + 1} classes (label ${max} at example ${at} of ${set.labelSource ?? set.source}): a model for other data?`);
  }
}

/**
 * A data set that names its classes (an image folder, CIFAR-10) has as many as `model` outputs: refused
 * naming `classes` (when the classes were given) or the part's images (`train`, `test`), not the model.
 */
export function checkClassNames(model: Classifier, modelPath: string, set: ImageSet, part: 'train' | 'test', classesGiven: boolean, op = 'eval'): void {
  const names = set.classNames;
  if (!names || names.length === model.numClasses) return;
  const list = names.length > 8 ? `${names.slice(0, 8).join(', ')}, ...` : names.join(', ');
  throw new AdversarialArgumentError(op, classesGiven ? 'classes' : part, `${classesGiven ? 'names' : `${set.source} holds`} ${names.length} classes (${list}), but ${modelPath} outputs ${model.numClasses}: give the model's classes, in its order${classesGiven ? '' : ' (--classes)'}`);
}

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
    const model = await loadJobModel(modelPath!, io, request.inputs);
    try {
      const base = sets.test ?? sets.train!;
      checkClassNames(model, modelPath!, base, sets.test ? 'test' : 'train', request.inputs?.classes !== undefined);
      checkModelCoversLabels(model, modelPath!, base);
      const data = prepareJobData(base, undefined, { allTest: sets.test !== undefined, limitTest: request.limitTest, numClasses: model.numClasses });
      try {
        data.description.fingerprint = await dataFingerprint([base]);
        io.log(`model ${modelPath}: ${model.architecture}, ${model.numClasses} classes${model.head ? ` (${model.head})` : ''}; ${data.test.length} test examples (${data.description.test_source})`);
        const report = await runEvalJob(model, modelPath!, data, s, io, env, request.writeEvalReport, { resume: request.resume, evaluation: request.evaluation });
        const summary = [
          `eval of ${modelPath} on ${report.shard ? `part ${report.shard.index}/${report.shard.count}, points ${report.shard.first}-${report.shard.end - 1} of ${report.shard.total}` : `${report.data.test_examples}`} test examples, eps ${s.epsilon}, ${report.throughput.eval_seconds.toFixed(0)} s (${where})${report.resumed ? ', continued from eval-state.json' : ''}`,
          ...accuracyTable([{ name: 'model', evaluation: report.evaluation }]),
          ...compositeLines(report.evaluation),
          ...(report.curve ? curveTable(report.curve).rows.map((row) => `curve ${row[0]}: ${row.slice(1).map((v, i) => `eps ${report.curve!.epsilons[i]} ${v}`).join(', ')}`) : []),
          ...auditLines(report.audit),
        ];
        return { report, summary };
      } finally {
        data.dataset.dispose();
      }
    } finally {
      model.dispose();
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
