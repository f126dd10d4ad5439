// The queue (tfjs-adversarial/queue, built dist/queue.js) on a real Redis this file starts and stops
// (test/suite/redis_server.ts): workers are child processes (test/suite/queue_worker.mjs); one is killed
// with SIGKILL while it holds a batch and the results still come out exactly once per point; a worker with
// another model fingerprint is refused, named; bad addresses are refused naming --queue before anything
// connects; a resubmission computes nothing again. Each case has its own queue name. Prints the throughput
// of 1 against 2 workers and the queue's own overhead per batch. Also: deploy/k8s/'s addresses agree, and
// bullmq stays out of the browser bundle.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as queue from '../../dist/queue.js';
import { startRedisServer, type RedisServer } from '../suite/redis_server';
import { pointOutcome } from '../suite/queue_outcome.mjs';

const FINGERPRINTS = { model: 'sha256:model-a', data: 'sha256:data-a' };
let redis: RedisServer;
const children: ChildProcess[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await redis?.stop();
});

interface WorkerProcess {
  child: ChildProcess;
  /** The batches it started, as `START-END`. */
  started: string[];
  /** Resolves with the first batch it starts. */
  firstStart: Promise<string>;
  /** Resolves with its exit code (null when a signal ended it) once it exits. */
  exited: Promise<number | null>;
  /** What it printed (stdout and stderr). */
  output: () => string;
}

