// The audit of a merged report, honest about what a merge can know: a check that reads only the
// evaluation's figures (accuracies, per-point outcomes, stages, the curve) is recomputed from the merged
// report, so it is the single run's; a check that runs attacks on the audit's points (the first of the
// evaluation) is taken from part 0, which ran it, when part 0 holds all those points; else it is marked
// not merged (status skip), with no figures.
import { resolveAttackSpec, type AttackSpec } from '../attacks/index';
import { AUDIT_CHECKS, type AuditContext } from '../audit/checks';
import { decodeBitset } from '../report/outcomes';
import type { EvalReport, ReportAudit, ReportCurve, ReportEvaluation, ReportOutcomes } from '../report/schema';
import type { EvaluationResult } from '../train/evaluate';

/** Thrown by the merge's audit context where a check needs the model. */
class NeedsModel extends Error {}

/** The key of a stage's attack; its kind alone where the attack table does not hold it (a plugin's, merged without the plugin: no check reads it). */
function keyOf(spec: AttackSpec): string {
  try {
    return resolveAttackSpec(spec).key;
  } catch {
    return spec.kind;
  }
}

/** The evaluation's results as `evaluateModel` gave them, from a report's figures and per-point outcomes. */
export function resultsOfReport(evaluation: ReportEvaluation[], outcomes: ReportOutcomes): EvaluationResult[] {
  return evaluation.map((e, i) => {
    const o = outcomes.attacks[i];
    const attack = { kind: e.attack, ...e.params };
    const robust = decodeBitset(o.wrong, o.points).map((w) => 1 - w);
    const r: EvaluationResult = { attack, label: e.label, key: o.key, accuracy: e.accuracy, correct: e.correct, examples: e.examples, robust, gradients: e.gradients, queries: e.queries, seconds: e.seconds };
    if (e.stages) {
      r.stages = e.stages.map((s) => {
        const spec = { kind: s.attack, ...s.params };
        return { attack: spec, label: s.label, key: keyOf(spec), attacked: s.attacked, correct: s.correct, accuracy: s.accuracy, gradients: s.gradients, queries: s.queries, seconds: s.seconds };
      });
    }
    return r;
  });
}

/**
 * The merged report's audit from part 0's (`first`, the shard report that holds position 0) and the
 * merged figures; undefined when the parts ran no audit.
 *
 * @example
 * const audit = mergeAudit(part0, evaluation, outcomes, curve, 1000);
 * audit?.merge; // { recomputed: ['monotone', ...], from_shard: ['large-eps', ...], not_merged: [], note: '...' }
 */
export async function mergeAudit(first: EvalReport, evaluation: ReportEvaluation[], outcomes: ReportOutcomes, curve: ReportCurve | undefined, total: number): Promise<ReportAudit | undefined> {
  const part = first.audit;
  if (!part || !first.settings?.audit) return undefined;
  const results = resultsOfReport(evaluation, outcomes);
  const pgd = results.find((r) => r.attack.kind === 'pgd');
  const wanted = Math.min(first.settings.audit_points, total);
  const whole = part.points === wanted;
  const needsModel = (): never => {
    throw new NeedsModel();
  };
  const ctx: AuditContext = {
    epsilon: part.epsilon,
    pgdSteps: typeof pgd?.attack.steps === 'number' ? pgd.attack.steps : 20,
    seed: typeof pgd?.attack.seed === 'number' ? pgd.attack.seed : 0,
    points: wanted,
    chance: Number.NaN,
    evaluation: results,
    curve,
    run: needsModel,
    withBatch: needsModel,
  };
  const merge = { recomputed: [] as string[], from_shard: [] as string[], not_merged: [] as string[], note: '' };
  const checks: ReportAudit['checks'] = [];
  for (const check of AUDIT_CHECKS) {
    try {
      const outcome = await check.run(ctx);
      checks.push({ id: check.id, title: check.title, meaning: check.meaning, ...outcome });
      merge.recomputed.push(check.id);
    } catch (err) {
      if (!(err instanceof NeedsModel)) throw err;
      const own = part.checks.find((c) => c.id === check.id);
      if (whole && own) {
        checks.push(own);
        merge.from_shard.push(check.id);
      } else {
        checks.push({ id: check.id, title: check.title, meaning: check.meaning, status: 'skip', summary: `not merged: this check runs attacks on the audit's first ${wanted} points, but part 0 holds ${part.points} of them; audit in one process, or with --audit-points at most part 0's points`, figures: {} });
        merge.not_merged.push(check.id);
      }
    }
  }
  merge.note = `checks on the evaluation's figures recomputed from the merged outcomes (${merge.recomputed.join(', ') || 'none'}); checks that attack the audit's points taken from part 0 (${merge.from_shard.join(', ') || 'none'})${merge.not_merged.length ? `; not merged: ${merge.not_merged.join(', ')}` : ''}`;
  return { points: whole ? part.points : wanted, epsilon: part.epsilon, warnings: checks.filter((c) => c.status === 'warn').length, checks, seconds: part.seconds, merge };
}
