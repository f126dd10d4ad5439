// Evaluation past one machine (issue 27, parts 1 and 2): an eval split into 3 shards (whole batches,
// seeds by position) and merged equals the single run in every figure and per-point outcome (a composite
// and AutoAttack-fast on a prefix that ends inside shard 1, the curve, the audit from shard 0); the per-point outcomes
// recompute a shard's table on its range; bad merges are refused, each naming the part and what differs;
// the command line's eval --shard and merge end to end, report --points and the flags' refusals.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { saveUserModel } from '../suite/cli_jobs';
import { syntheticImageSet } from '../suite/synthetic';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let env: lib.JobEnvironment;
let single: lib.EvalReport;
let shards: lib.EvalReport[];
let merged: lib.EvalReport;
let tensorsLeft: number;
let resumedPart: lib.EvalReport;
let crash: unknown;
let savedBatch: Json;

/** Files in memory; with `crashOn`, the n-th write of eval-state.json throws (a part's machine lost mid-run). */
const memoryIO = (files = new Map<string, Uint8Array>(), crashOn?: number): lib.JobIO & { files: Map<string, Uint8Array> } => {
  let writes = 0;
  return {
    files,
    readFile: async (p) => files.get(p) ?? null,
    writeFile: async (p, b) => {
      if (crashOn !== undefined && p === 'eval-state.json' && ++writes === crashOn) throw new Error('simulated crash');
      files.set(p, b.slice());
    },
    removeFile: async (p) => void files.delete(p),
    log: () => {},
  };
};

/** The report without what differs between runs of the same figures: times, dates, each process's peak memory, the shard and where a merge came from. */
function figures(report: Json): Json {
  const drop = new Set(['seconds', 'created', 'throughput', 'memory', 'merged_from', 'merge', 'shard']);
  const strip = (v: Json): Json => (Array.isArray(v) ? v.map(strip) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([k]) => !drop.has(k)).map(([k, x]) => [k, strip(x)])) : v);
  return strip(JSON.parse(JSON.stringify(report)));
}

const SETTINGS: lib.TrainJobSettings = { ...lib.DEFAULT_TRAIN_SETTINGS, epsilon: 0.1, attacks: 'fgsm,pgd:steps=3,fgsm-then-pgd,autoattack:version=fast', evalPgdSteps: 3, attackSeed: 7 };
const EVALUATION: lib.JobEvaluationOptions = { audit: true, auditPoints: 32, compositePoints: 100, epsilons: [0.05, 0.1], batchSize: 32 };

beforeAll(async () => {
  const { adapter, device } = await lib.initWebGPU();
  await lib.ensureGradients();
  env = { runtime: { name: 'node', version: process.version }, adapter, traffic: lib.countTraffic(device) };
  lib.registerAttack(
    {
      id: 'fgsm-then-pgd',
      title: 'FGSM then PGD',
      threat: 'linf',
      help: 'test composite: FGSM, then PGD-3 on the points FGSM left',
      params: { epsilon: lib.EPSILON_PARAM, seed: lib.SEED_PARAM },
      components: (p) => [
        { kind: 'fgsm', epsilon: p.epsilon as number },
        { kind: 'pgd', epsilon: p.epsilon as number, steps: 3, seed: p.seed as number },
      ],
      run: (m, batch, p) => lib.runComposite(m, lib.compositeStages(lib.getAttack('fgsm-then-pgd'), p), batch),
    },
    { replace: true },
  );
  // 240 points in batches of 32: 8 batches, the shards get 2, 3 and 3 (points 0-63, 64-159, 160-239).
  const set = syntheticImageSet(240, 21, 0.6);
  const data = lib.prepareJobData(set, undefined, { allTest: true, probeExamples: 0 });
  data.description.fingerprint = await lib.dataFingerprint([set]);
  const model = lib.seedCnn({ seed: 4, inputShape: [8, 8, 1] });
  const optimizer = lib.engineAdam(3e-3);
  await lib.trainModel(model, optimizer, data.dataset, Array.from({ length: 240 }, (_, i) => i), { trainer: 'clean', epsilon: 0, epochs: 2, batchSize: 32, learningRate: 3e-3, seed: 1 });
  optimizer.dispose();
  // Counted from here: the evaluations, the shards and the merge leave no tensor behind.
  const before = tf.memory().numTensors;
  single = await lib.runEvalJob(model, 'm.json', data, SETTINGS, memoryIO(), env, false, { evaluation: EVALUATION });
  shards = [];
  for (const index of [2, 0, 1]) shards.push(await lib.runEvalJob(model, 'm.json', data, SETTINGS, memoryIO(), env, false, { evaluation: { ...EVALUATION, shard: { index, count: 3 } } }));
  merged = await lib.mergeShardReports(shards.map((report) => ({ source: `shard-${report.shard!.index}`, report })));
  // Part 1 (3 batches each of clean, FGSM, PGD: 9 saves; then the test composite on 36 points, saving after
  // its first stage inside a batch) stopped writing its 11th state, so the 10th (mid-batch) is what is left.
  const crashed = memoryIO(new Map(), 11);
  const part1 = { evaluation: { ...EVALUATION, shard: { index: 1, count: 3 } } };
  crash = await lib.runEvalJob(model, 'm.json', data, SETTINGS, crashed, env, true, part1).then(() => null, (e: unknown) => e);
  savedBatch = JSON.parse(new TextDecoder().decode(crashed.files.get('eval-state.json'))).attacks[3].batch;
  resumedPart = await lib.runEvalJob(model, 'm.json', data, SETTINGS, memoryIO(crashed.files), env, true, { ...part1, resume: true });
  tensorsLeft = tf.memory().numTensors - before;
  model.dispose();
  data.dataset.dispose();
}, 900_000);

