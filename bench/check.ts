// `npm run bench:check -- [--runtime node|chrome] [--results FILE ...] [--update-baseline [--note TEXT]]`: the performance
// regression check. Runs the quick set (or reads a results file) and compares its ratios (fused over
// composed, fraction of copy bandwidth, ours over stock, and the real architectures' ours over stock:
// bench/real_models.ts QUICK_REAL) with bench/baseline.json, per runtime and adapter;
// fails when one falls more than the baseline's tolerance below. Ratios, not times: machines are noisy;
// when a measured ratio regresses, the set is measured once more and each ratio keeps its better value,
// so a ratio fails only when it regresses in both measurements (a real regression does). The baseline is
// written from one run or from several results files, each ratio at its lowest (`--update-baseline
// --results a.json --results b.json`), so the stored figure is one that a quiet machine reaches every time.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { BenchmarkResults } from '../dist/bench.js';
import { benchmark, parseRuntime } from './cli';
import { QUICK_REAL, realBenchmark } from './real_models';
import { realRatios } from './real/table';

export const BASELINE_SCHEMA = 'tfjs-adversarial/bench-baseline@1';
export const BASELINE_FILE = 'bench/baseline.json';

export interface Baseline {
  schema: typeof BASELINE_SCHEMA;
  /** A ratio fails when it is below baseline * (1 - tolerance). */
  tolerance: number;
  /** Tolerances for ratios whose name contains the key (the first match wins), e.g. the noisier engine/tfjs ratios. */
  tolerances?: Record<string, number>;
  /** Keyed by `runtime/adapter architecture` (e.g. `node/swiftshader`). */
  baselines: Record<string, { date: string; note?: string; ratios: Record<string, number> }>;
}

export interface CheckRow {
  name: string;
  baseline: number;
  current: number | null;
  /** current / baseline - 1 */
  change: number | null;
  ok: boolean;
}

export function baselineKey(r: BenchmarkResults): string {
  return `${r.runtime}/${r.adapter.architecture || r.adapter.vendor || 'unknown'}`;
}

/** The tolerance for one ratio: the first `tolerances` key its name contains, else the default. */
export function toleranceFor(baseline: Baseline, name: string): number {
  for (const [part, tolerance] of Object.entries(baseline.tolerances ?? {})) if (name.includes(part)) return tolerance;
  return baseline.tolerance;
}

/** Compares the results' ratios with the baseline for their runtime and adapter. */
export function checkAgainstBaseline(results: BenchmarkResults, baseline: Baseline): { key: string; rows: CheckRow[]; ok: boolean } {
  const key = baselineKey(results);
  const stored = baseline.baselines[key];
  if (!stored) throw new Error(`no baseline for ${key} in ${BASELINE_FILE}: run npm run bench:check -- --update-baseline on such a machine`);
  const current = new Map(results.ratios.map((r) => [r.name, r.value]));
  const rows = Object.entries(stored.ratios).map(([name, base]) => {
    const value = current.get(name) ?? null;
    const ok = value !== null && value >= base * (1 - toleranceFor(baseline, name));
    return { name, baseline: base, current: value, change: value === null ? null : value / base - 1, ok };
  });
  return { key, rows, ok: rows.every((r) => r.ok) };
}

/**
 * The ratios of two measurements of the same set, each ratio at its better (higher) value; a ratio one of
 * them lacks keeps the other's.
 *
 * @example
 * checkAgainstBaseline(betterOf(first, second), baseline);
 */
export function betterOf(first: BenchmarkResults, second: BenchmarkResults): BenchmarkResults {
  return perRatio([first, second], (value, had) => value > had, (r) => ({ ...r, definition: `${r.definition} (better of two measurements)` }));
}

/**
 * The ratios of several measurements of the same set, each ratio at its worst (lowest) value: what a
 * baseline stores, so that run-to-run noise on a quiet machine does not fail the check. A ratio some of them
 * lack keeps the others' lowest.
 *
 * @example
 * const stored = worstOf([first, second]); // then written with --update-baseline
 */
export function worstOf(measurements: BenchmarkResults[]): BenchmarkResults {
  if (measurements.length === 0) throw new Error('worstOf: no measurements');
  return perRatio(measurements, (value, had) => value < had);
}

type Ratio = BenchmarkResults['ratios'][number];

/** Each ratio from the measurement that `wins` picks (first seen kept on ties), in first-seen order; a ratio taken from a later measurement goes through `fromLater`. */
function perRatio(measurements: BenchmarkResults[], wins: (value: number, had: number) => boolean, fromLater: (r: Ratio) => Ratio = (r) => r): BenchmarkResults {
  const values = new Map<string, Ratio>();
  measurements.forEach((m, i) => {
    for (const r of m.ratios) {
      const had = values.get(r.name);
      if (!had || wins(r.value, had.value)) values.set(r.name, i > 0 ? fromLater(r) : r);
    }
  });
  return { ...measurements[measurements.length - 1]!, ratios: [...values.values()] };
}

