// `eval` and `sweep`: a saved model evaluated on a data set under the job's attacks (the same batches and
// attack seeds as the training job, so its figures come out the same), and the robustness-accuracy
// trade-off: a model trained at several epsilons, each evaluated under each attack at several epsilons.
import * as tf from '@tensorflow/tfjs-core';
import { resolveAttackSpec, type AttackSpec } from '../attacks/index';
import { engineKernelCountsSince, snapshotEngineKernelCounts } from '../engine/policy';
import type { Classifier } from '../models/classifier';
import { parseTrainerList, type TrainerSpec } from '../trainers/index';
import { REPORT_SCHEMA, type EvalReport, type SweepReport, type SweepRow } from '../report/schema';
import { AdversarialArgumentError } from '../core/validate';
import type { PreparedData } from './data';
import { DEFAULT_JOB_EVALUATION, evaluateForReport, evaluateJob, jobAttacks, metricsOf, type EvalSettings, type JobEvaluationOptions } from './evaluation';
import type { JobEnvironment, JobIO } from './io';
import { watchMemory } from './memory';
import { evalReportSettings } from './shards';
import type { TrainJobSettings } from './settings';
import { saveJobModel, trainJobModel } from './train_job';

export type { EvalSettings };

/** report.model's notes on a model: where its logits come from and its class names, where it has them. */
export const modelNotes = (model: Classifier): { head?: string; class_names?: string[] } => ({ ...(model.head ? { head: model.head } : {}), ...(model.classNames ? { class_names: model.classNames } : {}) });

/** `model` fits `data`: its logits are the data's classes and its input the data's images. */
export function checkModelFitsData(model: Classifier, data: Pick<PreparedData, 'numClasses' | 'imageShape'>, op: string): void {
  if (model.numClasses !== data.numClasses) throw new AdversarialArgumentError(op, 'model', `outputs ${model.numClasses} logits but the data set has ${data.numClasses} classes`);
  if (!tf.util.arraysEqual(model.inputShape, data.imageShape)) throw new AdversarialArgumentError(op, 'model', `takes images [${model.inputShape}] but the data set holds [${data.imageShape}]`);
}

/**
 * Evaluates `model` on `data.test`, clean and under the job's attacks at `settings.epsilon`; writes
 * `report.json` through `io` when `write` is true.
 *
 * @example
 * const report = await runEvalJob(model, 'out/model/model.json', data, { ...DEFAULT_TRAIN_SETTINGS, attacks: 'fgsm,pgd:restarts=5' }, io, env);
 */
export async function runEvalJob(model: Classifier, modelPath: string, data: PreparedData, settings: EvalSettings, given: JobIO, env: JobEnvironment, write = true, options: RunEvalOptions = {}): Promise<EvalReport> {
  checkModelFitsData(model, data, 'runEvalJob');
  const start = performance.now();
  const memory = watchMemory();
  const io = memory.watch(given);
  const kernelsBefore = snapshotEngineKernelCounts();
  // The state is saved only where the report is written (the output folder was named).
  const saving = write ? { stateFile: 'eval-state.json', resume: options.resume === true } : undefined;
  const evaluationOptions = options.evaluation ?? DEFAULT_JOB_EVALUATION;
  const { evaluation, audit, curve, resumed, modelFingerprint, outcomes, shard } = await evaluateJob(model, data, settings, evaluationOptions, io, 'eval', saving);
  const report: EvalReport = {
    schema: REPORT_SCHEMA,
    command: 'eval',
    created: new Date().toISOString(),
    model_path: modelPath,
    model: { architecture: model.architecture ?? 'layers-model', description: model.description ?? '', parameters: [...model.variables, ...(model.constants ?? [])].reduce((a, v) => a + v.size, 0), ...modelNotes(model), fingerprint: modelFingerprint },
    runtime: { ...env.runtime, tfjs_core: tf.version_core, backend: tf.getBackend() },
    adapter: env.adapter,
    data: data.description,
    metrics: metricsOf(evaluation),
    evaluation,
    engine_kernels: engineKernelCountsSince(kernelsBefore),
    throughput: { eval_seconds: (performance.now() - start) / 1000 },
    memory: memory.read(),
    resumed,
    ...(audit ? { audit } : {}),
    ...(curve ? { curve } : {}),
    settings: evalReportSettings(settings, evaluationOptions),
    ...(shard ? { shard } : {}),
    outcomes,
  };
  if (write) await io.writeFile('report.json', new TextEncoder().encode(`${JSON.stringify(report, null, 2)}\n`));
  return report;
}