describe('shards of 3 merged', () => {
  test('each shard holds whole batches at its position; the composite runs on the prefix of 100 points (64, 36, 0)', () => {
    const byIndex = [...shards].sort((a, b) => a.shard!.index - b.shard!.index);
    expect(byIndex.map((s) => [s.shard!.first, s.shard!.end, s.shard!.total, s.shard!.batch])).toEqual([[0, 64, 240, 32], [64, 160, 240, 32], [160, 240, 240, 32]]);
    expect(byIndex.map((s) => s.evaluation.slice(3).map((e) => [e.label, e.examples]))).toEqual([0, 1, 2].map((k) => [['FGSM then PGD', [64, 36, 0][k]], ['AutoAttack-fast', [64, 36, 0][k]]]));
    expect(byIndex.map((s) => s.audit !== undefined)).toEqual([true, false, false]);
    expect(single.model.fingerprint).toMatch(/^sha256:/);
    expect(byIndex.every((s) => s.model.fingerprint === single.model.fingerprint && s.data.fingerprint === single.data.fingerprint)).toBe(true);
    expect(tensorsLeft).toBe(0);
  });

  test('the merged report equals the single run: every figure, the curve, the audit and every per-point outcome', () => {
    // The run is not trivial: some points are fooled, some stay robust, and the composite's second stage fools some.
    expect(single.evaluation.map((e) => e.correct).every((c, i, all) => i === 0 || c <= all[0])).toBe(true);
    expect(single.evaluation[0].correct).toBeGreaterThan(single.evaluation[2].correct);
    expect(single.outcomes!.first_fooled).toMatch(/^[-0-5]{240}$/);
    expect(single.outcomes!.first_fooled).toContain('-');
    expect(figures(merged)).toEqual(figures(single));
    expect(merged.outcomes).toEqual(single.outcomes);
    expect(merged.metrics).toEqual(single.metrics);
    expect(merged.curve).toEqual(single.curve);
    expect(merged.audit!.checks).toEqual(single.audit!.checks);
    expect(merged.audit!.merge!.not_merged).toEqual([]);
    expect(merged.merged_from!.map((m) => [m.source, m.first, m.end])).toEqual([['shard-0', 0, 64], ['shard-1', 64, 160], ['shard-2', 160, 240]]);
  });

  test('per-point outcomes: first_fooled agrees with the bitsets, and recompute shard 1\'s table on points 64-159', () => {
    const o = single.outcomes!;
    const wrong = o.attacks.map((a) => lib.decodeBitset(a.wrong, a.points));
    expect(lib.firstFooledOf(o)).toEqual(Array.from({ length: 240 }, (_, p) => wrong.findIndex((w) => w[p] === 1)));
    expect(lib.firstFooledOf({ ...o, first_fooled: '--0--1-2--' })).toEqual([-1, -1, 0, -1, -1, 1, -1, 2, -1, -1]);
    const shard1 = shards.find((s) => s.shard!.index === 1)!;
    const onRange = lib.evaluationOnRange(single.evaluation, o, 64, 160);
    expect(onRange.map((e) => [e.examples, e.correct])).toEqual(shard1.evaluation.map((e) => [e.examples, e.correct]));
    for (const c of [3, 4]) expect(onRange[c].stages!.map((s) => [s.attacked, s.correct])).toEqual(shard1.evaluation[c].stages!.map((s) => [s.attacked, s.correct]));
    expect(lib.evaluationOnRange(single.evaluation, o, 0, 240).map((e) => e.accuracy)).toEqual(single.evaluation.map((e) => e.accuracy));
  });
});

