// `tfjs-adversarial worker --queue URL`: takes batches of `eval --queue` from Redis until SIGTERM. The model
// and the data are loaded once (from --model and --test-images/--train-images where given, else the paths the
// task names) when the first batch comes, and again only for a task that reads them otherwise; a batch is
// evaluated as `eval --shard K/B` evaluates its part (job/eval_job.ts, seeds by position), and its report
// goes back. A task for another model or data (fingerprints differ) is declined: the batch goes back to the
// queue for the other workers and this worker exits with status 2, naming both fingerprints.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients, initWebGPU } from '../engine/init';
import { loadEvalInputs, type EvalInputs } from '../job/eval_inputs';
import { runEvalJob } from '../job/eval_job';
import type { JobRequest } from '../job/execute';
import type { JobIO } from '../job/io';
import { parseQueueUrl } from '../queue/address';
import { reachQueue } from '../queue/connect';
import { fingerprintMismatch, type QueueBatch } from '../queue/batch';
import { BatchDeclined, runQueueWorker } from '../queue/worker';
import type { EvalReport } from '../report/schema';
import { UsageError } from './args';
import { loadRequestSets } from './node_io';
import type { EvalQueueTask } from './queue_eval';

const FLAGS = ['queue', 'model', 'train-images', 'train-labels', 'test-images', 'test-labels', 'lock-ms', 'stalled-ms', 'id'] as const;
const FLAG_LIST = '--queue URL, --model PATH, --test-images PATH, --test-labels PATH, --train-images PATH, --train-labels PATH, --lock-ms N, --stalled-ms N, --id NAME';

/** The lock a batch holds while its worker lives (renewed every half of it; a worker killed mid-batch gives it up after this long). */
export const WORKER_LOCK_MS = 60_000;

/** The worker's flags, checked before anything connects or loads (UsageError naming the flag). */
export function workerOptions(argv: string[]): { queue: string; paths: Partial<Record<'model' | 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels', string>>; lockMs: number; stalledMs: number; id?: string } {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: Object.fromEntries(FLAGS.map((f) => [f, { type: 'string' as const }])) }) as { values: Record<string, string | undefined> });
  } catch (err) {
    throw new UsageError(`worker: ${(err as Error).message.split('\n')[0]} (flags: ${FLAG_LIST})`);
  }
  if (values.queue === undefined) throw new UsageError(`worker needs --queue ${'redis://HOST:PORT[/DB][?queue=NAME]'} (the address eval --queue submits to)`);
  try {
    parseQueueUrl(values.queue, 'worker');
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^worker: /, ''));
  }
  const ms = (flag: 'lock-ms' | 'stalled-ms', fallback: number) => {
    const v = values[flag];
    if (v === undefined) return fallback;
    if (!/^\d+$/.test(v) || Number(v) < 100 || Number(v) > 3_600_000) throw new UsageError(`--${flag} must be an integer number of milliseconds in [100, 3600000], got ${JSON.stringify(v)}`);
    return Number(v);
  };
  const paths: Record<string, string> = {};
  for (const [flag, key] of [['model', 'model'], ['train-images', 'trainImages'], ['train-labels', 'trainLabels'], ['test-images', 'testImages'], ['test-labels', 'testLabels']] as const) {
    const v = values[flag];
    if (v === undefined) continue;
    if (!existsSync(resolve(v))) throw new UsageError(`--${flag} ${v}: no such file or folder`);
    paths[key] = resolve(v);
  }
  const lockMs = ms('lock-ms', WORKER_LOCK_MS);
  return { queue: values.queue, paths, lockMs, stalledMs: ms('stalled-ms', Math.min(30_000, Math.max(100, Math.round(lockMs / 2)))), ...(values.id ? { id: values.id } : {}) };
}

/** The eval request a task describes, the worker's own paths in place of the task's. */
function requestOf(task: EvalQueueTask, paths: ReturnType<typeof workerOptions>['paths']): JobRequest {
  const dataGiven = paths.testImages !== undefined || paths.trainImages !== undefined;
  const files = { ...(dataGiven ? {} : task.files), ...paths, model: paths.model ?? task.model };
  return { command: 'eval', settings: task.settings as JobRequest['settings'], probeExamples: 0, limitTest: task.limitTest, trainEpsilons: [], evalEpsilons: [], files, inputs: task.inputs, out: process.cwd(), writeEvalReport: false, resume: false, runtime: 'node', evaluation: { ...task.evaluation, shard: null } };
}