/** Labels of `attacks` for tables, unique: a label that two attacks share (two PGD-20s) gives way to the keys. */
export function attackLabels(attacks: AttackSpec[]): string[] {
  const resolved = attacks.map((a) => resolveAttackSpec(a));
  return resolved.map((r) => (resolved.filter((o) => o.label === r.label).length > 1 ? r.key : r.label));
}

export interface RunEvalOptions {
  /** Continue from the folder's `eval-state.json` (what an interrupted eval saved after its last batch). */
  resume?: boolean;
  /** The audit, the robustness curve, AutoAttack's points (default: audit on 100 points, no curve). */
  evaluation?: JobEvaluationOptions;
}

export interface SweepOptions {
  resume?: boolean;
  /** A fresh copy of the user's model for each training epsilon (fine-tuning); default: `settings.arch` from scratch. */
  model?: () => Promise<Classifier>;
  modelSource?: string;
  /** Composite attacks (AutoAttack) on the first N test points only. */
  compositePoints?: number | null;
  /** Trainers with parameters (`fgsm-rs,trades:beta=6`), each trained at every training eps above 0; default: the settings' trainer. */
  trainers?: string;
}

/**
 * Trains at each of `trainEpsilons` (eps 0: the `clean` trainer) and evaluates each model under each of
 * the job's attacks at each of `evalEpsilons`; writes `sweep.json` and each model under `eps-<e>/`.
 *
 * @example
 * const sweep = await runSweep(settings, [0, 0.05, 0.1], [0.05, 0.1, 0.2], data, io, env);
 */