describe('a part interrupted and resumed', () => {
  test('part 1 stopped inside a composite batch, resumed: the uninterrupted part\'s figures and outcomes', () => {
    expect(String(crash)).toMatch(/simulated crash/);
    expect(savedBatch).toMatchObject({ stage: 1 });
    expect(savedBatch.outcome).toMatch(/^[-0-9]{32}$/);
    expect(resumedPart.resumed).toBe(true);
    // Kernel counts are the resumed process's own (the work before the stop is not counted again).
    const part1 = shards.find((s) => s.shard!.index === 1)!;
    expect(figures({ ...resumedPart, resumed: false, engine_kernels: {} })).toEqual(figures({ ...part1, engine_kernels: {} }));
  });
});

describe('shard ranges', () => {
  test('for every N up to the batches, the N parts tile the points in order, each whole batches and none empty', () => {
    for (const [total, batch] of [[1, 256], [240, 32], [1000, 256], [10_000, 256], [97, 10]]) {
      const batches = Math.ceil(total / batch);
      for (let count = 1; count <= batches; count++) {
        const parts = Array.from({ length: count }, (_, index) => lib.shardRange(total, batch, { index, count }));
        expect(parts[0].first).toBe(0);
        expect(parts[count - 1].end).toBe(total);
        parts.forEach((p, k) => {
          expect(p.end > p.first && p.first % batch === 0, `${total}/${batch} part ${k}/${count}`).toBe(true);
          if (k > 0) expect(p.first).toBe(parts[k - 1].end);
        });
      }
      expect(() => lib.shardRange(total, batch, { index: 0, count: batches + 1 })).toThrow(/parts are whole batches/);
    }
  });

  test('a composite on the first N points: each part runs it on its share of that prefix', () => {
    expect([[0, 64], [64, 160], [160, 240]].map(([first, end]) => lib.shardCompositePoints(100, { first, end }))).toEqual([64, 36, 0]);
    expect(lib.shardCompositePoints(null, { first: 64, end: 160 })).toBe(null);
  });
});

describe('per-point outcome encoding', () => {
  const bits = (n: number, set: number[]) => Array.from({ length: n }, (_, i) => (set.includes(i) ? 1 : 0));
  const cases: [string, number[], string][] = [
    ['clean wrong on point 2 of 10', [2], 'BAA='],
    ['FGSM wrong on points 2 and 5', [2, 5], 'JAA='],
    ['AutoAttack wrong on 2 (clean) and 7 (its second stage)', [2, 7], 'hAA='],
    ['the second stage fooled point 7', [7], 'gAA='],
  ];
  for (const [name, set, text] of cases) {
    test(`bitset, the schema's example: ${name} is ${text}, and reads back`, () => {
      expect(lib.encodeBitset(bits(10, set))).toBe(text);
      expect(Array.from(lib.decodeBitset(text, 10))).toEqual(bits(10, set));
    });
  }
  test('first_fooled of the schema\'s example: the first attack each point fell to', () => {
    const attacks = [
      { key: 'clean', points: 10, wrong: 'BAA=' },
      { key: 'fgsm', points: 10, wrong: 'JAA=' },
      { key: 'autoattack', points: 10, wrong: 'hAA=' },
    ];
    expect(lib.firstFooled(attacks, 10)).toBe('--0--1-2--');
  });
});

