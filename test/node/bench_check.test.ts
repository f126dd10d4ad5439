// The performance regression checker on synthetic results: passes within tolerance, fails with a clear table
// when a ratio is made to regress or goes missing, through the function and through the command line.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import type { BenchmarkResults } from '../../dist/bench.js';
import { BASELINE_SCHEMA, betterOf, checkAgainstBaseline, formatCheck, readBaseline, toleranceFor, worstOf, type Baseline } from '../../bench/check';
import { QUICK_REAL } from '../../bench/real_models';
import type { RealResults } from '../../bench/real/measure';
import { formatRealTable, realRatios } from '../../bench/real/table';

function results(ratios: Record<string, number>): BenchmarkResults {
  return {
    schema: 'tfjs-adversarial/bench@1',
    date: '2026-11-25T00:00:00.000Z',
    runtime: 'node',
    runtimeVersion: 'v20',
    adapter: { vendor: 'google', architecture: 'swiftshader', device: '', description: '', software: true, features: [], runtime: 'node' },
    versions: {},
    options: { quick: true },
    kernels: [],
    engineKernels: [],
    steps: [],
    attackIterations: [],
    ratios: Object.entries(ratios).map(([name, value]) => ({ name, value, definition: 'synthetic' })),
  };
}

const baseline: Baseline = {
  schema: BASELINE_SCHEMA,
  tolerance: 0.25,
  baselines: { 'node/swiftshader': { date: '2026-11-25', ratios: { 'fgsm_step fused/composed [1048576]': 4, 'train_fgsm ours/stock [64]': 1 } } },
};

describe('bench:check', () => {
  test('passes when every ratio is within the tolerance', () => {
    const r = checkAgainstBaseline(results({ 'fgsm_step fused/composed [1048576]': 3.1, 'train_fgsm ours/stock [64]': 1.2 }), baseline);
    expect(r.ok).toBe(true);
    expect(r.rows.map((row) => row.ok)).toEqual([true, true]);
  });

  test('fails on a ratio that fell more than the tolerance, and names it in the table', () => {
    const r = checkAgainstBaseline(results({ 'fgsm_step fused/composed [1048576]': 2.9, 'train_fgsm ours/stock [64]': 1 }), baseline);
    expect(r.ok).toBe(false);
    const table = formatCheck(r.key, r.rows, baseline.tolerance);
    expect(table).toMatch(/fgsm_step fused\/composed \[1048576\]\s+4\.000\s+2\.900\s+-27\.5%\s+REGRESSED/);
    expect(table).toMatch(/train_fgsm ours\/stock \[64\]\s+1\.000\s+1\.000\s+\+0\.0%\s+ok/);
  });

  test('fails on a missing ratio', () => {
    const r = checkAgainstBaseline(results({ 'fgsm_step fused/composed [1048576]': 4 }), baseline);
    expect(r.ok).toBe(false);
    expect(r.rows.find((row) => row.current === null)?.name).toBe('train_fgsm ours/stock [64]');
  });

  test('refuses results from a runtime and adapter it has no baseline for', () => {
    const other = { ...results({}), runtime: 'browser' as const };
    expect(() => checkAgainstBaseline(other, baseline)).toThrow(/no baseline for browser\/swiftshader/);
  });

  test('the command line exits 1 and prints the table on a regressed results file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-check-'));
    writeFileSync(join(dir, 'results.json'), JSON.stringify(results({ 'fgsm_step fused/composed [1048576]': 1.5, 'train_fgsm ours/stock [64]': 1 })));
    writeFileSync(join(dir, 'baseline.json'), JSON.stringify(baseline));
    const run = promisify(execFile)(process.execPath, ['bench/run.mjs', 'bench/check.ts', '--results', join(dir, 'results.json'), '--baseline', join(dir, 'baseline.json')]);
    await expect(run).rejects.toMatchObject({ code: 1, stdout: expect.stringMatching(/REGRESSED[\s\S]*bench:check FAILED/) });
  });
});

