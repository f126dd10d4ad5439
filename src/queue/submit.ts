// The submitting side of the queue: a submission's points cut into batches, each a BullMQ job with the id
// `${jobKey}@${start}-${end}` (so a resubmission reuses the batches already done and adds nothing), and the
// workers' results collected from QueueEvents (with a poll when none came back for a while, so that an
// event lost at start-up loses no batch). A result is accepted once per batch, and refused when the
// worker's model or data fingerprint is not the submitter's; progress and ETA count all workers together.
import { Queue, QueueEvents, type Job } from 'bullmq';
import { AdversarialArgumentError } from '../core/validate';
import { connectionOptions, parseQueueUrl } from './address';
import { reachQueue } from './connect';
import { batchJobId, checkFingerprints, checkJobKey, fingerprintMismatch, returnProblems, splitBatches, type BatchReturn, type Fingerprints, type QueueBatch } from './batch';
import { progressOf, summarize, type QueueProgress, type QueuedBatchResult, type QueueRunSummary } from './stats';

/** Options of `runQueuedEvaluation`. */
export interface QueuedEvaluationOptions<Task> {
  /** `redis://HOST:PORT[/DB][?queue=NAME]` */
  url: string;
  /** Names the submission; the same key (with the same fingerprints and task) reuses its finished batches. */
  jobKey: string;
  /** The number of points: batches cover 0..points-1. */
  points: number;
  batchSize: number;
  /** The model and data the results must be computed on. */
  fingerprints: Fingerprints;
  /** Settings every batch carries to the handler (JSON; null by default). */
  task?: Task;
  onProgress?: (progress: QueueProgress) => void;
  /** Fail when no batch comes back for this long (no limit by default). */
  idleTimeoutMs?: number;
  /** How long Redis keeps finished batches for a resubmission (7 days). */
  keepResultsSeconds?: number;
  /** After this long without a batch back, the pending ones are looked up, besides the events (2 000 ms). */
  pollMs?: number;
  /** How long to wait for Redis to answer at start (30 000 ms). */
  connectTimeoutMs?: number;
  signal?: AbortSignal;
}

/** The batches' results, ordered by start, and the run's summary. */
export interface QueuedEvaluation<Output> {
  batches: QueuedBatchResult<Output>[];
  summary: QueueRunSummary;
}

/**
 * A worker's result refused: computed on another model or data, or not a result for the batch.
 *
 * @example
 * try { await runQueuedEvaluation(options); } catch (e) { if (e instanceof QueueResultRefused) console.error(e.message); }
 * // 'runQueuedEvaluation: refused the result of batch k@0-5 from worker w2: its model fingerprint is sha256:b…, the submission's is sha256:a…'
 */
export class QueueResultRefused extends Error {
  override name = 'QueueResultRefused';
}

