// The command line's tools for evaluation past one machine: `merge DIR... --out DIR` (the report.json
// of `eval --shard K/N` parts joined into the single run's, with report.html and charts), and
// `report PATH --points A-B` (the tables recomputed from the per-point outcomes on points A to B).
import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { mergeShardReports, type ShardReport } from '../job/merge';
import { curveOnRange, evaluationOnRange } from '../report/outcomes';
import { compositeLines, curveTable } from '../report/robustness';
import type { AnyReport, EvalReport, TrainReport } from '../report/schema';
import { pct } from '../report/format';
import { UsageError } from './args';
import { writeFileAtomically } from './node_io';
import { lockOutputFolder, prepareOutputFolder, removeStalePartials } from './out_dir';

/** A shard folder's report.json (or the path of one), checked to be a report of ours. */
function shardPath(dir: string): string {
  const path = resolve(dir);
  if (existsSync(path) && statSync(path).isDirectory()) return join(path, 'report.json');
  if (basename(path) === 'report.json') return path;
  throw new UsageError(`merge: ${dir} is not a shard folder (a folder holding the report.json of eval --shard K/N --out ${dir})`);
}

/**
 * `merge DIR... --out DIR`: every part read and checked before any file is written (refusals name the
 * part's folder), then `out/report.json` (written through a temporary file and a rename), report.html
 * and the charts. Returns the paths written.
 *
 * @example
 * await mergeCommand(['runs/0', 'runs/1', 'runs/2'], 'runs/all', readReport, writeReportFiles, console.log);
 */
export async function mergeCommand(dirs: string[], outFlag: string | undefined, read: (path: string) => AnyReport, writeFiles: (out: string, report: AnyReport, log: (m: string) => void) => Promise<string[]>, log: (m: string) => void): Promise<string[]> {
  if (dirs.length === 0) throw new UsageError('merge needs the shard folders: merge DIR... --out DIR');
  if (outFlag === undefined || outFlag.trim() === '') throw new UsageError('merge needs --out DIR (the folder for the merged report.json)');
  const out = resolve(outFlag);
  const paths = dirs.map(shardPath);
  if (paths.some((p) => resolve(p, '..') === out)) throw new UsageError(`--out ${outFlag} is one of the shard folders: merge into another folder`);
  const parts: ShardReport[] = paths.map((path, i) => ({ source: dirs[i], report: read(path) as EvalReport }));
  let merged: EvalReport;
  try {
    merged = await mergeShardReports(parts);
  } catch (err) {
    throw (err as Error).name === 'AdversarialArgumentError' ? new UsageError((err as Error).message) : err;
  }
  await prepareOutputFolder(out);
  const lock = lockOutputFolder(out);
  try {
    await removeStalePartials(out);
    const reportPath = join(out, 'report.json');
    await writeFileAtomically(reportPath, `${JSON.stringify(merged, null, 2)}\n`);
    log(`merged ${parts.length} parts: ${merged.outcomes!.points} points, ${merged.evaluation.map((e) => `${e.label} ${pct(e.accuracy)}`).join(', ')}`);
    return [reportPath, ...(await writeFiles(out, merged, log))];
  } finally {
    lock.release();
  }
}

/** `A-B` (inclusive positions) read against the `first`..`first + points - 1` a report holds. */
export function parsePointRange(text: string, first: number, points: number): { from: number; to: number } {
  const m = /^(\d+)-(\d+)$/.exec(text.trim());
  const last = first + points - 1;
  if (!m) throw new UsageError(`--points must be A-B (positions, both included, e.g. 0-99), got ${JSON.stringify(text)}`);
  const [a, b] = [Number(m[1]), Number(m[2])];
  if (a > b || a < first || b > last) throw new UsageError(`--points ${text}: the report holds points ${first}-${last}; give A <= B within them`);
  return { from: a, to: b + 1 };
}

/**
 * The tables of `report` on points `range` (`A-B`): accuracy per attack, each composite's chain, the curve;
 * recomputed from the per-point outcomes.
 *
 * @example
 * rangeLines(report, '0-99'); // ['points 0-99 (100 of 1000)', 'attack  points  correct  accuracy', ...]
 */
export function rangeLines(report: AnyReport, range: string): string[] {
  if (report.command === 'sweep') throw new UsageError('--points: a sweep.json has no per-point outcomes (use a report.json of train or eval)');
  const r = report as EvalReport | TrainReport;
  if (!r.outcomes) throw new UsageError('--points: this report has no per-point outcomes (made before them); evaluate again to get them');
  const { from, to } = parsePointRange(range, r.outcomes.first, r.outcomes.points);
  const evaluation = evaluationOnRange(r.evaluation, r.outcomes, from, to);
  const width = Math.max(8, ...evaluation.map((e) => e.label.length + 2));
  const lines = [
    `points ${from}-${to - 1} (${to - from} of ${r.outcomes.points})`,
    `${'attack'.padEnd(width)}${'points'.padStart(8)}${'correct'.padStart(9)}${'accuracy'.padStart(10)}`,
    ...evaluation.map((e) => `${e.label.padEnd(width)}${String(e.examples).padStart(8)}${String(e.correct).padStart(9)}${pct(e.accuracy).padStart(10)}`),
    ...compositeLines(evaluation.filter((e) => e.examples > 0)),
  ];
  const curve = r.command === 'eval' && r.curve ? curveOnRange(r.curve, r.outcomes, from, to) : null;
  if (curve) lines.push(...curveTable(curve).rows.map((row) => `curve ${row[0]}: ${row.slice(1).map((v, i) => `eps ${curve.epsilons[i]} ${v}`).join(', ')}`));
  if (r.audit) lines.push(`audit: over the report's ${r.audit.points} audit points, not recomputed on a range`);
  return lines;
}
