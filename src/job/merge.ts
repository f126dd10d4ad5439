// `merge`: the report.json of `eval --shard K/N` parts joined into the report of the single run. Every
// part is checked first (the same model, data, settings and sharding; each part once; none missing),
// and every refusal names the part's source and what differs. Counts are summed, accuracies recomputed
// from them, per-point outcomes joined by position, the curve recomputed from its outcomes, the audit
// merged where its points allow (merge_audit.ts).
import { AdversarialArgumentError } from '../core/validate';
import { curveOnRange, joinOutcomes } from '../report/outcomes';
import { REPORT_SCHEMA, type EngineKernelReport, type EvalReport, type ReportEvaluation, type ReportMetrics, type ReportShard } from '../report/schema';
import { mergeAudit } from './merge_audit';
import { shardRange } from './shards';

/** One part to merge: where it came from (its folder, named in refusals) and its report. */
export interface ShardReport {
  source: string;
  report: EvalReport;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
/** What of the data decides the points besides its fingerprint: the split and the counts (not the paths, which differ between machines). */
const dataShape = (r: EvalReport) => [r.data.split, r.data.test_examples, r.data.classes, r.data.image_shape, r.data.fingerprint === undefined ? r.data.test_source : null];
const range = (s: { first: number; end: number }) => `points ${s.first}-${s.end - 1}`;

/** Why the parts cannot be merged (one line per problem, each naming a source), or []. */
export function shardProblems(parts: ShardReport[]): string[] {
  const problems: string[] = [];
  const usable = parts.filter(({ source, report: r }) => {
    if (r?.schema !== REPORT_SCHEMA || r.command !== 'eval') problems.push(`${source}: not an eval report (${REPORT_SCHEMA})`);
    else if (!r.shard) problems.push(`${source}: not a shard report (eval --shard K/N)`);
    else if (!r.outcomes || !r.settings) problems.push(`${source}: has no per-point outcomes or settings (a report from before them); evaluate it again`);
    else return true;
    return false;
  });
  if (usable.length === 0) return problems.length ? problems : ['no shard reports given'];
  const ref = usable[0];
  const refShard = ref.report.shard!;
  for (const { source, report: r } of usable.slice(1)) {
    const was = `, not ${ref.source}'s`;
    if (r.model.fingerprint !== ref.report.model.fingerprint) problems.push(`${source}: another model (${r.model.fingerprint ?? 'no fingerprint'}${was} ${ref.report.model.fingerprint ?? 'no fingerprint'})`);
    if (r.data.fingerprint !== ref.report.data.fingerprint || !same(dataShape(r), dataShape(ref.report))) problems.push(`${source}: other data (${r.data.fingerprint ?? 'no fingerprint'}, ${r.data.test_examples} test points${was} ${ref.report.data.fingerprint ?? 'no fingerprint'}, ${ref.report.data.test_examples})`);
    const settings = Object.keys({ ...ref.report.settings, ...r.settings }) as (keyof typeof r.settings)[];
    const differ = settings.filter((k) => !same(r.settings![k], ref.report.settings![k])).map((k) => `${k} ${JSON.stringify(r.settings![k])}${was} ${JSON.stringify(ref.report.settings![k])}`);
    if (differ.length) problems.push(`${source}: other settings (${differ.join('; ')})`);
    else if (!same(r.metrics.attacks.map((a) => a.key), ref.report.metrics.attacks.map((a) => a.key))) problems.push(`${source}: other attacks (${r.metrics.attacks.map((a) => a.key).join(', ')})`);
    const s = r.shard!;
    if (s.count !== refShard.count || s.total !== refShard.total || s.batch !== refShard.batch) problems.push(`${source}: another sharding (part ${s.index}/${s.count} of ${s.total} points in batches of ${s.batch}${was} parts of ${refShard.count}, ${refShard.total} points, batches of ${refShard.batch})`);
  }
  if (problems.length) return problems;
  const expected = Array.from({ length: refShard.count }, (_, k) => shardRange(refShard.total, refShard.batch, { index: k, count: refShard.count }));
  const byIndex = new Map<number, ShardReport[]>();
  for (const p of usable) {
    const s = p.report.shard!;
    const want = expected[s.index];
    if (!want || s.first !== want.first || s.end !== want.end || p.report.outcomes!.first !== s.first || p.report.outcomes!.points !== s.end - s.first) problems.push(`${p.source}: part ${s.index}/${s.count} holds ${range(s)}, not the part's ${want ? range(want) : 'nothing'}`);
    byIndex.set(s.index, [...(byIndex.get(s.index) ?? []), p]);
  }
  for (const [k, list] of [...byIndex.entries()].sort((a, b) => a[0] - b[0])) {
    if (list.length > 1) problems.push(`${list.map((p) => p.source).join(' and ')}: overlap, each is part ${k}/${refShard.count} (${range(expected[k])})`);
  }
  for (const want of expected) if (!byIndex.has(want.index)) problems.push(`part ${want.index}/${refShard.count} (${range(want)}) is missing`);
  return problems;
}

/** Counts of one attack summed over the parts, accuracies recomputed (a composite's stages too). */
function sumEvaluation(parts: ReportEvaluation[]): ReportEvaluation {
  const sum = (f: (e: ReportEvaluation) => number) => parts.reduce((a, e) => a + f(e), 0);
  const examples = sum((e) => e.examples);
  const correct = sum((e) => e.correct);
  const out: ReportEvaluation = { ...parts[0], accuracy: correct / examples, correct, examples, seconds: sum((e) => e.seconds), gradients: sum((e) => e.gradients), queries: sum((e) => e.queries) };
  if (parts[0].stages) {
    out.stages = parts[0].stages.map((s, j) => {
      const st = (f: (x: NonNullable<ReportEvaluation['stages']>[number]) => number) => parts.reduce((a, e) => a + f(e.stages![j]), 0);
      const stageCorrect = st((x) => x.correct);
      return { ...s, attacked: st((x) => x.attacked), correct: stageCorrect, accuracy: stageCorrect / examples, gradients: st((x) => x.gradients), queries: st((x) => x.queries), seconds: st((x) => x.seconds) };
    });
  }
  return out;
}

/** report.metrics of the merged evaluation, each attack's key as the parts wrote it (no attack table needed: a plugin's attack merges without its plugin). */
function mergedMetrics(part: ReportMetrics, evaluation: ReportEvaluation[]): ReportMetrics {
  const first = (id: string) => evaluation.find((e) => e.attack === id)?.accuracy ?? null;
  return { clean_accuracy: first('clean') ?? Number.NaN, fgsm_accuracy: first('fgsm'), pgd_accuracy: first('pgd'), attacks: part.attacks.map((a, i) => ({ ...a, accuracy: evaluation[i].accuracy, correct: evaluation[i].correct, examples: evaluation[i].examples })) };
}

function sumKernels(reports: EvalReport[]): EngineKernelReport {
  const out: EngineKernelReport = {};
  for (const r of reports) for (const [k, c] of Object.entries(r.engine_kernels ?? {})) out[k] = { engine: (out[k]?.engine ?? 0) + c.engine, fallback: (out[k]?.fallback ?? 0) + c.fallback };
  return out;
}

/** The parts' peak memory, each field at its highest part (each part ran in its own process); absent unless every part has one. */
function mergedMemory(reports: EvalReport[]): EvalReport['memory'] {
  const all = reports.map((r) => r.memory);
  if (all.some((m) => !m)) return undefined;
  const ms = all as NonNullable<EvalReport['memory']>[];
  const top = (f: (m: (typeof ms)[number]) => number | null) => (ms.some((m) => f(m) === null) ? null : Math.max(...ms.map((m) => f(m)!)));
  return {
    peak_tensor_bytes: Math.max(...ms.map((m) => m.peak_tensor_bytes)),
    peak_gpu_bytes_in_use: top((m) => m.peak_gpu_bytes_in_use),
    peak_gpu_bytes_allocated: top((m) => m.peak_gpu_bytes_allocated),
    samples: ms.reduce((a, m) => a + m.samples, 0),
    note: `the highest of the ${ms.length} parts' peaks (each part ran in its own process); ${ms[0].note}`,
  };
}

/**
 * The report of the single run from its `eval --shard K/N` parts (any order), or an
 * AdversarialArgumentError (op `merge`, argument `shards`) listing every problem, each naming its source.
 * Seconds are the parts' summed; `merged_from` lists the parts (with the runtime and adapter each ran on:
 * float32 rounding may differ across adapters, see the README's "Reproducible"). The model's and the data's
 * fingerprints decide sameness, not their paths, so parts may read them from different places.
 *
 * @example
 * const report = await mergeShardReports([{ source: 'out/0', report: r0 }, { source: 'out/1', report: r1 }]);
 */
export async function mergeShardReports(parts: ShardReport[]): Promise<EvalReport> {
  const problems = shardProblems(parts);
  if (problems.length) throw new AdversarialArgumentError('merge', 'shards', `cannot be merged: ${problems.join('; ')}`);
  const sorted = [...parts].sort((a, b) => a.report.shard!.index - b.report.shard!.index);
  const reports = sorted.map((p) => p.report);
  const [first] = reports;
  const shard: ReportShard = first.shard!;
  const evaluation = first.evaluation.map((_, i) => sumEvaluation(reports.map((r) => r.evaluation[i])));
  const outcomes = joinOutcomes(reports.map((r) => r.outcomes!));
  const curve = first.curve ? (curveOnRange({ ...first.curve, examples: shard.total }, outcomes, 0, shard.total) ?? undefined) : undefined;
  if (curve) curve.examples = shard.total;
  const audit = await mergeAudit(first, evaluation, outcomes, curve, shard.total);
  const { shard: _shard, audit: _audit, curve: _curve, memory: _memory, ...rest } = first;
  const memory = mergedMemory(reports);
  return {
    ...rest,
    created: new Date().toISOString(),
    metrics: mergedMetrics(first.metrics, evaluation),
    evaluation,
    engine_kernels: sumKernels(reports),
    throughput: { eval_seconds: reports.reduce((a, r) => a + r.throughput.eval_seconds, 0) },
    resumed: reports.some((r) => r.resumed),
    ...(memory ? { memory } : {}),
    ...(audit ? { audit } : {}),
    ...(curve ? { curve } : {}),
    outcomes,
    merged_from: sorted.map((p) => ({ source: p.source, index: p.report.shard!.index, first: p.report.shard!.first, end: p.report.shard!.end, runtime: p.report.runtime.name, adapter: p.report.adapter.description || p.report.adapter.vendor })),
  };
}
