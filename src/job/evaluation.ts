// A job's evaluation: the attacks it runs (clean, then the --attacks list with the settings' defaults:
// eps, seed, PGD's steps and restarts), each with progress and seconds, in the report's form, with each
// point's outcome; with a shard, only its part of the points, at their position (job/shards.ts).
import { attackBudget, compositeStages, parseAttackList, resolveAttackSpec, type AttackSpec } from '../attacks/index';
import type { EvaluationState } from '../train/evaluation_state';
import { AdversarialArgumentError } from '../core/validate';
import type { Classifier } from '../models/classifier';
import type { ReportAudit, ReportCurve, ReportEvaluation, ReportMetrics, ReportOutcomes, ReportShard } from '../report/schema';
import { outcomesOf } from '../report/outcomes';
import { auditEvaluation } from '../audit/run';
import { AUDIT_CHECKS } from '../audit/checks';
import { attackWork, evaluateModel, type EvaluationResult } from '../train/evaluate';
import { attackDefaultsOf, EVAL_BATCH, settingRow, type TrainJobSettings } from './settings';
import type { JobIO } from './io';
import type { PreparedData } from './data';
import { modelFingerprint } from './fingerprint';
import { shardCompositePoints, shardRange, type ShardSpec } from './shards';

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

/** One result in the report's form: id, label, parameters, budget fields, counts, cost, seconds and stages. */
export function toReportEvaluation(r: EvaluationResult): ReportEvaluation {
  const resolved = resolveAttackSpec(r.attack);
  const out: ReportEvaluation = { attack: r.attack.kind, label: r.label, threat: resolved.threat, params: resolved.params, ...attackBudget(resolved), accuracy: r.accuracy, correct: r.correct, examples: r.examples, seconds: r.seconds, gradients: r.gradients, queries: r.queries };
  if (r.stages) out.stages = r.stages.map((s) => ({ attack: s.attack.kind, label: s.label, params: resolveAttackSpec(s.attack).params, attacked: s.attacked, correct: s.correct, accuracy: s.accuracy, gradients: s.gradients, queries: s.queries, seconds: s.seconds }));
  return out;
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

/** Where and whether an evaluation saves its state after every batch (`--resume` continues from it). */
export interface EvaluationSaving {
  /** The state file, relative to the job's folder (`eval-state.json`). */
  stateFile: string;
  /** Continue from the state file when there is one. */
  resume: boolean;
  /** The model's and the data's fingerprints: saved with the state, and a state saved with others is refused. */
  fingerprints?: { model: string; data: string | null };
}

export interface EvaluateForReportOptions {
  saving?: EvaluationSaving;
  /** The points (default: the test part). */
  indices?: ArrayLike<number>;
  /** Composite attacks (AutoAttack) run on the first N points only (null: all). */
  compositePoints?: number | null;
  /** Points per batch (default EVAL_BATCH). */
  batchSize?: number;
  /** The position of the first point in the whole evaluation (a shard's; default 0): the attacks' seeds follow it. */
  firstPosition?: number;
}

/** How a job evaluates beyond its attacks: the audit, the robustness curve, AutoAttack's points. */
export interface JobEvaluationOptions {
  audit: boolean;
  auditPoints: number;
  compositePoints: number | null;
  /** eval --epsilons: each attack at each of these too. */
  epsilons: number[] | null;
  /** eval --eval-batch: points per evaluation batch (default EVAL_BATCH); the attacks' seeds follow the batches. */
  batchSize?: number;
  /** eval --shard K/N: evaluate part K of N of the points only (whole batches; the audit in part 0 only). */
  shard?: ShardSpec | null;
}

/** The table's defaults: audit on, its points, AutoAttack on every point, no curve. */
export const DEFAULT_JOB_EVALUATION: JobEvaluationOptions = {
  audit: settingRow('audit').default === 'on',
  auditPoints: settingRow('auditPoints').default as number,
  compositePoints: settingRow('compositePoints').default as number | null,
  epsilons: null,
};

/**
 * Evaluates `model` on `indices` (default: the test part) under `attacks`, with progress and an ETA;
 * with `saving`, the state is written after every batch and an interrupted run continues from it.
 * Results in the report's form, and whether it continued a saved run.
 */
export async function evaluateForReport(model: Classifier, data: PreparedData, attacks: AttackSpec[], io: JobIO, label: string, options: EvaluateForReportOptions = {}): Promise<{ evaluation: ReportEvaluation[]; results: EvaluationResult[]; resumed: boolean }> {
  const { saving, indices = data.test, compositePoints = null, batchSize = EVAL_BATCH, firstPosition = 0 } = options;
  let restore: EvaluationState | null = null;
  if (saving?.resume) {
    const bytes = await io.readFile(saving.stateFile);
    if (bytes) {
      try {
        restore = JSON.parse(new TextDecoder().decode(bytes)) as EvaluationState;
      } catch (err) {
        throw new AdversarialArgumentError('resume', 'resume', `${saving.stateFile} is not a saved evaluation state (${(err as Error).message}); remove it to start the evaluation afresh`);
      }
      const problem = fingerprintProblem(restore, saving.fingerprints);
      if (problem) throw new AdversarialArgumentError('resume', 'resume', `${saving.stateFile} was saved for ${problem}: resume with the same model and data, or remove it to start the evaluation afresh`);
    }
  }
  const stamped = (state: EvaluationState) => (saving?.fingerprints ? { ...state, fingerprints: saving.fingerprints } : state);
  const start = performance.now();
  let doneBefore = 0;
  // The ETA weighs each attack by its cost per point (a gradient evaluation as one query), so AutoAttack's
  // stages do not make it read as short as the clean pass that comes first.
  const weights = attacks.map((a) => {
    const r = resolveAttackSpec(a);
    const stages = r.definition.components ? compositeStages(r.definition, r.params) : [r];
    return 1 + stages.reduce((acc, s) => acc + attackWork(s), 0);
  });
  const isComposite = attacks.map((a) => resolveAttackSpec(a).definition.components !== undefined);
  const limits = isComposite.map((c) => (c && compositePoints !== null ? compositePoints : undefined));
  const pointsOf = limits.map((l) => Math.min(l ?? indices.length, indices.length));
  const totalWork = weightedWork(weights, pointsOf, Infinity);
  const results = await evaluateModel(model, data.dataset, indices, attacks, {
    batchSize,
    firstPosition,
    limits,
    checkpoint: saving ? { restore, save: (state) => io.writeFile(saving.stateFile, new TextEncoder().encode(JSON.stringify(stamped(state)))) } : undefined,
    onResume: (done) => (doneBefore = done),
    onProgress: (done, total, attack, stage) => {
      const work = weightedWork(weights, pointsOf, done);
      const workBefore = weightedWork(weights, pointsOf, doneBefore);
      const rate = (work - workBefore) / ((performance.now() - start) / 1000);
      io.progress?.({ phase: 'eval', label: `${label} ${attack.label}${stage ? ` (${stage} done)` : ''}`, done, total, etaSeconds: rate > 0 ? (totalWork - work) / rate : undefined });
    },
  });
  // Finished: the saved state has done its job (the report holds the results).
  if (saving) await io.removeFile?.(saving.stateFile);
  return { evaluation: results.map(toReportEvaluation), results, resumed: restore !== null };
}

/** What differs between a saved state's fingerprints and `now`'s (`another model (sha256:… , not sha256:…)`), or null. */
function fingerprintProblem(state: EvaluationState & { fingerprints?: { model?: string; data?: string | null } }, now: EvaluationSaving['fingerprints']): string | null {
  if (!now) return null;
  const was = state?.fingerprints;
  if (!was) return 'a model and data it did not record (a state saved before fingerprints)';
  const differs: string[] = [];
  if (was.model !== now.model) differs.push(`another model (${was.model}, not ${now.model})`);
  if ((was.data ?? null) !== now.data) differs.push(`other data (${was.data ?? 'unrecorded'}, not ${now.data ?? 'unrecorded'})`);
  return differs.length ? differs.join(' and ') : null;
}

/** The weighted work of the first `done` attack-points (attacks in order, `points[a]` each). */
function weightedWork(weights: number[], points: number[], done: number): number {
  let work = 0;
  for (const [a, w] of weights.entries()) {
    const here = Math.min(points[a], Math.max(0, done));
    work += w * here;
    done -= here;
  }
  return work;
}

/** A job's whole evaluation: the attacks at the job's eps, the curve, the audit. */
export interface JobEvaluation {
  evaluation: ReportEvaluation[];
  results: EvaluationResult[];
  resumed: boolean;
  /** The evaluated model's fingerprint (report.model.fingerprint). */
  modelFingerprint: string;
  /** Each point's outcome (report.outcomes). */
  outcomes: ReportOutcomes;
  /** `options.shard`: the part evaluated. */
  shard?: ReportShard;
  curve?: ReportCurve;
  audit?: ReportAudit;
}

/**
 * The evaluation `train` and `eval` end with: clean and the job's attacks at `settings.epsilon` (state
 * saved after every batch when `saving`), each attack at every eps of `options.epsilons` (the curve), and
 * the audit on the first `options.auditPoints` points; each point's outcome. With `options.shard`, only
 * that part of the test points (whole batches of `options.batchSize`, seeds by position), the audit in
 * part 0 only.
 *
 * @example
 * const { evaluation, audit } = await evaluateJob(model, data, settings, { audit: true, auditPoints: 100, compositePoints: null, epsilons: null }, io, 'test');
 * const part = await evaluateJob(model, data, settings, { ...DEFAULT_JOB_EVALUATION, shard: { index: 1, count: 3 } }, io, 'eval');
 * part.shard; // { index: 1, count: 3, first: 256, end: 512, total: 1000, batch: 256 }
 */
export async function evaluateJob(model: Classifier, data: PreparedData, settings: EvalSettings, options: JobEvaluationOptions, io: JobIO, label: string, saving?: EvaluationSaving): Promise<JobEvaluation> {
  const attacks = jobAttacks(settings, settings.epsilon);
  const batchSize = options.batchSize ?? EVAL_BATCH;
  const shard = options.shard ? shardRange(data.test.length, batchSize, options.shard) : undefined;
  const range = shard ?? { first: 0, end: data.test.length };
  const indices = data.test.slice(range.first, range.end);
  const part = { indices, firstPosition: range.first, batchSize, compositePoints: shardCompositePoints(options.compositePoints, range) };
  if (shard) io.log(`shard ${shard.index}/${shard.count}: points ${range.first}-${range.end - 1} of ${shard.total} (batches of ${batchSize})`);
  const fingerprint = await modelFingerprint(model);
  const stamped = saving ? { ...saving, fingerprints: { model: fingerprint, data: data.description.fingerprint ?? null } } : undefined;
  const main = await evaluateForReport(model, data, attacks, io, label, { saving: stamped, ...part });
  const out: JobEvaluation = { ...main, modelFingerprint: fingerprint, outcomes: outcomesOf(main.results, range.first, indices.length), ...(shard ? { shard } : {}) };
  if (options.epsilons && options.epsilons.length > 0) {
    const labels = main.evaluation.slice(1).map((e) => e.label);
    const accuracy: Record<string, Record<string, number>> = Object.fromEntries(labels.map((l) => [l, {}]));
    const byEps: Record<string, Record<string, EvaluationResult>> = Object.fromEntries(labels.map((l) => [l, {}]));
    for (const e of options.epsilons) {
      const at = jobAttacks(settings, e).slice(1);
      const stateFile = stamped ? { ...stamped, stateFile: stamped.stateFile.replace(/\.json$/, `-eps-${e}.json`) } : undefined;
      const r = e === settings.epsilon ? main.results.slice(1) : (await evaluateForReport(model, data, at, io, `${label} eps ${e}`, { saving: stateFile, ...part })).results;
      r.forEach((x, i) => {
        accuracy[labels[i]][String(e)] = x.accuracy;
        byEps[labels[i]][String(e)] = x;
      });
    }
    out.curve = { epsilons: options.epsilons, attacks: labels, accuracy, examples: indices.length };
    out.outcomes = outcomesOf(main.results, range.first, indices.length, byEps);
  }
  // The audit's points are the first of the evaluation: a shard other than the first runs none.
  if (options.audit && range.first === 0) {
    io.log(`audit: ${AUDIT_CHECKS.length} checks on the first ${Math.min(options.auditPoints, indices.length)} ${label} points at eps ${settings.epsilon}`);
    out.audit = await auditEvaluation(model, data.dataset, indices, main.results, {
      epsilon: settings.epsilon,
      points: options.auditPoints,
      curve: out.curve,
      batchSize,
      onCheck: (title, i, n) => io.progress?.({ phase: 'eval', label: `audit: ${title}`, done: i, total: n }),
    });
    for (const c of out.audit.checks) io.log(`audit ${c.status === 'warn' ? 'WARNING' : c.status}: ${c.title}: ${c.summary}`);
  }
  return out;
}
