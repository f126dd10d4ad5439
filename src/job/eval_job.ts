// `eval` and `sweep`: a saved model evaluated on a data set under chosen attacks (the same batches and
// attack seeds as the training job, so its figures come out the same), and the robustness-accuracy
// trade-off: the seed CNN trained at several epsilons, each evaluated at several epsilons.
import * as tf from '@tensorflow/tfjs-core';
import type { AdapterSummary } from '../device';
import type { Classifier } from '../models/seed_cnn';
import { AdversarialArgumentError } from '../validate';
import type { PreparedData } from './data';
import {
  evaluateForReport,
  jobAttacks,
  REPORT_SCHEMA,
  saveJobModel,
  trainJobModel,
  type JobEnvironment,
  type JobIO,
  type ReportEvaluation,
  type TrainJobSettings,
} from './train_job';

export interface EvalSettings {
  epsilon: number;
  evalPgdSteps: number;
  evalPgdRestarts: number;
  attackSeed: number;
}

export interface EvalReport {
  schema: typeof REPORT_SCHEMA;
  command: 'eval';
  created: string;
  model_path: string;
  runtime: JobEnvironment['runtime'] & { tfjs_core: string; backend: string };
  adapter: AdapterSummary;
  data: PreparedData['description'];
  metrics: { clean_accuracy: number; fgsm_accuracy: number; pgd_accuracy: number };
  evaluation: ReportEvaluation[];
  throughput: { eval_seconds: number };
}

/**
 * Evaluates `model` on `data.test`, clean and under FGSM and PGD at `settings.epsilon`; writes
 * `report.json` through `io` when `write` is true.
 *
 * @example
 * const report = await runEvalJob(model, 'out/model/model.json', data, { epsilon: 0.1, evalPgdSteps: 20, evalPgdRestarts: 1, attackSeed: 0 }, io, env);
 */
export async function runEvalJob(model: Classifier, modelPath: string, data: PreparedData, settings: EvalSettings, io: JobIO, env: JobEnvironment, write = true): Promise<EvalReport> {
  if (model.numClasses !== data.numClasses) {
    throw new AdversarialArgumentError('runEvalJob', 'model', `outputs ${model.numClasses} logits but the data set has ${data.numClasses} classes`);
  }
  if (!tf.util.arraysEqual(model.inputShape, data.imageShape)) {
    throw new AdversarialArgumentError('runEvalJob', 'model', `takes images [${model.inputShape}] but the data set holds [${data.imageShape}]`);
  }
  const start = performance.now();
  const evaluation = await evaluateForReport(model, data, jobAttacks(settings, settings.epsilon), io, 'eval');
  const report: EvalReport = {
    schema: REPORT_SCHEMA,
    command: 'eval',
    created: new Date().toISOString(),
    model_path: modelPath,
    runtime: { ...env.runtime, tfjs_core: tf.version_core, backend: tf.getBackend() },
    adapter: env.adapter,
    data: data.description,
    metrics: { clean_accuracy: evaluation[0].accuracy, fgsm_accuracy: evaluation[1].accuracy, pgd_accuracy: evaluation[2].accuracy },
    evaluation,
    throughput: { eval_seconds: (performance.now() - start) / 1000 },
  };
  if (write) await io.writeFile('report.json', new TextEncoder().encode(`${JSON.stringify(report, null, 2)}\n`));
  return report;
}

export interface SweepRow {
  train_epsilon: number;
  trainer: string;
  clean_accuracy: number;
  /** Accuracy under FGSM and under PGD at each evaluation epsilon (keys: the epsilon as written). */
  fgsm_accuracy: Record<string, number>;
  pgd_accuracy: Record<string, number>;
  train_seconds: number;
  kept_epoch: number | null;
  guard_events: number;
  model_files: string[];
}

export interface SweepReport {
  schema: typeof REPORT_SCHEMA;
  command: 'sweep';
  created: string;
  runtime: JobEnvironment['runtime'] & { tfjs_core: string; backend: string };
  adapter: AdapterSummary;
  data: PreparedData['description'];
  settings: TrainJobSettings;
  train_epsilons: number[];
  eval_epsilons: number[];
  rows: SweepRow[];
  /** Per trained model: clean accuracy lost and PGD accuracy gained at its own epsilon against the eps-0 model. */
  trade_off: { train_epsilon: number; clean_accuracy_cost: number; pgd_accuracy_gain: number }[];
}