describe('per-ratio tolerances', () => {
  const withEngine: Baseline = {
    schema: BASELINE_SCHEMA,
    tolerance: 0.35,
    tolerances: { 'engine/tfjs': 0.6 },
    baselines: { 'node/swiftshader': { date: '2026-11-25', ratios: { 'Conv2D engine/tfjs [64]': 60, 'fgsm_step fused/composed [1048576]': 3.8 } } },
  };

  test("an engine/tfjs ratio may fall 50% (noisy tfjs side) but not to a lost kernel's 1x; others keep 35%", () => {
    expect(checkAgainstBaseline(results({ 'Conv2D engine/tfjs [64]': 30, 'fgsm_step fused/composed [1048576]': 3.0 }), withEngine).ok).toBe(true);
    const lost = checkAgainstBaseline(results({ 'Conv2D engine/tfjs [64]': 1.1, 'fgsm_step fused/composed [1048576]': 3.8 }), withEngine);
    expect(lost.ok).toBe(false);
    expect(lost.rows.find((r) => !r.ok)?.name).toBe('Conv2D engine/tfjs [64]');
    const fused = checkAgainstBaseline(results({ 'Conv2D engine/tfjs [64]': 60, 'fgsm_step fused/composed [1048576]': 1.9 }), withEngine);
    expect(fused.rows.find((r) => !r.ok)?.name).toBe('fgsm_step fused/composed [1048576]');
    expect(formatCheck(fused.key, fused.rows, 0.35, withEngine.tolerances)).toContain("'engine/tfjs' ratios below -60%");
  });
});

describe('a second measurement', () => {
  test('each ratio keeps its better value: noise in one ratio of one run passes, a ratio that regresses in both fails', () => {
    const first = results({ 'fgsm_step fused/composed [1048576]': 2, 'train_fgsm ours/stock [64]': 0.5 });
    const second = results({ 'fgsm_step fused/composed [1048576]': 3.9, 'train_fgsm ours/stock [64]': 0.6 });
    const merged = betterOf(first, second);
    expect(merged.ratios.map((r) => [r.name, r.value])).toEqual([['fgsm_step fused/composed [1048576]', 3.9], ['train_fgsm ours/stock [64]', 0.6]]);
    const check = checkAgainstBaseline(merged, baseline);
    expect(check.rows.map((r) => [r.name, r.ok])).toEqual([['fgsm_step fused/composed [1048576]', true], ['train_fgsm ours/stock [64]', false]]);
    expect(check.ok).toBe(false);
  });

  test('a ratio only one measurement has is kept', () => {
    const merged = betterOf(results({ a: 1 }), results({ b: 2 }));
    expect(merged.ratios.map((r) => [r.name, r.value])).toEqual([['a', 1], ['b', 2]]);
  });
});

describe('the baseline from several measurements', () => {
  test('worstOf keeps each ratio at its lowest; a ratio only some have keeps their lowest', () => {
    const merged = worstOf([results({ a: 2, b: 5 }), results({ a: 3, b: 4, c: 1 }), results({ a: 2.5 })]);
    expect(merged.ratios.map((r) => [r.name, r.value])).toEqual([['a', 2], ['b', 4], ['c', 1]]);
    expect(() => worstOf([])).toThrow(/no measurements/);
  });

  const run = (args: string[]) => promisify(execFile)(process.execPath, ['bench/run.mjs', 'bench/check.ts', ...args]);

  test('--update-baseline --results a --results b writes the per-ratio minimum, keeps the tolerances, leaves no temporary file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-update-'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify(results({ x: 4, y: 1.5 })));
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ ...results({ x: 3.5, y: 2 }), date: '2026-11-26T00:00:00.000Z' }));
    writeFileSync(join(dir, 'baseline.json'), JSON.stringify({ ...baseline, tolerances: { 'engine/tfjs': 0.6 } }));
    const { stdout } = await run(['--update-baseline', '--results', join(dir, 'a.json'), '--results', join(dir, 'b.json'), '--baseline', join(dir, 'baseline.json')]);
    expect(stdout).toContain('the lowest of 2 measurements');
    const written = JSON.parse(readFileSync(join(dir, 'baseline.json'), 'utf8')) as Baseline;
    expect(written.baselines['node/swiftshader']!.ratios).toEqual({ x: 3.5, y: 1.5 });
    expect(written.baselines['node/swiftshader']!.note).toMatch(/per-ratio minimum of 2 measurements/);
    expect(written.tolerance).toBe(0.25);
    expect(written.tolerances).toEqual({ 'engine/tfjs': 0.6 });
    expect(readdirSync(dir).sort()).toEqual(['a.json', 'b.json', 'baseline.json']);
  });

  test.each([
    ['several files without --update-baseline', ['--results', 'a.json', '--results', 'b.json'], /--results: several files only with --update-baseline/],
    ['a missing file', ['--update-baseline', '--results', 'missing.json'], /--results: no such file .*missing\.json/],
    ['--note without --update-baseline', ['--note', 'x', '--results', 'a.json'], /--note is only for --update-baseline/],
  ])('refuses %s, naming the flag, and writes nothing', async (_name, args, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-refuse-'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify(results({ x: 1 })));
    writeFileSync(join(dir, 'b.json'), JSON.stringify(results({ x: 2 })));
    const before = JSON.stringify(baseline);
    writeFileSync(join(dir, 'baseline.json'), before);
    const withDir = args.map((a) => (a.endsWith('.json') ? join(dir, a) : a));
    await expect(run([...withDir, '--baseline', join(dir, 'baseline.json')])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(message) });
    expect(readFileSync(join(dir, 'baseline.json'), 'utf8')).toBe(before);
  });
});

