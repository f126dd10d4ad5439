// The command line's queue measured (issue 27, part 4): one evaluation (the seed CNN, untrained, seed 0, on
// the first POINTS embedded digits, FGSM and PGD-STEPS, batches of BATCH, no audit) as `eval --queue` on 1
// and on 2 `tfjs-adversarial worker` processes (started and ready before the submitter, each run on its own
// queue), against a private redis-server; prints each run's wall time (the submitter's process, and the
// queue's from enqueueing to the last result), their ratio and the queue's median overhead per batch, and
// checks that both reports hold the per-point outcomes of the one-process `eval --out` (also timed).
// usage: node build.mjs && node bench/run.mjs bench/queue_eval.ts [POINTS=512] [BATCH=64] [STEPS=10]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lib from '../dist/index.js';

const [points = '512', batch = '64', steps = '10'] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'bench-queue-'));
const port = await new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as { port: number }).port;
    s.close(() => resolve(p));
  });
});
const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
const children: ChildProcess[] = [redis];
try {
  await lib.initWebGPU();
  const model = lib.createArchitecture('seed-cnn', { seed: 0, inputShape: [28, 28, 1], numClasses: 10 });
  mkdirSync(join(dir, 'model'));
  await lib.saveClassifier(model, async (name, bytes) => writeFileSync(join(dir, 'model', name), bytes));
  model.dispose();
  const evalFlags = ['eval', '--model', join(dir, 'model', 'model.json'), '--limit-test', points, '--eval-batch', batch, '--attacks', 'fgsm,pgd', '--pgd-steps', steps, '--audit', 'off'];
  const b0 = performance.now();
  const base = spawnSync(process.execPath, ['dist/cli.js', ...evalFlags, '--out', join(dir, 'out-single')], { encoding: 'utf8' });
  if (base.status !== 0) throw new Error(`eval --out: ${base.stderr}`);
  const baseWall = (performance.now() - b0) / 1000;
  const baseReport = JSON.parse(readFileSync(join(dir, 'out-single', 'report.json'), 'utf8'));
  console.log(`one process (eval --out, no queue): ${baseWall.toFixed(1)} s, of which evaluating ${baseReport.throughput.eval_seconds.toFixed(1)} s`);
  const rows: { workers: number; wall: number; queueWall: number; overhead: number; outcomes: unknown }[] = [];
  for (const workers of [1, 2]) {
    const url = `redis://127.0.0.1:${port}?queue=w${workers}`;
    const started = Array.from({ length: workers }, (_, k) => spawn(process.execPath, ['dist/cli.js', 'worker', '--queue', url, '--id', `w${k}`], { stdio: ['ignore', 'pipe', 'inherit'] }));
    children.push(...started);
    await Promise.all(started.map((c) => new Promise<void>((resolve) => c.stdout!.on('data', (d) => /ready on/.test(String(d)) && resolve()))));
    const t0 = performance.now();
    const out = join(dir, `out-${workers}`);
    const r = spawnSync(process.execPath, ['dist/cli.js', ...evalFlags, '--queue', url, '--out', out], { encoding: 'utf8' });
    const wall = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`eval --queue on ${workers} workers: ${r.stderr}`);
    for (const c of started) c.kill('SIGTERM');
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    rows.push({ workers, wall, queueWall: report.queue.wall_seconds, overhead: report.queue.median_overhead_ms, outcomes: report.outcomes });
    console.log(`${workers} worker${workers > 1 ? 's' : ''}: ${wall.toFixed(1)} s (submitter process), ${report.queue.wall_seconds.toFixed(1)} s (queue: enqueue to last result), median overhead ${report.queue.median_overhead_ms.toFixed(1)} ms per batch, mean handler ${(report.queue.mean_handler_ms / 1000).toFixed(2)} s, ${report.queue.batches} batches; ${report.evaluation.map((e: { label: string; accuracy: number }) => `${e.label} ${(100 * e.accuracy).toFixed(1)}%`).join(', ')}`);
  }
  console.log(`ratio 1/2 workers: ${(rows[0].wall / rows[1].wall).toFixed(2)}x (submitter process), ${(rows[0].queueWall / rows[1].queueWall).toFixed(2)}x (queue)`);
  const same = (o: unknown) => JSON.stringify(o) === JSON.stringify(baseReport.outcomes);
  console.log(`per-point outcomes equal to the one-process eval's: 1 worker ${same(rows[0].outcomes)}, 2 workers ${same(rows[1].outcomes)}`);
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