/**
 * Trains the seed CNN at each of `trainEpsilons` (eps 0: the `clean` trainer) and evaluates each model at
 * each of `evalEpsilons`; writes `sweep.json` and each model under `eps-<e>/`.
 *
 * @example
 * const sweep = await runSweep(settings, [0, 0.05, 0.1], [0.05, 0.1, 0.2], data, io, env);
 */
export async function runSweep(settings: TrainJobSettings, trainEpsilons: number[], evalEpsilons: number[], data: PreparedData, io: JobIO, env: JobEnvironment, options: { resume?: boolean } = {}): Promise<SweepReport> {
  const check = (name: string, list: number[]) => {
    if (list.length === 0 || list.some((e) => !Number.isFinite(e) || e < 0 || e > 1)) throw new AdversarialArgumentError('runSweep', name, `must be a non-empty list of numbers in [0, 1], got [${list}]`);
  };
  check('trainEpsilons', trainEpsilons);
  check('evalEpsilons', evalEpsilons);
  const rows: SweepRow[] = [];
  for (const trainEpsilon of trainEpsilons) {
    const runSettings: TrainJobSettings = { ...settings, epsilon: trainEpsilon, trainer: trainEpsilon === 0 ? 'clean' : settings.trainer };
    const prefix = `eps-${trainEpsilon}/`;
    io.log(`sweep: training ${runSettings.trainer} at eps ${trainEpsilon}`);
    const resume = options.resume === true && (await io.readFile(`${prefix}checkpoints/last.ckpt`)) !== null;
    const trained = await trainJobModel(runSettings, data, io, env, { prefix, resume });
    try {
      const files = await saveJobModel(trained.model, io, prefix);
      let clean = 0;
      const fgsm: Record<string, number> = {};
      const pgd: Record<string, number> = {};
      for (const [i, e] of evalEpsilons.entries()) {
        const attacks = jobAttacks(settings, e).slice(i === 0 ? 0 : 1);
        const results = await evaluateForReport(trained.model, data, attacks, io, `eps ${trainEpsilon} model at eps ${e}`);
        if (i === 0) clean = results.shift()!.accuracy;
        fgsm[String(e)] = results[0].accuracy;
        pgd[String(e)] = results[1].accuracy;
      }
      rows.push({
        train_epsilon: trainEpsilon,
        trainer: runSettings.trainer,
        clean_accuracy: clean,
        fgsm_accuracy: fgsm,
        pgd_accuracy: pgd,
        train_seconds: trained.trainSeconds,
        kept_epoch: trained.keptEpoch,
        guard_events: trained.events.length,
        model_files: files,
      });
    } finally {
      tf.dispose(trained.model.variables);
    }
  }
  const report: SweepReport = {
    schema: REPORT_SCHEMA,
    command: 'sweep',
    created: new Date().toISOString(),
    runtime: { ...env.runtime, tfjs_core: tf.version_core, backend: tf.getBackend() },
    adapter: env.adapter,
    data: data.description,
    settings,
    train_epsilons: trainEpsilons,
    eval_epsilons: evalEpsilons,
    rows,
    trade_off: sweepTradeOff(rows, evalEpsilons),
  };
  await io.writeFile('sweep.json', new TextEncoder().encode(`${JSON.stringify(report, null, 2)}\n`));
  return report;
}

/**
 * Per trained model: the clean accuracy lost and the PGD accuracy gained against the eps-0 model, at the
 * model's own training eps when it was evaluated there (else at the largest evaluation eps); empty without
 * an eps-0 model.
 *
 * @example
 * sweepTradeOff(rows, [0.05, 0.1]); // [{ train_epsilon: 0.1, clean_accuracy_cost: 0.004, pgd_accuracy_gain: 0.55 }]
 */
export function sweepTradeOff(rows: Pick<SweepRow, 'train_epsilon' | 'clean_accuracy' | 'pgd_accuracy'>[], evalEpsilons: number[]): SweepReport['trade_off'] {
  const reference = rows.find((r) => r.train_epsilon === 0);
  if (!reference) return [];
  return rows
    .filter((r) => r !== reference)
    .map((r) => {
      const at = String(evalEpsilons.includes(r.train_epsilon) ? r.train_epsilon : evalEpsilons[evalEpsilons.length - 1]);
      return { train_epsilon: r.train_epsilon, clean_accuracy_cost: reference.clean_accuracy - r.clean_accuracy, pgd_accuracy_gain: r.pgd_accuracy[at] - reference.pgd_accuracy[at] };
    });
}