describe('the real architectures in the check', () => {
  const row = (model: string, size: number, batch: number, ours: number, stock: number | null) => ({
    model, title: model, size, batch, step: 'input_gradient' as const, forwardFlopsPerImage: 1, stepFlopsPerImage: 2, parameters: 1,
    ours: { seconds: [1], firstSeconds: 1, imagesPerSecond: ours, gflops: 1, peakBytes: null, bytesBefore: null },
    stock: stock === null ? null : { seconds: [1], firstSeconds: 1, imagesPerSecond: stock, gflops: 1, peakBytes: null, bytesBefore: null },
  });
  const real = (rows: ReturnType<typeof row>[]) => ({ ...results({}), schema: 'tfjs-adversarial/bench-real@2', matmul: null, rows, memory: { numBytes: 0, numTensors: 0, numBytesInGPU: null, numBytesAllocatedInGPU: null } }) as unknown as RealResults;

  test('realRatios names each row with a stock side ours/stock by model, size, step and batch; a row without stock has none', () => {
    const ratios = realRatios(real([row('mobilenet-v2', 96, 2, 3, 0.5), row('resnet-20', 32, 16, 2, null)]));
    expect(ratios.map((r) => [r.name, r.value])).toEqual([['real mobilenet-v2 96 input_gradient ours/stock [2]', 6]]);
  });

  test('the real table puts ours GFLOP/s beside the matmul peak and the multiply-add ceiling: 1 of 4 and 10 is 25% and 10%; without them, dashes', () => {
    const measured = { ...real([row('resnet-20', 32, 16, 2, 1)]), matmul: { n: 8, seconds: [1], gflops: 4, onEngine: true }, fma: { gflops: 10, seconds: [1], invocations: 64, chains: 16 } } as RealResults;
    const table = formatRealTable(measured, null);
    expect(table).toContain('multiply-add ceiling of the adapter (16 vec4 chains per invocation, registers only): 10.00 GFLOP/s');
    const line = table.split('\n').find((l) => l.startsWith('resnet-20 32'))!;
    expect(line.trim().split(/\s+/).slice(-5, -2)).toEqual(['1.00', '25', '10']);
    const bare = formatRealTable(real([row('resnet-20', 32, 16, 2, 1)]), null);
    expect(bare).toContain('no multiply-add ceiling measured');
    expect(bare.split('\n').find((l) => l.startsWith('resnet-20 32'))!.trim().split(/\s+/).slice(-5, -2)).toEqual(['1.00', '-', '-']);
  });

  test("the stored baseline has the quick set's real ratios, checked at the 'real ' tolerance: half the baseline passes, a lost engine (1x) fails", () => {
    const stored = readBaseline();
    const names = QUICK_REAL.models.flatMap((m) => (QUICK_REAL.steps ?? []).map((s) => `real ${m.model} ${m.size} ${s} ours/stock [${m.batch}]`));
    const node = stored.baselines['node/swiftshader'].ratios;
    for (const name of names) expect(node[name]).toBeGreaterThan(1);
    expect(toleranceFor(stored, names[0])).toBe(0.6);
    const only: Baseline = { ...stored, baselines: { 'node/swiftshader': { date: '2026-12-07', ratios: Object.fromEntries(names.map((n) => [n, node[n]])) } } };
    const at = (f: number) => results(Object.fromEntries(names.map((n) => [n, node[n] * f])));
    expect(checkAgainstBaseline(at(0.5), only).ok).toBe(true);
    const lost = checkAgainstBaseline(results(Object.fromEntries(names.map((n, i) => [n, i === 0 ? 1 : node[n]]))), only);
    expect(lost.rows.map((r) => r.ok)).toEqual(names.map((_, i) => i !== 0));
  });
});