export async function runSweep(settings: TrainJobSettings, trainEpsilons: number[], evalEpsilons: number[], data: PreparedData, io: JobIO, env: JobEnvironment, options: SweepOptions = {}): Promise<SweepReport> {
  const check = (name: string, list: number[]) => {
    if (!Array.isArray(list) || list.length === 0 || list.some((e) => !Number.isFinite(e) || e < 0 || e > 1)) throw new AdversarialArgumentError('runSweep', name, `must be a non-empty list of numbers in [0, 1], got [${list}]`);
  };
  check('trainEpsilons', trainEpsilons);
  check('evalEpsilons', evalEpsilons);
  const robustAt = (e: number) => jobAttacks(settings, e).slice(1);
  const labels = attackLabels(robustAt(evalEpsilons[0]));
  const ids = robustAt(evalEpsilons[0]).map((a) => a.kind);
  /** The accuracies of the first attack `id` of the list, by eps ({} when it was not run). */
  const firstOf = (accuracy: SweepRow['accuracy'], id: string) => (ids.includes(id) ? accuracy[labels[ids.indexOf(id)]] : {});
  let trainers: TrainerSpec[];
  try {
    trainers = options.trainers ? parseTrainerList(options.trainers) : [{ id: settings.trainer, params: settings.trainerParams ?? {}, label: settings.trainer }];
  } catch (err) {
    throw new AdversarialArgumentError('runSweep', 'options.trainers', (err as Error).message);
  }
  // eps 0 trains `clean` once; every other eps, each trainer of the list. With a list, each model's folder is
  // <trainer label>/eps-<e>/; without one, eps-<e>/ as before.
  const runs = trainEpsilons.flatMap((e) => (e === 0 ? [{ e, spec: { id: 'clean', params: {}, label: 'clean' } }] : trainers.map((spec) => ({ e, spec }))));
  const folder = (label: string) => label.replace(/[^A-Za-z0-9.=_-]+/g, '_');
  const rows: SweepRow[] = [];
  for (const { e: trainEpsilon, spec } of runs) {
    const runSettings: TrainJobSettings = { ...settings, epsilon: trainEpsilon, trainer: spec.id, trainerParams: spec.params };
    if (Object.keys(spec.params).length === 0) delete runSettings.trainerParams;
    const prefix = options.trainers ? `${folder(spec.label)}/eps-${trainEpsilon}/` : `eps-${trainEpsilon}/`;
    io.log(`sweep: training ${spec.label} at eps ${trainEpsilon}`);
    const resume = options.resume === true && (await io.readFile(`${prefix}checkpoints/last.ckpt`)) !== null;
    const given = options.model ? await options.model() : undefined;
    let trained: Awaited<ReturnType<typeof trainJobModel>> | undefined;
    try {
      trained = await trainJobModel(runSettings, data, io, env, { prefix, resume, model: given, modelSource: options.modelSource });
      const files = await saveJobModel(trained.model, io, prefix);
      const [clean] = (await evaluateForReport(trained.model, data, [{ kind: 'clean' }], io, `eps ${trainEpsilon} model`)).evaluation;
      const accuracy: Record<string, Record<string, number>> = Object.fromEntries(labels.map((l) => [l, {}]));
      for (const e of evalEpsilons) {
        const { evaluation: results } = await evaluateForReport(trained.model, data, robustAt(e), io, `eps ${trainEpsilon} model at eps ${e}`, { compositePoints: options.compositePoints ?? null });
        results.forEach((r, i) => (accuracy[labels[i]][String(e)] = r.accuracy));
      }
      rows.push({
        train_epsilon: trainEpsilon,
        trainer: runSettings.trainer,
        trainer_label: spec.label,
        clean_accuracy: clean.accuracy,
        accuracy,
        fgsm_accuracy: firstOf(accuracy, 'fgsm'),
        pgd_accuracy: firstOf(accuracy, 'pgd'),
        train_seconds: trained.trainSeconds,
        kept_epoch: trained.keptEpoch,
        guard_events: trained.events.length,
        model_files: files,
      });
    } finally {
      // The given model is the trained one; a model built from scratch is the job's to release.
      (given ?? trained?.model)?.dispose();
    }
  }
  const tradeOffAttack = labels[labels.length - 1];
  const report: SweepReport = {
    schema: REPORT_SCHEMA,
    command: 'sweep',
    created: new Date().toISOString(),
    runtime: { ...env.runtime, tfjs_core: tf.version_core, backend: tf.getBackend() },
    adapter: env.adapter,
    data: data.description,
    settings: { ...settings },
    train_epsilons: trainEpsilons,
    eval_epsilons: evalEpsilons,
    attacks: labels,
    trade_off_attack: tradeOffAttack,
    rows,
    trade_off: sweepTradeOff(rows, evalEpsilons, tradeOffAttack),
  };
  await io.writeFile('sweep.json', new TextEncoder().encode(`${JSON.stringify(report, null, 2)}\n`));
  return report;
}

/**
 * Per trained model: the clean accuracy lost and the accuracy under `attack` (a label; default PGD's) gained
 * against the eps-0 model, at the model's own training eps when it was evaluated there (else at the
 * largest evaluation eps); empty without an eps-0 model.
 *
 * @example
 * sweepTradeOff(rows, [0.05, 0.1], 'PGD-20'); // [{ train_epsilon: 0.1, clean_accuracy_cost: 0.004, robust_accuracy_gain: 0.55, pgd_accuracy_gain: 0.55 }]
 */
export function sweepTradeOff(rows: Pick<SweepRow, 'train_epsilon' | 'trainer_label' | 'clean_accuracy' | 'accuracy' | 'pgd_accuracy'>[], evalEpsilons: number[], attack?: string): SweepReport['trade_off'] {
  const reference = rows.find((r) => r.train_epsilon === 0);
  if (!reference) return [];
  const label = attack ?? Object.keys(reference.accuracy).at(-1)!;
  return rows
    .filter((r) => r !== reference)
    .map((r) => {
      const at = String(evalEpsilons.includes(r.train_epsilon) ? r.train_epsilon : evalEpsilons[evalEpsilons.length - 1]);
      const hasPgd = r.pgd_accuracy[at] !== undefined && reference.pgd_accuracy[at] !== undefined;
      return {
        train_epsilon: r.train_epsilon,
        ...(r.trainer_label !== undefined ? { trainer_label: r.trainer_label } : {}),
        clean_accuracy_cost: reference.clean_accuracy - r.clean_accuracy,
        robust_accuracy_gain: r.accuracy[label][at] - reference.accuracy[label][at],
        pgd_accuracy_gain: hasPgd ? r.pgd_accuracy[at] - reference.pgd_accuracy[at] : null,
      };
    });
}
