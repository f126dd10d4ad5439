// A queued run's figures: each batch's result with its timings (the wait for a free worker, the queue's own
// overhead around the handler), the progress and ETA across all workers, and the run's summary.

/** One batch's result as `runQueuedEvaluation` returns it. */
export interface QueuedBatchResult<Output> {
  start: number;
  end: number;
  output: Output;
  /** The worker that computed it. */
  worker: string;
  handlerMs: number;
  /** Found done in the queue (a resubmission) rather than computed during this run. */
  reused: boolean;
  /** How many times a worker took it (more than 1: its earlier worker died or stalled, and it was delivered again). */
  deliveries: number;
  /** From enqueueing to a worker taking it (waiting for a free worker); undefined when reused. */
  waitMs?: number;
  /**
   * The queue's own cost once a worker took it: from then to the completed event reaching the submitter,
   * less the handler's time (locking the job, storing the result, the event back); undefined when reused.
   * Worker and submitter clocks: exact on one machine, off by their skew across machines.
   */
  overheadMs?: number;
}

/** What `onProgress` receives after each batch. */
export interface QueueProgress {
  jobKey: string;
  batchesDone: number;
  batches: number;
  pointsDone: number;
  points: number;
  /** The workers that have returned a batch so far. */
  workers: string[];
  elapsedMs: number;
  /** Points per second this run (reused batches not counted), all workers together. */
  pointsPerSecond: number;
  /** The time left at that rate; null before the first computed batch. */
  etaMs: number | null;
}

/** The run's summary. */
export interface QueueRunSummary {
  jobKey: string;
  /** The queue's address (password hidden). */
  queue: string;
  points: number;
  batches: number;
  reusedBatches: number;
  /** Batches delivered more than once (their first worker died mid-batch). */
  redeliveredBatches: number;
  workers: string[];
  wallMs: number;
  pointsPerSecond: number;
  meanHandlerMs: number;
  meanWaitMs: number;
  /** The mean and the median of the batches' `overheadMs`: the queue's own cost per batch. */
  meanOverheadMs: number;
  medianOverheadMs: number;
}

const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const size = (b: { start: number; end: number }) => b.end - b.start;

/** The progress after `done` (in arrival order) of a run started at `started` (ms since the epoch). */
export function progressOf<Output>(jobKey: string, points: number, batches: number, done: QueuedBatchResult<Output>[], started: number): QueueProgress {
  const elapsedMs = Date.now() - started;
  const pointsDone = done.reduce((n, b) => n + size(b), 0);
  const computed = done.filter((b) => !b.reused).reduce((n, b) => n + size(b), 0);
  const pointsPerSecond = elapsedMs > 0 ? (1000 * computed) / elapsedMs : 0;
  const etaMs = computed > 0 ? Math.round(((points - pointsDone) / pointsPerSecond) * 1000) : null;
  return { jobKey, batchesDone: done.length, batches, pointsDone, points, workers: [...new Set(done.map((b) => b.worker))].sort(), elapsedMs, pointsPerSecond, etaMs };
}

/** The summary of a finished run. */
export function summarize<Output>(jobKey: string, queue: string, points: number, batches: QueuedBatchResult<Output>[], started: number): QueueRunSummary {
  const wallMs = Date.now() - started;
  const fresh = batches.filter((b) => !b.reused);
  return {
    jobKey,
    queue,
    points,
    batches: batches.length,
    reusedBatches: batches.length - fresh.length,
    redeliveredBatches: batches.filter((b) => b.deliveries > 1).length,
    workers: [...new Set(batches.map((b) => b.worker))].sort(),
    wallMs,
    pointsPerSecond: wallMs > 0 ? (1000 * fresh.reduce((n, b) => n + size(b), 0)) / wallMs : 0,
    meanHandlerMs: mean(fresh.map((b) => b.handlerMs)),
    meanWaitMs: mean(fresh.map((b) => b.waitMs ?? 0)),
    meanOverheadMs: mean(fresh.map((b) => b.overheadMs ?? 0)),
    medianOverheadMs: median(fresh.map((b) => b.overheadMs ?? 0)),
  };
}