describe('what a merge cannot know, said so', () => {
  test('audit points beyond part 0 (100 asked, part 0 holds 64): the checks that attack them are marked not merged, with no figures; the rest recomputed', async () => {
    // What part 0 writes when --audit-points exceeds its points: its audit on the 64 it holds.
    const parts = shards.map((report) => ({ source: `shard-${report.shard!.index}`, report: structuredClone(report) }));
    for (const p of parts) p.report.settings!.audit_points = 100;
    const m = await lib.mergeShardReports(parts);
    expect(m.audit!.merge!.not_merged).toEqual(['large-eps', 'convergence', 'black-box', 'gradients', 'loss-rising']);
    expect(m.audit!.merge!.recomputed).toEqual(['monotone', 'fgsm-vs-pgd', 'pgd-vs-autoattack']);
    for (const c of m.audit!.checks.filter((x) => m.audit!.merge!.not_merged.includes(x.id))) expect([c.status, c.figures, c.summary.slice(0, 11)]).toEqual(['skip', {}, 'not merged:']);
    expect(m.audit!.checks.filter((x) => x.id === 'monotone')).toEqual(single.audit!.checks.filter((x) => x.id === 'monotone'));
  });

  test('report.html\'s lines say which part a shard holds, which parts a merge joined and how its audit was merged', () => {
    const part = lib.evalReportView(shards.find((s) => s.shard!.index === 1)!).lines;
    expect(part[0]).toMatch(/ on 96 examples /);
    expect(part[1]).toBe('part 1 of 3 (0-based): points 64-159 of 240; tfjs-adversarial merge joins the parts');
    const whole = lib.evalReportView(merged).lines;
    expect(whole).toContain('merged from 3 parts: shard-0 (points 0-63), shard-1 (points 64-159), shard-2 (points 160-239)');
    expect(whole.some((l) => l.startsWith('audit merge: checks on the evaluation\'s figures recomputed'))).toBe(true);
  });
});

