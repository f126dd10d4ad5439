// The worker side of the queue: a BullMQ Worker that takes batches one at a time (by default), runs the
// caller's handler on each and returns its output with the worker's own fingerprints, id and handler time.
// A worker that dies mid-batch (kill -9) stops renewing its lock; after `lockDurationMs` BullMQ's stalled-job
// check (every `stalledIntervalMs`, run by the other workers) puts the batch back in the queue. SIGTERM and
// SIGINT close it cleanly: the batch in hand is finished and returned, then the connection closes.
import { DelayedError, Worker, type Job } from 'bullmq';
import { AdversarialArgumentError } from '../core/validate';
import { connectionOptions, parseQueueUrl } from './address';
import { reachQueue } from './connect';
import { checkFingerprints, type BatchReturn, type Fingerprints, type QueueBatch } from './batch';

/** Options of `runQueueWorker`. */
export interface QueueWorkerOptions<Task, Output> {
  /** `redis://HOST:PORT[/DB][?queue=NAME]` */
  url: string;
  /**
   * The fingerprints of the model and data this worker loaded; every result carries them. A function is
   * read after each batch (a worker that loads its model from the first batch's task).
   */
  fingerprints: Fingerprints | (() => Fingerprints);
  /** Computes one batch's output (JSON-serialisable). A throw fails the batch, and the submission with it. */
  handler: (batch: QueueBatch<Task>) => Output | Promise<Output>;
  /** Batches in hand at once (1). */
  concurrency?: number;
  /** How long a batch's lock lasts without renewal (10 000 ms; renewed every half of it while the handler runs). */
  lockDurationMs?: number;
  /** How often this worker looks for stalled batches, ones whose worker's lock expired (5 000 ms). */
  stalledIntervalMs?: number;
  /** How many times a batch may stall and be delivered again before it fails (10). */
  maxStalledCount?: number;
  /** This worker's name in results and progress (`$HOSTNAME-PID`; a Kubernetes pod's name). */
  id?: string;
  /** Close on SIGTERM and SIGINT (true). */
  handleSignals?: boolean;
  /** Called after each batch the worker returns. */
  onBatch?: (done: { batch: QueueBatch<Task>; handlerMs: number }) => void;
  /** How long to wait for Redis to answer at start (30 000 ms). */
  connectTimeoutMs?: number;
  /** Called when the handler declines a batch (`BatchDeclined`): the batch went back to the queue and the worker closes. */
  onDeclined?: (declined: { batch: QueueBatch<Task>; reason: string }) => void;
  /** Called on a connection or processing error the worker goes on from (console.error by default). */
  onError?: (error: Error) => void;
}

/** A running worker. */
export interface QueueWorker {
  id: string;
  /** Stops taking batches, finishes the one in hand, closes the connection. */
  close(): Promise<void>;
  /** Settles once the worker has closed (by `close()` or a signal). */
  closed: Promise<void>;
}

/**
 * Thrown by a handler that cannot compute a batch here (its task is for another model or data than this
 * worker's): the batch goes back to the queue for another worker, untouched, and this worker closes.
 *
 * @example
 * if (batch.fingerprints.model !== mine.model) throw new BatchDeclined(`this worker's model is ${mine.model}`);
 */
export class BatchDeclined extends Error {
  override name = 'BatchDeclined';
}

function positiveInteger(op: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new AdversarialArgumentError(op, name, `must be a positive integer, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * Starts a worker on the queue at `url`; resolves once it is connected and taking batches.
 *
 * @example
 * const worker = await runQueueWorker({
 *   url: 'redis://127.0.0.1:6379?queue=cifar',
 *   fingerprints: { model: await modelFingerprint(model), data: await dataFingerprint(images) },
 *   handler: async ({ start, end }) => evaluatePoints(start, end),   // JSON out
 * });
 * await worker.closed;   // until SIGTERM
 */
export async function runQueueWorker<Task = unknown, Output = unknown>(options: QueueWorkerOptions<Task, Output>): Promise<QueueWorker> {
  const op = 'runQueueWorker';
  const address = parseQueueUrl(options.url, op);
  const given = options.fingerprints;
  const fingerprintsNow = typeof given === 'function' ? () => checkFingerprints(op, given(), 'fingerprints()') : ((f) => () => f)(checkFingerprints(op, given));
  if (typeof options.handler !== 'function') throw new AdversarialArgumentError(op, 'handler', 'must be a function of a batch');
  const concurrency = positiveInteger(op, 'concurrency', options.concurrency, 1);
  const lockDuration = positiveInteger(op, 'lockDurationMs', options.lockDurationMs, 10_000);
  const stalledInterval = positiveInteger(op, 'stalledIntervalMs', options.stalledIntervalMs, 5_000);
  const maxStalledCount = positiveInteger(op, 'maxStalledCount', options.maxStalledCount, 10);
  const connectTimeout = positiveInteger(op, 'connectTimeoutMs', options.connectTimeoutMs, 30_000);
  const id = options.id ?? `${process.env.HOSTNAME || 'worker'}-${process.pid}`;
  if (typeof id !== 'string' || id === '') throw new AdversarialArgumentError(op, 'id', `must be a non-empty string, got ${JSON.stringify(id)}`);
  const onError = options.onError ?? ((e: Error) => console.error(`${op} ${id}: ${e.message}`));

  await reachQueue(address, connectTimeout, op);

  const processor = async (job: Job<QueueBatch<Task>>, token?: string): Promise<BatchReturn<Output>> => {
    const batch = job.data;
    const started = performance.now();
    let output: Output;
    try {
      output = await options.handler(batch);
    } catch (err) {
      if ((err as Error)?.name !== 'BatchDeclined') throw err;
      // Back to the queue at once (BullMQ's manual re-queue: delayed by nothing), then this worker stops taking batches.
      await job.moveToDelayed(Date.now(), token);
      options.onDeclined?.({ batch, reason: (err as Error).message });
      void close();
      throw new DelayedError();
    }
    const handlerMs = performance.now() - started;
    options.onBatch?.({ batch, handlerMs });
    return { jobKey: batch.jobKey, start: batch.start, end: batch.end, fingerprints: fingerprintsNow(), worker: id, handlerMs, output };
  };
  const worker = new Worker<QueueBatch<Task>, BatchReturn<Output>>(address.queue, processor, {
    connection: connectionOptions(address, true),
    name: id,
    concurrency,
    lockDuration,
    stalledInterval,
    maxStalledCount,
    autorun: false,
  });
  worker.on('error', onError);

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closing: Promise<void> | undefined;
  const onSignal = () => void close();
  const close = () => {
    closing ??= (async () => {
      if (options.handleSignals !== false) {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
      await worker.close();
      resolveClosed();
    })();
    return closing;
  };
  await worker.waitUntilReady();
  if (options.handleSignals !== false) {
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  worker.run().catch((e: Error) => {
    onError(e);
    void close();
  });
  return { id, close, closed };
}