/** `node test/suite/queue_worker.mjs` on `queueName`; resolves once it is connected. */
async function startWorker(queueName: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['test/suite/queue_worker.mjs'], {
    env: { ...process.env, QUEUE_URL: `${redis.url}?queue=${queueName}`, MODEL_FINGERPRINT: FINGERPRINTS.model, DATA_FINGERPRINT: FINGERPRINTS.data, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const started: string[] = [];
  let output = '';
  let onStart: (s: string) => void;
  const firstStart = new Promise<string>((resolve) => (onStart = resolve));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      output += String(chunk);
      for (const m of String(chunk).matchAll(/^started (\d+-\d+)$/gm)) {
        started.push(m[1]);
        onStart(m[1]);
      }
      if (/^ready /m.test(output)) resolve();
    });
    child.stderr!.on('data', (chunk) => (output += String(chunk)));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready: ${output}`)));
  });
  return { child, started, firstStart, exited, output: () => output };
}

/** SIGTERM to each; resolves once all have exited (each with 0: a clean close). */
async function stopWorkers(workers: WorkerProcess[]): Promise<void> {
  for (const w of workers) w.child.kill('SIGTERM');
  expect(await Promise.all(workers.map((w) => w.exited))).toEqual(workers.map(() => 0));
}

/** What the handler gives for the points [start, end) (test/suite/queue_worker.mjs). */
const expected = (points: number, batchSize: number, scale = 1) =>
  queue.splitBatches(points, batchSize).map(({ start, end }) => ({ start, end, output: Array.from({ length: end - start }, (_, k) => ({ ...pointOutcome(start + k), scale })) }));

describe('a Redis-backed run (BullMQ)', () => {
  test('3 workers, one killed with SIGKILL mid-batch: every point once, the same outcomes as computed in one place', async () => {
    const name = 'kill';
    const workers = await Promise.all([0, 1, 2].map((k) => startWorker(name, { WORKER_ID: `w${k}`, SLEEP_MS: '400' })));
    const progress: queue.QueueProgress[] = [];
    const run = queue.runQueuedEvaluation({ url: `${redis.url}?queue=${name}`, jobKey: 'kill-1', points: 60, batchSize: 5, fingerprints: FINGERPRINTS, task: { scale: 2 }, onProgress: (p) => progress.push(p) });
    const victim = workers[1];
    const held = await victim.firstStart;
    victim.child.kill('SIGKILL');
    await victim.exited;
    const { batches, summary } = await run;
    await stopWorkers([workers[0], workers[2]]);
    expect(await victim.exited).toBe(null);
    expect(victim.child.signalCode).toBe('SIGKILL');

    expect(batches.map(({ start, end, output }) => ({ start, end, output }))).toEqual(expected(60, 5, 2));
    const covered = batches.flatMap((b) => (b.output as { point: number }[]).map((p) => p.point));
    expect(covered).toEqual(Array.from({ length: 60 }, (_, i) => i));
    const redone = batches.find((b) => `${b.start}-${b.end}` === held)!;
    expect(redone.worker).not.toBe('w1');
    expect(redone.deliveries).toBeGreaterThan(1);
    expect(summary.redeliveredBatches).toBeGreaterThanOrEqual(1);
    expect(summary.workers).not.toContain('w1');
    expect(summary).toMatchObject({ jobKey: 'kill-1', points: 60, batches: 12, reusedBatches: 0 });
    expect(progress.map((p) => p.pointsDone)).toEqual(Array.from({ length: 12 }, (_, i) => 5 * (i + 1)));
    expect(progress.at(-1)).toMatchObject({ pointsDone: 60, batchesDone: 12, etaMs: 0 });
    expect(progress[0].etaMs).toBeGreaterThan(0);
    console.log(`kill run: batch ${held} held by w1 when killed, redone by ${redone.worker} (${redone.deliveries} deliveries); ${summary.wallMs} ms, overhead ${summary.meanOverheadMs.toFixed(1)} ms/batch`);
  });

  test('SIGTERM mid-batch: the worker finishes the batch in hand, returns it, closes and exits 0', async () => {
    const name = 'term';
    const first = await startWorker(name, { WORKER_ID: 'first', SLEEP_MS: '800' });
    const run = queue.runQueuedEvaluation({ url: `${redis.url}?queue=${name}`, jobKey: 'term', points: 4, batchSize: 2, fingerprints: FINGERPRINTS });
    const held = await first.firstStart;
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).toMatch(/^closed first$/m);
    const second = await startWorker(name, { WORKER_ID: 'second' });
    const { batches } = await run;
    await stopWorkers([second]);
    expect(batches.map((b) => [`${b.start}-${b.end}`, b.worker, b.deliveries])).toEqual(held === '0-2' ? [['0-2', 'first', 1], ['2-4', 'second', 1]] : [['0-2', 'second', 1], ['2-4', 'first', 1]]);
    expect(batches.map((b) => b.output)).toEqual(expected(4, 2).map((b) => b.output));
  });

  test('a worker with another model fingerprint is refused, both fingerprints named', async () => {
    const name = 'other-model';
    const liar = await startWorker(name, { MODEL_FINGERPRINT: 'sha256:model-b' });
    const run = queue.runQueuedEvaluation({ url: `${redis.url}?queue=${name}`, jobKey: 'other', points: 10, batchSize: 5, fingerprints: FINGERPRINTS });
    await expect(run).rejects.toThrow(/refused the result of batch other@\d+-\d+ from worker .*model fingerprint is sha256:model-b, the submission's is sha256:model-a/);
    await expect(run).rejects.toBeInstanceOf(queue.QueueResultRefused);
    await stopWorkers([liar]);
  });

  test('a resubmission of the same job key computes nothing again; one for other fingerprints is refused', async () => {
    const name = 'again';
    const worker = await startWorker(name, { SLEEP_MS: '50' });
    const submit = (fingerprints = FINGERPRINTS) => queue.runQueuedEvaluation({ url: `${redis.url}?queue=${name}`, jobKey: 'again', points: 20, batchSize: 5, fingerprints });
    const first = await submit();
    const second = await submit();
    await stopWorkers([worker]);
    expect(worker.started.sort()).toEqual(['0-5', '10-15', '15-20', '5-10']);
    expect(first.summary.reusedBatches).toBe(0);
    expect(second.summary.reusedBatches).toBe(4);
    expect(second.batches.every((b) => b.reused)).toBe(true);
    expect(second.batches.map((b) => b.output)).toEqual(first.batches.map((b) => b.output));
    expect(second.batches.map((b) => b.output)).toEqual(expected(20, 5).map((b) => b.output));
    const q = new Queue(name, { connection: { host: '127.0.0.1', port: redis.port } });
    expect(await q.getJobCounts('waiting', 'active', 'completed', 'failed')).toMatchObject({ waiting: 0, active: 0, completed: 4, failed: 0 });
    await q.close();
    await expect(submit({ ...FINGERPRINTS, data: 'sha256:data-b' })).rejects.toThrow(/jobKey again already holds the batch again@0-5 of another submission \(its data fingerprint is sha256:data-a, the submission's is sha256:data-b\)/);
  });

  test('a handler that throws fails the run, naming the batch and the error', async () => {
    const name = 'broken';
    const worker = await startWorker(name, { FAIL_AT: '4' });
    const run = queue.runQueuedEvaluation({ url: `${redis.url}?queue=${name}`, jobKey: 'broken', points: 8, batchSize: 2, fingerprints: FINGERPRINTS });
    await expect(run).rejects.toThrow(/^runQueuedEvaluation: batch broken@4-6 failed on a worker: the handler broke at point 4$/);
    await stopWorkers([worker]);
  });

  test('no worker: the idle timeout fails the run, naming the queue, and its batches are withdrawn', async () => {
    const name = 'nobody';
    const run = queue.runQueuedEvaluation({ url: `${redis.url}?queue=${name}`, jobKey: 'idle', points: 6, batchSize: 2, fingerprints: FINGERPRINTS, idleTimeoutMs: 1000, pollMs: 250 });
    await expect(run).rejects.toThrow(/no batch came back in 1000 ms \(3 of 3 pending\); are workers running on redis:\/\/127\.0\.0\.1:\d+\?queue=nobody\?/);
    const q = new Queue(name, { connection: { host: '127.0.0.1', port: redis.port } });
    expect(await q.getJobCounts('waiting', 'active', 'completed', 'failed')).toMatchObject({ waiting: 0, active: 0, completed: 0, failed: 0 });
    await q.close();
  });

  test('throughput: 1 against 2 worker processes on the same run; the queue overhead per batch', async () => {
    const timed = async (name: string, count: number, sleepMs: number, points: number) => {
      const workers = await Promise.all(Array.from({ length: count }, (_, k) => startWorker(name, { WORKER_ID: `${name}-${k}`, SLEEP_MS: String(sleepMs) })));
      const { summary } = await queue.runQueuedEvaluation({ url: `${redis.url}?queue=${name}`, jobKey: name, points, batchSize: 1, fingerprints: FINGERPRINTS });
      await stopWorkers(workers);
      return summary;
    };
    const one = await timed('one', 1, 100, 20);
    const two = await timed('two', 2, 100, 20);
    const empty = await timed('empty', 1, 0, 100);
    console.log(
      `throughput (20 batches of 100 ms): 1 worker ${one.wallMs} ms, 2 workers ${two.wallMs} ms (${(one.wallMs / two.wallMs).toFixed(2)}x); ` +
        `overhead per batch (median, mean) ${one.medianOverheadMs.toFixed(1)}, ${one.meanOverheadMs.toFixed(1)} / ${two.medianOverheadMs.toFixed(1)}, ${two.meanOverheadMs.toFixed(1)} ms; ` +
        `empty handler, 1 worker: ${(empty.wallMs / 100).toFixed(1)} ms per batch round trip, overhead ${empty.medianOverheadMs.toFixed(1)}, ${empty.meanOverheadMs.toFixed(1)} ms`,
    );
    expect(two.workers).toEqual(['two-0', 'two-1']);
    expect(one.wallMs / two.wallMs).toBeGreaterThan(1.3);
    expect(empty.medianOverheadMs).toBeGreaterThan(0);
    expect(empty.medianOverheadMs).toBeLessThan(200);
  });
});

describe('bad input, refused before anything connects', () => {
  const bad: [string, RegExp][] = [
    ['http://127.0.0.1:6379', /scheme http, not redis/],
    ['redis://', /names no host/],
    ['redis://127.0.0.1:6379/db', /may only name a database number/],
    ['redis://127.0.0.1:6379?queue=a:b', /queue name "a:b"/],
    ['redis://127.0.0.1:6379?name=x', /the parameter name/],
    ['127.0.0.1:6379', /not redis|is not a URL/],
    ['', /empty string/],
  ];
  test.each(bad)('--queue %j', async (url, why) => {
    expect(() => queue.parseQueueUrl(url)).toThrow(why);
    expect(() => queue.parseQueueUrl(url)).toThrow(/--queue must be redis:\/\/HOST:PORT\[\/DB\]\[\?queue=NAME\]/);
    await expect(queue.runQueuedEvaluation({ url, jobKey: 'k', points: 1, batchSize: 1, fingerprints: FINGERPRINTS })).rejects.toThrow(/^runQueuedEvaluation: --queue must be/);
    await expect(queue.runQueueWorker({ url, fingerprints: FINGERPRINTS, handler: () => null })).rejects.toThrow(/^runQueueWorker: --queue must be/);
  });

  test('a password is never echoed', () => {
    expect(() => queue.parseQueueUrl('redis://u:s3cret@host:6379/x')).toThrow(/redis:\/\/u:\*\*\*@host:6379\/x/);
    expect(() => queue.parseQueueUrl('redis://u:s3cret@host:6379/x')).not.toThrow(/s3cret/);
  });

  test('good addresses: host, port, database, queue name', () => {
    expect(queue.parseQueueUrl('redis://10.0.0.5:6380/2?queue=cifar')).toEqual({ host: '10.0.0.5', port: 6380, db: 2, queue: 'cifar', display: 'redis://10.0.0.5:6380/2?queue=cifar' });
    expect(queue.parseQueueUrl('redis://redis.default.svc')).toMatchObject({ host: 'redis.default.svc', port: 6379, db: 0, queue: queue.DEFAULT_QUEUE_NAME });
    expect(queue.parseQueueUrl('redis://:pw@h:1')).toMatchObject({ password: 'pw', display: 'redis://:***@h:1' });
  });

  test.each([
    [{ jobKey: 'a:b' }, /jobKey must be 1 to 200 letters/],
    [{ points: 0 }, /points must be a positive integer, got 0/],
    [{ batchSize: 2.5 }, /batchSize must be a positive integer, got 2.5/],
    [{ fingerprints: { model: 'sha256:m' } }, /fingerprints.data must be a non-empty string/],
  ])('runQueuedEvaluation %j', async (change, why) => {
    await expect(queue.runQueuedEvaluation({ url: redis.url, jobKey: 'k', points: 1, batchSize: 1, fingerprints: FINGERPRINTS, ...change } as never)).rejects.toThrow(why);
  });

  test('no Redis at the address: a clear message naming it, in the time given', async () => {
    const run = queue.runQueuedEvaluation({ url: 'redis://127.0.0.1:1', jobKey: 'k', points: 1, batchSize: 1, fingerprints: FINGERPRINTS, connectTimeoutMs: 1500 });
    await expect(run).rejects.toThrow(/^runQueuedEvaluation: cannot reach the queue at redis:\/\/127\.0\.0\.1:1 \(no answer in 1500 ms/);
    const worker = queue.runQueueWorker({ url: 'redis://127.0.0.1:1', fingerprints: FINGERPRINTS, handler: () => null, connectTimeoutMs: 1500, onError: () => {} });
    await expect(worker).rejects.toThrow(/^runQueueWorker: cannot reach the queue at redis:\/\/127\.0\.0\.1:1 \(no answer in 1500 ms/);
  }, 20_000);
});

describe('the Kubernetes manifests (deploy/k8s/)', () => {
  test("the workers' --queue is an address parseQueueUrl takes, on the redis Service's name and port", () => {
    const worker = readFileSync('deploy/k8s/worker-deployment.yaml', 'utf8');
    const redisYaml = readFileSync('deploy/k8s/redis.yaml', 'utf8');
    const url = /- --queue\n\s*- (\S+)/.exec(worker)?.[1];
    const address = queue.parseQueueUrl(url);
    expect(redisYaml).toMatch(new RegExp(`kind: Service\\nmetadata:\\n  name: ${address.host}\\n`));
    expect(redisYaml).toMatch(new RegExp(`- port: ${address.port}\\n`));
    expect(redisYaml).toMatch(/--maxmemory-policy", "noeviction"/);
    expect(worker).toMatch(/command: \["npx", "tfjs-adversarial", "worker"\]/);
  });
});

describe('the package', () => {
  test('bullmq is imported by dist/queue.js only: not by the `.` bundle or a chunk it shares', () => {
    const importsBullmq = (file: string) => /from\s*["']bullmq["']|import\(["']bullmq["']\)/.test(readFileSync(file, 'utf8'));
    expect(importsBullmq('dist/queue.js')).toBe(true);
    const others = ['dist/index.js', 'dist/engine.js', 'dist/bench.js', ...readdirSync('dist/chunks').filter((f) => f.endsWith('.js')).map((f) => `dist/chunks/${f}`)];
    expect(others.filter(importsBullmq)).toEqual([]);
  });
});