describe('bad merges refused, naming the part and what differs', () => {
  const parts = () => shards.map((report) => ({ source: `shard-${report.shard!.index}`, report: structuredClone(report) }));
  const refusal = async (list: lib.ShardReport[]) => (await lib.mergeShardReports(list).then(() => null, (e: Error) => e))!;
  const cases: [string, (p: lib.ShardReport[]) => lib.ShardReport[], RegExp][] = [
    ['another model', (p) => (p[1].report.model.fingerprint = `sha256:${'0'.repeat(64)}`, p), /shard-0: another model \(sha256:0{64}, not shard-2's sha256:/],
    ['other data', (p) => (p[2].report.data.fingerprint = `sha256:${'1'.repeat(64)}`, p), /shard-1: other data \(sha256:1{64}/],
    ['other settings', (p) => (p[1].report.settings!.epsilon = 0.2, p), /shard-0: other settings \(epsilon 0\.2, not shard-2's 0\.1\)/],
    ['overlap', (p) => [...p, { source: 'again-1', report: p[2].report }], /shard-1 and again-1: overlap, each is part 1\/3 \(points 64-159\)/],
    ['a missing part', (p) => p.filter((x) => x.report.shard!.index !== 1), /part 1\/3 \(points 64-159\) is missing/],
    ['not a shard report', (p) => [...p, { source: 'whole', report: structuredClone(single) }], /whole: not a shard report \(eval --shard K\/N\)/],
  ];
  test('the same model and data read from other paths (another machine\'s mounts) merge: fingerprints decide, not paths', async () => {
    const p = parts();
    p[0].report.model_path = '/mnt/other/model.json';
    p[0].report.data.test_source = '/mnt/other/t10k-images-idx3-ubyte.gz';
    expect(figures(await lib.mergeShardReports(p))).toEqual(figures(merged));
  });
  for (const [name, edit, message] of cases) {
    test(name, async () => {
      const err = await refusal(edit(parts()));
      expect(err).toMatchObject({ name: 'AdversarialArgumentError', op: 'merge', argument: 'shards' });
      expect(err.message).toMatch(message);
    });
  }
});

describe('command line: merge, report --points, --shard', () => {
  const cli = (args: string[]) => spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8', timeout: 120_000 });
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'shards-'));
    for (const s of shards) {
      mkdirSync(join(dir, `part-${s.shard!.index}`));
      writeFileSync(join(dir, `part-${s.shard!.index}`, 'report.json'), JSON.stringify(s));
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('merge DIR... --out DIR writes the merged report (the single run\'s figures) and report.html; report --points prints a range\'s table', () => {
    const out = join(dir, 'merged');
    const r = cli(['merge', join(dir, 'part-1'), join(dir, 'part-0'), join(dir, 'part-2'), '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const written = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(figures(written)).toEqual(figures(single));
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<html');
    const range = cli(['report', join(out, 'report.json'), '--points', '64-159']);
    expect(range.status, range.stderr).toBe(0);
    const shard1 = shards.find((s) => s.shard!.index === 1)!;
    expect(range.stdout).toContain('points 64-159 (96 of 240)');
    for (const e of shard1.evaluation) expect(range.stdout).toMatch(new RegExp(`${e.label.replace(/[-.]/g, '\\$&')}\\s+${e.examples}\\s+${e.correct}\\s`));
  }, 180_000);

  test('a merge with a part missing is refused (exit 2), naming the part, and writes nothing', () => {
    const out = join(dir, 'refused');
    const r = cli(['merge', join(dir, 'part-0'), join(dir, 'part-2'), '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/part 1\/3 \(points 64-159\) is missing/);
    expect(() => readFileSync(join(out, 'report.json'))).toThrow();
  });

  const flagCases: [string, string[], RegExp][] = [
    ['--shard without --out', ['--shard', '0/3'], /--shard needs --out DIR/],
    ['--shard 3/3 (K is 0-based)', ['--shard', '3/3', '--out', 'runs/never'], /--shard must have K from 0 to N-1 \(0-based, as JOB_COMPLETION_INDEX\), got "3\/3"/],
    ['--shard 1 (not K/N)', ['--shard', '1', '--out', 'runs/never'], /--shard must be K\/N/],
    ['--points out of the report\'s range', [], /--points 0-999: the report holds points 0-63/],
  ];
  for (const [name, flags, message] of flagCases) {
    test(`refused before any work: ${name}`, () => {
      const r = flags.length ? cli(['eval', '--model', join(dir, 'no-model.json'), ...flags]) : cli(['report', join(dir, 'part-0', 'report.json'), '--points', '0-999']);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(existsSync('runs/never')).toBe(false);
    });
  }

  test('eval --shard K/3 in three processes, merged by the command line, equals the one-process eval; 4 parts of 3 batches refused naming --shard', async () => {
    const model = await saveUserModel(join(dir, 'user'));
    const flags = ['eval', '--model', model, '--limit-test', '96', '--eval-batch', '32', '--attacks', 'fgsm,pgd', '--pgd-steps', '2', '--audit', 'off'];
    const run = (name: string, args: string[]) => {
      const r = cli([...flags, ...args]);
      expect(r.status, `${name}\n${r.stderr}`).toBe(0);
      return r;
    };
    run('single', ['--out', join(dir, 'cli-single')]);
    const parts = [0, 1, 2].map((k) => run(`part ${k}`, ['--shard', `${k}/3`, '--out', join(dir, `cli-${k}`)]));
    expect(parts[1].stdout).toContain('part 1/3, points 32-63 of 96');
    const merge = cli(['merge', ...[0, 1, 2].map((k) => join(dir, `cli-${k}`)), '--out', join(dir, 'cli-merged')]);
    expect(merge.status, merge.stderr).toBe(0);
    const one = JSON.parse(readFileSync(join(dir, 'cli-single', 'report.json'), 'utf8'));
    const merged = JSON.parse(readFileSync(join(dir, 'cli-merged', 'report.json'), 'utf8'));
    expect(one.outcomes.points).toBe(96);
    expect(figures(merged)).toEqual(figures(one));
    const tooMany = cli([...flags, '--shard', '0/4', '--out', join(dir, 'cli-too-many')]);
    expect(tooMany.status).toBe(2);
    expect(tooMany.stderr).toMatch(/--shard 0\/4 asks for 4 parts, but the 96 points make 3 batches of 32/);
  }, 400_000);
});
