// The command line's queue (issue 27, parts 3 and 4) on a Redis this file starts: a real tiny evaluation (a
// user's functional model, 192 embedded digits, FGSM and PGD-3, batches of 32, the audit on batch 0's points)
// run once as `eval --out` and once as `eval --queue` with 3 `worker` processes, one SIGKILLed while it
// holds a batch: the report's figures and per-point outcomes equal the single run's, each point once. A
// worker on another model declines the batch (back to the queue, where a right one computes it), names both
// fingerprints and exits 2;
// bad --queue addresses and flag combinations are refused naming the flag before any work.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as queue from '../../dist/queue.js';
import { saveUserModel, type Json } from '../suite/cli_jobs';
import { startRedisServer, type RedisServer } from '../suite/redis_server';

let redis: RedisServer;
let dir: string;
let modelA: string;
let modelB: string;
let single: Json;
const children: ChildProcess[] = [];
const EVAL = ['--limit-test', '192', '--eval-batch', '32', '--attacks', 'fgsm,pgd', '--pgd-steps', '3', '--epsilon', '0.1', '--attack-seed', '5', '--audit-points', '32'];

/** The report without what differs between runs of the same figures: times, dates, the queue and the parts it was made of. */
function figures(report: Json): Json {
  const drop = new Set(['seconds', 'created', 'throughput', 'memory', 'merged_from', 'merge', 'shard', 'queue']);
  const strip = (v: Json): Json => (Array.isArray(v) ? v.map(strip) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([k]) => !drop.has(k)).map(([k, x]) => [k, strip(x)])) : v);
  return strip(JSON.parse(JSON.stringify(report)));
}

const cli = (args: string[]) => spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8', timeout: 300_000 });

interface Proc {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the first line matching `re`'s first group. */
  waitFor: (re: RegExp) => Promise<string>;
  exited: Promise<number | null>;
}

/** `node dist/cli.js ...args` in the background, its stdout and stderr collected. */
function start(args: string[]): Proc {
  const child = spawn(process.execPath, ['dist/cli.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  const waiters: { re: RegExp; resolve: (s: string) => void }[] = [];
  const feed = (chunk: unknown) => {
    output += String(chunk);
    for (const w of [...waiters]) {
      const m = w.re.exec(output);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m[1] ?? m[0]);
      }
    }
  };
  child.stdout!.on('data', feed);
  child.stderr!.on('data', feed);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = (re: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const m = re.exec(output);
      if (m) return resolve(m[1] ?? m[0]);
      waiters.push({ re, resolve });
      void exited.then((code) => reject(new Error(`exited with ${code} before ${re}: ${output}`)));
    });
  return { child, output: () => output, waitFor, exited };
}