export function formatCheck(key: string, rows: CheckRow[], tolerance: number, tolerances: Record<string, number> = {}): string {
  const special = Object.entries(tolerances).map(([part, t]) => `; '${part}' ratios below -${(t * 100).toFixed(0)}%`).join('');
  const lines = [`ratios against the ${key} baseline (fail below -${(tolerance * 100).toFixed(0)}%${special})`, ''];
  lines.push(['ratio'.padEnd(50), 'baseline', 'current', ' change', 'status'].join('  '));
  for (const r of rows) {
    lines.push(
      [
        r.name.padEnd(50),
        r.baseline.toFixed(3).padStart(8),
        (r.current === null ? 'missing' : r.current.toFixed(3)).padStart(7),
        (r.change === null ? '-' : `${r.change >= 0 ? '+' : ''}${(r.change * 100).toFixed(1)}%`).padStart(7),
        r.ok ? 'ok' : 'REGRESSED',
      ].join('  '),
    );
  }
  return lines.join('\n');
}

/**
 * The quick set bench:check measures: the kernel, engine, step and attack benchmarks' quick set, then the
 * real architectures' quick table (QUICK_REAL: MobileNetV2 96 and ResNet-20, ours/stock), their ratios joined.
 */
export async function measureQuickSet(runtime: 'node' | 'chrome'): Promise<BenchmarkResults> {
  const results = await benchmark(runtime, { quick: true });
  const real = await realBenchmark(runtime, QUICK_REAL);
  return { ...results, ratios: [...results.ratios, ...realRatios(real)] };
}

export function readBaseline(file = BASELINE_FILE): Baseline {
  if (!existsSync(file)) return { schema: BASELINE_SCHEMA, tolerance: 0.35, baselines: {} };
  return JSON.parse(readFileSync(file, 'utf8')) as Baseline;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      runtime: { type: 'string', default: 'node' },
      results: { type: 'string', multiple: true },
      baseline: { type: 'string', default: BASELINE_FILE },
      'update-baseline': { type: 'boolean', default: false },
      note: { type: 'string' },
    },
    strict: true,
  });
  const files = values.results ?? [];
  if (values.note !== undefined && !values['update-baseline']) throw new Error('--note is only for --update-baseline');
  if (files.length > 1 && !values['update-baseline']) throw new Error('--results: several files only with --update-baseline (their per-ratio minimum); check one at a time');
  const read = files.map((file) => {
    if (!existsSync(file)) throw new Error(`--results: no such file ${file}`);
    return JSON.parse(readFileSync(file, 'utf8')) as BenchmarkResults;
  });
  const keys = new Set(read.map(baselineKey));
  if (keys.size > 1) throw new Error(`--results: the files are from different runtimes or adapters (${[...keys].join(', ')})`);
  const results: BenchmarkResults = read.length > 0 ? worstOf(read) : await measureQuickSet(parseRuntime(values.runtime));
  const baseline = readBaseline(values.baseline);
  if (values['update-baseline']) {
    const key = baselineKey(results);
    const note = values.note ?? (read.length > 1 ? `per-ratio minimum of ${read.length} measurements (${read.map((r) => r.date).join(', ')})` : undefined);
    baseline.baselines[key] = { date: results.date, ...(note ? { note } : {}), ratios: Object.fromEntries(results.ratios.map((r) => [r.name, Number(r.value.toFixed(4))])) };
    // The whole baseline or none: written beside it, then renamed over it (no partial file left).
    const partial = `${values.baseline!}.partial-${process.pid}`;
    try {
      writeFileSync(partial, `${JSON.stringify(baseline, null, 2)}\n`);
      renameSync(partial, values.baseline!);
    } finally {
      rmSync(partial, { force: true });
    }
    console.log(`wrote the ${key} baseline (${results.ratios.length} ratios${read.length > 1 ? `, the lowest of ${read.length} measurements` : ''}) to ${values.baseline}`);
    return 0;
  }
  let check = checkAgainstBaseline(results, baseline);
  if (!check.ok && !values.results) {
    console.log(`\n${formatCheck(check.key, check.rows, baseline.tolerance, baseline.tolerances)}\n\na ratio regressed in the first measurement (${check.rows.filter((r) => !r.ok).map((r) => r.name).join(', ')}); measuring once more, each ratio keeps its better value`);
    check = checkAgainstBaseline(betterOf(results, await measureQuickSet(parseRuntime(values.runtime))), baseline);
  }
  const { key, rows, ok } = check;
  console.log(`\n${formatCheck(key, rows, baseline.tolerance, baseline.tolerances)}\n\n${ok ? 'bench:check passed' : 'bench:check FAILED: a ratio regressed'}`);
  return ok ? 0 : 1;
}

if (process.argv[1]?.endsWith('check.ts')) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(2);
    },
  );
}
