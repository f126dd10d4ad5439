// What a report shows of a robustness evaluation beyond the accuracy table: a composite's chain of stages
// ("clean 97.6% -> APGD-CE 87.0% -> APGD-T 86.5% ..."), its per-stage table (points, cost, seconds), the
// audit as one section a person reads in ten seconds, and the robustness curve (accuracy against eps).
import type { ReportAudit, ReportCurve, ReportEvaluation } from './schema';
import { pct, type ChartSpec, type ReportTable } from './format';

const count = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(0)}k` : String(n));

/**
 * `AutoAttack on 500 points (eps 0.1, linf): clean 97.6% -> APGD-CE 87.0% -> APGD-T 86.4% -> FAB-T 86.4% -> Square 86.2%`
 * for each composite of an evaluation.
 *
 * @example
 * compositeLines(report.evaluation); // ['AutoAttack on 200 points (eps 0.1, linf): clean 98.0% -> APGD-CE 88.5% -> ...']
 */
export function compositeLines(evaluation: ReportEvaluation[]): string[] {
  return evaluation
    .filter((e) => e.stages)
    .map((e) => {
      const stages = e.stages!;
      const clean = stages.length ? (stages[0].attacked) / e.examples : e.accuracy;
      const chain = [`clean ${pct(clean)}`, ...stages.map((s) => `${s.label} ${pct(s.accuracy)}`)].join(' -> ');
      return `${e.label} on ${e.examples} points (eps ${e.epsilon}, ${e.threat}): ${chain}; ${count(e.gradients)} gradient evaluations, ${count(e.queries)} queries, ${e.seconds.toFixed(0)} s`;
    });
}

/** Per stage of each composite: points attacked, robust accuracy after it, cost and seconds. */
export function stageTables(evaluation: ReportEvaluation[]): ReportTable[] {
  return evaluation
    .filter((e) => e.stages)
    .map((e, i) => ({
      id: i === 0 ? 'stages' : `stages-${i}`,
      title: `${e.label}: each attack on the points every earlier one left (${e.examples} points, eps ${e.epsilon}, ${e.threat})`,
      columns: ['order', 'attack', 'points attacked', 'robust accuracy after', 'correct / points', 'gradient evaluations', 'queries', 'seconds'],
      rows: e.stages!.map((s, j) => [String(j + 1), s.label, String(s.attacked), pct(s.accuracy), `${s.correct} / ${e.examples}`, String(s.gradients), String(s.queries), s.seconds.toFixed(1)]),
    }));
}

/** `audit: 7 checks pass, 1 WARNING (gradients: ...)`: the audit's headline. */
export function auditLines(audit: ReportAudit | undefined): string[] {
  if (!audit) return [];
  const passed = audit.checks.filter((c) => c.status === 'pass').length;
  const skipped = audit.checks.filter((c) => c.status === 'skip').length;
  const warned = audit.checks.filter((c) => c.status === 'warn');
  const head = `audit (${audit.points} points, eps ${audit.epsilon}): ${passed} of ${audit.checks.length} checks pass${skipped ? `, ${skipped} skipped` : ''}${warned.length ? `, ${warned.length} WARNING${warned.length > 1 ? 'S' : ''}` : ''}`;
  return [head, ...warned.map((c) => `WARNING ${c.title}: ${c.summary}. Means: ${c.meaning}.`)];
}

/** The audit as a table: check, result, figures, and what a warning means. */
export function auditTable(audit: ReportAudit): ReportTable {
  return {
    id: 'audit',
    title: `Evaluation audit: can the robustness figure be trusted? (${audit.points} points, eps ${audit.epsilon}, ${audit.seconds.toFixed(0)} s)`,
    columns: ['check', 'result', 'figures', 'a warning means'],
    rows: audit.checks.map((c) => [c.title, c.status === 'warn' ? 'WARNING' : c.status === 'pass' ? 'pass' : 'skipped', c.summary, c.meaning]),
  };
}

/** Accuracy against eps, one line per attack (eval --epsilons). */
export function curveChart(curve: ReportCurve): ChartSpec {
  return {
    id: 'robustness-curve',
    title: `Robustness curve: accuracy against eps (${curve.examples} points)`,
    kind: 'line',
    x: { title: 'eps' },
    y: { title: 'accuracy', percent: true, min: 0, max: 1 },
    series: curve.attacks.map((label) => ({ label, points: curve.epsilons.map((e) => ({ x: e, y: curve.accuracy[label][String(e)] })) })),
  };
}

/** The curve as a table (the chart's numbers). */
export function curveTable(curve: ReportCurve): ReportTable {
  return {
    id: 'curve',
    title: 'Robustness curve',
    columns: ['attack', ...curve.epsilons.map((e) => `eps ${e}`)],
    rows: curve.attacks.map((label) => [label, ...curve.epsilons.map((e) => pct(curve.accuracy[label][String(e)]))]),
  };
}