beforeAll(async () => {
  redis = await startRedisServer();
  dir = mkdtempSync(join(tmpdir(), 'queue-eval-'));
  modelA = await saveUserModel(join(dir, 'a'));
  // Model B: model A with one weight changed (another fingerprint, the same shapes).
  mkdirSync(join(dir, 'b'));
  copyFileSync(modelA, join(dir, 'b', 'model.json'));
  const weights = readFileSync(join(dir, 'a', 'weights.bin'));
  weights[1] ^= 1;
  writeFileSync(join(dir, 'b', 'weights.bin'), weights);
  modelB = join(dir, 'b', 'model.json');
}, 120_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('eval --queue and worker (the command line on BullMQ)', () => {
  test('(a) the single-process eval --out: 192 points in 6 batches of 32', () => {
    const r = cli(['eval', '--model', modelA, ...EVAL, '--out', join(dir, 'single')]);
    expect(r.status, r.stderr).toBe(0);
    single = JSON.parse(readFileSync(join(dir, 'single', 'report.json'), 'utf8'));
    expect(single.outcomes.points).toBe(192);
    expect(single.audit.checks.length).toBeGreaterThan(0);
  }, 300_000);

  test('(b) eval --queue with 3 workers, one SIGKILLed holding a batch: the single run\'s report, every point once', async () => {
    expect(single, 'needs (a)').toBeDefined();
    const url = `${redis.url}?queue=kill`;
    const submitter = start(['eval', '--model', modelA, ...EVAL, '--queue', url, '--out', join(dir, 'queued')]);
    await submitter.waitFor(/waiting for workers/);
    const workers = [0, 1, 2].map((k) => start(['worker', '--queue', url, '--id', `w${k}`, '--lock-ms', '4000', '--stalled-ms', '1000']));
    await Promise.all(workers.map((w) => w.waitFor(/worker \S+ ready/)));
    // w0 is killed as soon as it holds a batch (its per-batch start line).
    const held = await workers[0].waitFor(/batch (\d+-\d+): started/);
    workers[0].child.kill('SIGKILL');
    expect(await submitter.exited, submitter.output()).toBe(0);
    for (const w of workers.slice(1)) w.child.kill('SIGTERM');
    expect(await Promise.all(workers.slice(1).map((w) => w.exited))).toEqual([0, 0]);
    const report = JSON.parse(readFileSync(join(dir, 'queued', 'report.json'), 'utf8'));
    expect(figures(report)).toEqual(figures(single));
    // Each of the 6 batches once, in order, tiling 0..191; the killed worker's batch computed by another.
    expect(report.merged_from.map((m: Json) => [m.first, m.end])).toEqual([0, 32, 64, 96, 128, 160].map((s) => [s, s + 32]));
    expect(report.evaluation.every((e: Json) => e.examples === 192)).toBe(true);
    expect(report.queue.batches).toBe(6);
    expect(report.queue.redelivered_batches).toBeGreaterThanOrEqual(1);
    const heldPart = report.merged_from.find((m: Json) => `${m.first}-${m.end}` === held);
    expect(heldPart.source).not.toMatch(/\(w0\)/);
    expect(report.queue.workers).not.toContain('w0');
    expect(existsSync(join(dir, 'queued', 'report.html'))).toBe(true);
    expect(submitter.output()).toMatch(/6 batches on 2 workers/);
    // No tensor leak: a worker holds as many tensors after each of its batches as after its first.
    for (const w of workers.slice(1)) {
      const held = [...w.output().matchAll(/: done in .* (\d+) tensors held\)/g)].map((m) => Number(m[1]));
      expect(held.length).toBeGreaterThanOrEqual(1);
      expect(new Set(held).size, w.output()).toBe(1);
    }
    console.log(`queue: ${report.queue.wall_seconds.toFixed(1)} s wall, median overhead ${report.queue.median_overhead_ms.toFixed(1)} ms per batch`);
  }, 300_000);

  test('(c) a worker on another model declines the batch (back in the queue, then computed by a right worker), names both fingerprints, exits 2', async () => {
    expect(single, 'needs (a)').toBeDefined();
    const name = 'other-model';
    const url = `${redis.url}?queue=${name}`;
    const worker = start(['worker', '--queue', url, '--model', modelB, '--lock-ms', '4000']);
    await worker.waitFor(/worker \S+ ready/);
    const fingerprints = { model: single.model.fingerprint, data: single.data.fingerprint };
    const task = { kind: 'tfjs-adversarial/eval-batch@1', model: modelA, files: {}, limitTest: 192, settings: { epsilon: 0.1, attacks: 'fgsm,pgd', evalPgdSteps: 3, evalPgdRestarts: 1, attackSeed: 5 }, evaluation: { audit: false, auditPoints: 32, compositePoints: null, epsilons: null, batchSize: 32 }, total: 192 };
    const run = queue.runQueuedEvaluation({ url, jobKey: 'other', points: 32, batchSize: 32, fingerprints, task, idleTimeoutMs: 150_000 });
    run.catch(() => {});
    expect(await worker.exited, worker.output()).toBe(2);
    expect(worker.output()).toMatch(new RegExp(`refused batch 0-32 of other: this worker's model fingerprint is sha256:\\w+, the submission's is ${single.model.fingerprint}`));
    const q = new Queue(name, { connection: { host: '127.0.0.1', port: redis.port } });
    const state = await (await q.getJob('other@0-32'))!.getState();
    await q.close();
    expect(['waiting', 'delayed', 'prioritized']).toContain(state);
    // Nothing lost: a worker on the submitter's model (from the task) computes the declined batch.
    const good = start(['worker', '--queue', url, '--id', 'good', '--lock-ms', '4000']);
    const { batches } = await run;
    good.child.kill('SIGTERM');
    expect(await good.exited).toBe(0);
    expect(batches.map((b) => [b.start, b.end, b.worker])).toEqual([[0, 32, 'good']]);
    const part = batches[0].output as Json;
    expect(part.model.fingerprint).toBe(single.model.fingerprint);
    expect(part.outcomes.first_fooled).toBe(single.outcomes.first_fooled.slice(0, 32));
  }, 200_000);

  const refusals: [string, string[], RegExp][] = [
    ['an http address', ['eval', '--model', 'm/model.json', '--queue', 'http://127.0.0.1:6379', '--out', 'runs/never'], /--queue must be redis:\/\/HOST:PORT.*scheme http/],
    ['a port out of range', ['eval', '--model', 'm/model.json', '--queue', 'redis://127.0.0.1:99999', '--out', 'runs/never'], /--queue must be redis:\/\/HOST:PORT/],
    ['--queue with --shard', ['eval', '--model', 'm/model.json', '--queue', 'redis://127.0.0.1:6379', '--shard', '0/2', '--out', 'runs/never'], /--queue and --shard exclude each other/],
    ['a worker without --queue', ['worker', '--model', 'm/model.json'], /worker needs --queue/],
    ['a worker with a bad --queue', ['worker', '--queue', 'redis://127.0.0.1:6379/x'], /--queue must be redis:\/\/HOST:PORT.*path \/x/],
    ['a worker with a bad --lock-ms', ['worker', '--queue', 'redis://127.0.0.1:6379', '--lock-ms', '5s'], /--lock-ms must be an integer number of milliseconds/],
  ];
  for (const [what, args, message] of refusals) {
    test(`(d) refused before any work, exit 2: ${what}`, () => {
      const r = cli(args);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(existsSync('runs/never')).toBe(false);
    });
  }
});