/** Runs the worker until SIGTERM; resolves with its exit status (2 when it declined a task for another model or data). */
export async function runWorkerCommand(argv: string[]): Promise<number> {
  const options = workerOptions(argv);
  // Redis first: an address that does not answer is named (within 30 s) before WebGPU starts.
  await reachQueue(parseQueueUrl(options.queue, 'worker'), 30_000, 'worker');
  const { adapter } = await initWebGPU();
  await ensureGradients();
  const env = { runtime: { name: 'node' as const, version: process.version }, adapter };
  const quiet: JobIO = { readFile: async () => null, writeFile: async () => {}, log: () => {} };
  const files = nodeFiles();
  let loaded: { key: string; inputs: EvalInputs; modelPath: string } | undefined;
  let declined = false;
  /** The model and data of `task`, loaded once (again only when a task reads them otherwise). */
  const inputsFor = async (task: EvalQueueTask) => {
    const request = requestOf(task, options.paths);
    const key = JSON.stringify([request.files, request.inputs ?? null, request.limitTest ?? null]);
    if (loaded?.key !== key) {
      loaded?.inputs.dispose();
      loaded = undefined;
      const t0 = performance.now();
      const inputs = await loadEvalInputs(request.files.model!, await loadRequestSets(request), files, { inputs: request.inputs, limitTest: request.limitTest });
      loaded = { key, inputs, modelPath: request.files.model! };
      console.log(`loaded ${loaded.modelPath} (model ${inputs.fingerprints.model}) and ${inputs.data.test.length} test points (data ${inputs.fingerprints.data}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    return loaded;
  };
  const handler = async (batch: QueueBatch<EvalQueueTask>): Promise<EvalReport> => {
    const task = batch.task;
    if (task?.kind !== 'tfjs-adversarial/eval-batch@1') throw new Error(`batch ${batch.start}-${batch.end}: not a task of eval --queue (kind ${JSON.stringify(task?.kind)})`);
    console.log(`batch ${batch.start}-${batch.end}: started`);
    const { inputs, modelPath } = await inputsFor(task);
    const mismatch = fingerprintMismatch(inputs.fingerprints, batch.fingerprints).map((m) => m.replace(/^its/, "this worker's"));
    if (mismatch.length > 0) throw new BatchDeclined(`refused batch ${batch.start}-${batch.end} of ${batch.jobKey}: ${mismatch.join('; ')} (another model or data than the submitter's: give this worker the submitter's --model and data)`);
    const batchSize = task.evaluation.batchSize!;
    const count = Math.ceil(task.total / batchSize);
    const index = batch.start / batchSize;
    if (inputs.data.test.length !== task.total || !Number.isInteger(index) || batch.end !== Math.min(task.total, batch.start + batchSize)) {
      throw new Error(`batch ${batch.start}-${batch.end} of ${batch.jobKey}: not one of the ${count} batches of ${batchSize} over ${task.total} points (this worker holds ${inputs.data.test.length})`);
    }
    const t0 = performance.now();
    const report = await runEvalJob(inputs.model, modelPath, inputs.data, task.settings, quiet, env, false, { evaluation: { ...task.evaluation, shard: { index, count } } });
    // The tensors held between batches (the model's and the data's): the same after every batch, or a leak.
    console.log(`batch ${batch.start}-${batch.end}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s (${report.evaluation.map((e) => `${e.label} ${e.correct}/${e.examples}`).join(', ')}; ${tf.memory().numTensors} tensors held)`);
    return report;
  };
  const worker = await runQueueWorker<EvalQueueTask, EvalReport>({
    url: options.queue,
    id: options.id,
    fingerprints: () => loaded!.inputs.fingerprints,
    handler,
    lockDurationMs: options.lockMs,
    stalledIntervalMs: options.stalledMs,
    onDeclined: ({ reason }) => {
      declined = true;
      console.error(`worker: ${reason}; the batch went back to the queue, this worker stops`);
    },
  });
  console.log(`worker ${worker.id} ready on ${parseQueueUrl(options.queue).display} (lock ${options.lockMs} ms, stalled check every ${options.stalledMs} ms; SIGTERM finishes the batch in hand and exits)`);
  await worker.closed;
  loaded?.inputs.dispose();
  console.log(`worker ${worker.id} closed`);
  return declined ? 2 : 0;
}

/** The worker's file reads (model.json, weights, metadata.json): absolute paths from the local disk. */
function nodeFiles(): JobIO {
  return {
    readFile: async (path) => {
      const { readFile } = await import('node:fs/promises');
      try {
        return new Uint8Array(await readFile(path));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    writeFile: async () => {},
    log: (m) => console.log(m),
  };
}
