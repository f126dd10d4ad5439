// A job's evaluation: the attacks it runs (clean, then the --attacks list with the settings' defaults:
// eps, seed, PGD's steps and restarts), each with progress and seconds, in the report's form.
import { attackBudget, parseAttackList, resolveAttackSpec, type AttackSpec } from '../attacks/index';
import type { Classifier } from '../models/seed_cnn';
import type { ReportEvaluation, ReportMetrics } from '../report/schema';
import { evaluateModel, type EvaluationResult } from '../train/evaluate';
import { attackDefaultsOf, EVAL_BATCH, type TrainJobSettings } from './settings';
import type { JobIO } from './io';
import type { PreparedData } from './data';

/** The settings an evaluation reads. */
export type EvalSettings = Pick<TrainJobSettings, 'epsilon' | 'attacks' | 'evalPgdSteps' | 'evalPgdRestarts' | 'attackSeed'>;

/**
 * The evaluation attacks of a job at `epsilon`: clean, then each attack of `settings.attacks`, its unset
 * parameters taken from the settings (eps, attack seed, PGD's steps and restarts) or its defaults.
 *
 * @example
 * jobAttacks({ ...DEFAULT_TRAIN_SETTINGS, attacks: 'fgsm,pgd:restarts=5' }, 0.1);
 * // [{ kind: 'clean' }, { kind: 'fgsm', epsilon: 0.1 }, { kind: 'pgd', epsilon: 0.1, steps: 20, restarts: 5, seed: 0 }]
 */
export function jobAttacks(settings: Partial<EvalSettings> & Pick<EvalSettings, 'attacks'>, epsilon: number): AttackSpec[] {
  const listed = parseAttackList(settings.attacks).filter((a) => a.kind !== 'clean');
  return [
    { kind: 'clean' },
    ...listed.map((spec) => {
      const params = resolveAttackSpec({ kind: spec.kind }).definition.params;
      return { ...attackDefaultsOf({ ...settings, epsilon }, spec.kind, params), ...spec };
    }),
  ];
}

/** One result in the report's form: id, label, parameters, budget fields, counts and seconds. */
export function toReportEvaluation(r: EvaluationResult, seconds: number): ReportEvaluation {
  const resolved = resolveAttackSpec(r.attack);
  return { attack: r.attack.kind, label: r.label, threat: resolved.threat, params: resolved.params, ...attackBudget(resolved), accuracy: r.accuracy, correct: r.correct, examples: r.examples, seconds };
}

/** report.metrics of an evaluation: clean, FGSM and PGD accuracy (the first of each), and every attack keyed. */
export function metricsOf(evaluation: ReportEvaluation[]): ReportMetrics {
  const first = (id: string) => evaluation.find((e) => e.attack === id)?.accuracy ?? null;
  return {
    clean_accuracy: first('clean') ?? Number.NaN,
    fgsm_accuracy: first('fgsm'),
    pgd_accuracy: first('pgd'),
    attacks: evaluation.map((e) => ({ attack: e.attack, label: e.label, key: resolveAttackSpec({ kind: e.attack, ...e.params }).key, params: e.params, accuracy: e.accuracy, correct: e.correct, examples: e.examples })),
  };
}

/** Evaluates `model` on the test part under `attacks`, one at a time with progress; results in the report's form. */
export async function evaluateForReport(model: Classifier, data: PreparedData, attacks: AttackSpec[], io: JobIO, label: string): Promise<ReportEvaluation[]> {
  const out: ReportEvaluation[] = [];
  for (const attack of attacks) {
    const start = performance.now();
    const name = resolveAttackSpec(attack).label;
    const [r] = await evaluateModel(model, data.dataset, data.test, [attack], {
      batchSize: EVAL_BATCH,
      onProgress: (done, total) => io.progress?.({ phase: 'eval', label: `${label} ${name}`, done, total, etaSeconds: ((total - done) * (performance.now() - start)) / 1000 / done }),
    });
    out.push(toReportEvaluation(r, (performance.now() - start) / 1000));
  }
  return out;
}