function positive(op: string, name: string, value: unknown, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new AdversarialArgumentError(op, name, `must be a positive integer, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * Enqueues the points [0, points) as batches, waits for the workers' results (`runQueueWorker`), and returns
 * them in order. Arguments are checked before anything connects; a refused result (another model or data,
 * named with both fingerprints) or a failed batch rejects the run and withdraws its batches still waiting.
 *
 * @example
 * const { batches, summary } = await runQueuedEvaluation({
 *   url: 'redis://127.0.0.1:6379?queue=cifar', jobKey: 'cifar-pgd-1', points: 10_000, batchSize: 250,
 *   fingerprints: { model: await modelFingerprint(model), data: await dataFingerprint(images) },
 *   onProgress: (p) => console.log(`${p.pointsDone}/${p.points}, ETA ${p.etaMs} ms, ${p.workers.length} workers`),
 * });
 */
export async function runQueuedEvaluation<Task = null, Output = unknown>(options: QueuedEvaluationOptions<Task>): Promise<QueuedEvaluation<Output>> {
  const op = 'runQueuedEvaluation';
  const address = parseQueueUrl(options.url, op);
  const jobKey = checkJobKey(op, options.jobKey);
  const points = positive(op, 'points', options.points);
  const batchSize = positive(op, 'batchSize', options.batchSize);
  const fingerprints = checkFingerprints(op, options.fingerprints);
  const task = (options.task ?? null) as Task;
  const taskJson = JSON.stringify(task);
  if (taskJson === undefined) throw new AdversarialArgumentError(op, 'task', 'must be JSON-serialisable');
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') throw new AdversarialArgumentError(op, 'onProgress', 'must be a function');
  const idleTimeout = options.idleTimeoutMs === undefined ? undefined : positive(op, 'idleTimeoutMs', options.idleTimeoutMs);
  const keepSeconds = positive(op, 'keepResultsSeconds', options.keepResultsSeconds, 7 * 24 * 3600);
  const pollMs = positive(op, 'pollMs', options.pollMs, 2000);
  const connectTimeout = positive(op, 'connectTimeoutMs', options.connectTimeoutMs, 30_000);

  await reachQueue(address, connectTimeout, op);
  const ranges = splitBatches(points, batchSize);
  const byId = new Map(ranges.map((r) => [batchJobId(jobKey, r.start, r.end), r]));
  const queue = new Queue<QueueBatch<Task>, BatchReturn<Output>>(address.queue, { connection: connectionOptions(address, false) });
  const events = new QueueEvents(address.queue, { connection: connectionOptions(address, true) });
  const ignore = () => {}; // connection errors: ioredis reconnects; a lasting one shows as the idle timeout
  queue.on('error', ignore);
  events.on('error', ignore);

  const started = Date.now();
  const results = new Map<string, QueuedBatchResult<Output>>();
  const pending = new Set(byId.keys());
  const looking = new Set<string>();
  /** When each batch's completed event reached this process (before the look-up of its job). */
  const arrivals = new Map<string, number>();
  let lastArrival = Date.now();
  let finish!: (error?: Error) => void;
  const finished = new Promise<void>((resolve, reject) => (finish = (e) => (e ? reject(e) : resolve())));
  finished.catch(() => {}); // awaited below; a failure before that is not unhandled
  let failure: Error | undefined;
  const fail = (e: Error) => {
    failure ??= e;
    finish(failure);
  };

  const accept = async (id: string, job: Job<QueueBatch<Task>, BatchReturn<Output>>, reused: boolean) => {
    const range = byId.get(id)!;
    const value = job.returnvalue;
    const problems = returnProblems(value, { jobKey, ...range });
    const mismatch = problems.length === 0 ? fingerprintMismatch(value.fingerprints, fingerprints) : [];
    if (problems.length > 0 || mismatch.length > 0) {
      await job.remove().catch(ignore); // so that a resubmission computes it again
      const from = typeof value?.worker === 'string' ? ` from worker ${value.worker}` : '';
      throw new QueueResultRefused(`${op}: refused the result of batch ${id}${from}: ${[...problems, ...mismatch].join('; ')}`);
    }
    const receivedAt = arrivals.get(id) ?? Date.now();
    const startedAt = job.processedOn ?? receivedAt;
    results.set(id, {
      ...range,
      output: value.output,
      worker: value.worker,
      handlerMs: value.handlerMs,
      reused,
      deliveries: Math.max(1, job.attemptsStarted ?? 1, (job.stalledCounter ?? 0) + 1),
      waitMs: reused ? undefined : Math.max(0, startedAt - job.timestamp),
      overheadMs: reused ? undefined : Math.max(0, receivedAt - startedAt - value.handlerMs),
    });
    pending.delete(id);
    lastArrival = Date.now();
    options.onProgress?.(progressOf(jobKey, points, ranges.length, [...results.values()], started));
    if (pending.size === 0) finish();
  };

  /** Looks a pending batch up: accepts it when done, fails the run when it failed. */
  const look = async (id: string, reused = false) => {
    if (!pending.has(id) || looking.has(id) || failure) return;
    looking.add(id);
    try {
      const job = await queue.getJob(id);
      if (!job) throw new Error(`${op}: batch ${id} is no longer in the queue ${address.display} (removed by another client?)`);
      const state = await job.getState();
      if (state === 'completed') await accept(id, job, reused);
      else if (state === 'failed') throw new Error(`${op}: batch ${id} failed on a worker: ${job.failedReason}`);
    } catch (e) {
      fail(e as Error);
    } finally {
      looking.delete(id);
    }
  };

  const onAbort = () => fail(new Error(`${op}: aborted`));
  options.signal?.addEventListener('abort', onAbort);
  let timer: ReturnType<typeof setInterval> | undefined;
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    events.on('completed', ({ jobId }) => {
      if (pending.has(jobId)) arrivals.set(jobId, Date.now());
      void look(jobId);
    });
    events.on('failed', ({ jobId }) => void look(jobId));
    // A resubmission: the batches already there must be this submission's; finished ones are reused,
    // failed ones are tried again.
    const existing = await Promise.all([...byId.keys()].map((id) => queue.getJob(id)));
    for (const job of existing) {
      if (!job) continue;
      const other = fingerprintMismatch(job.data.fingerprints, fingerprints);
      if (JSON.stringify(job.data.task) !== taskJson) other.push(`its task is ${JSON.stringify(job.data.task)}, this submission's is ${taskJson}`);
      if (other.length > 0) throw new AdversarialArgumentError(op, 'jobKey', `${jobKey} already holds the batch ${job.id} of another submission (${other.join('; ')}); use another job key`);
      if ((await job.getState()) === 'failed') await job.retry('failed');
    }
    const fresh = [...byId].filter((_, i) => !existing[i]);
    await queue.addBulk(
      fresh.map(([jobId, r]) => ({
        name: 'batch',
        data: { jobKey, start: r.start, end: r.end, fingerprints, task },
        opts: { jobId, removeOnComplete: { age: keepSeconds }, removeOnFail: { age: keepSeconds } },
      })),
    );
    await Promise.all(existing.map((job) => (job ? look(job.id!, true) : undefined)));
    timer = setInterval(() => {
      if (idleTimeout !== undefined && Date.now() - lastArrival > idleTimeout) {
        fail(new Error(`${op}: no batch came back in ${idleTimeout} ms (${pending.size} of ${ranges.length} pending); are workers running on ${address.display}?`));
      }
      if (Date.now() - lastArrival >= pollMs) for (const id of pending) void look(id);
    }, pollMs);
    if (pending.size === 0) finish();
    await finished;
  } catch (e) {
    fail(e as Error);
    await withdraw(queue, [...pending]);
    throw failure;
  } finally {
    clearInterval(timer);
    options.signal?.removeEventListener('abort', onAbort);
    await events.close().catch(ignore);
    await queue.close().catch(ignore);
  }
  const batches = [...results.values()].sort((a, b) => a.start - b.start);
  return { batches, summary: summarize(jobKey, address.display, points, batches, started) };
}

/** Removes the batches still waiting (best effort: one a worker holds stays until it finishes). */
async function withdraw(queue: Queue, ids: string[]): Promise<void> {
  await Promise.all(
    ids.map(async (id) => {
      const job = await queue.getJob(id).catch(() => undefined);
      if (job && ['waiting', 'delayed', 'prioritized', 'paused', 'waiting-children'].includes(await job.getState().catch(() => ''))) await job.remove().catch(() => {});
    }),
  );
}
