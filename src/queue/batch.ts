// What travels through the queue: a batch of points [start, end) of one submission (its job key, the
// fingerprints of the model and data it is for, the task's settings as JSON), and what a worker sends back
// (the handler's output, the worker's own fingerprints and id, the handler's time). Job ids are
// deterministic, `${jobKey}@${start}-${end}` (BullMQ refuses `:` in ids), so a resubmission adds nothing.
import { AdversarialArgumentError } from '../core/validate';

/** The fingerprints of a model and a data set (`modelFingerprint`, `dataFingerprint`: `sha256:…`). */
export interface Fingerprints {
  model: string;
  data: string;
}

/** One batch of a submission, as a worker's handler receives it. */
export interface QueueBatch<Task = unknown> {
  jobKey: string;
  /** The points [start, end) of the submission. */
  start: number;
  end: number;
  /** The submitter's fingerprints: what the result must have been computed on. */
  fingerprints: Fingerprints;
  /** The submission's settings (JSON), the same for every batch. */
  task: Task;
}

/** A worker's answer for one batch (a BullMQ job's return value). */
export interface BatchReturn<Output = unknown> {
  jobKey: string;
  start: number;
  end: number;
  /** The worker's fingerprints, of the model and data it computed `output` on. */
  fingerprints: Fingerprints;
  worker: string;
  handlerMs: number;
  output: Output;
}

const KEY = /^[A-Za-z0-9._-]{1,200}$/;

/**
 * The BullMQ job id of a batch: the same for the same job key and range, so adding it again adds nothing.
 *
 * @example
 * batchJobId('cifar-pgd-1', 250, 500);  // 'cifar-pgd-1@250-500'
 */
export const batchJobId = (jobKey: string, start: number, end: number): string => `${jobKey}@${start}-${end}`;

/**
 * The batches [start, end) covering points 0..points-1, `batchSize` each (the last one shorter).
 *
 * @example
 * splitBatches(7, 3);  // [{ start: 0, end: 3 }, { start: 3, end: 6 }, { start: 6, end: 7 }]
 */
export function splitBatches(points: number, batchSize: number): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (let start = 0; start < points; start += batchSize) out.push({ start, end: Math.min(points, start + batchSize) });
  return out;
}

/** Throws naming `argument` unless `value` is a job key: 1 to 200 letters, digits, '.', '_', '-'. */
export function checkJobKey(op: string, value: unknown, argument = 'jobKey'): string {
  if (typeof value !== 'string' || !KEY.test(value)) {
    throw new AdversarialArgumentError(op, argument, `must be 1 to 200 letters, digits, '.', '_' or '-' (no ':' or '@'), got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Throws naming `argument` unless `value` holds two non-empty strings, `model` and `data`. */
export function checkFingerprints(op: string, value: unknown, argument = 'fingerprints'): Fingerprints {
  const f = value as Partial<Fingerprints> | null;
  for (const part of ['model', 'data'] as const) {
    if (typeof f !== 'object' || f === null || typeof f[part] !== 'string' || f[part] === '') {
      throw new AdversarialArgumentError(op, `${argument}.${part}`, `must be a non-empty string (a fingerprint such as modelFingerprint's 'sha256:…'), got ${JSON.stringify(f?.[part])}`);
    }
  }
  return { model: f!.model!, data: f!.data! };
}

/** The parts whose fingerprints differ, each naming the worker's and the submitter's; empty when they agree. */
export function fingerprintMismatch(got: Fingerprints, want: Fingerprints): string[] {
  return (['model', 'data'] as const).filter((p) => got[p] !== want[p]).map((p) => `its ${p} fingerprint is ${got[p]}, the submission's is ${want[p]}`);
}

/** Problems with a job's return value as a `BatchReturn` for `batch`; empty when it is one. */
export function returnProblems(value: unknown, batch: { jobKey: string; start: number; end: number }): string[] {
  const r = value as Partial<BatchReturn> | null;
  if (typeof r !== 'object' || r === null) return [`the return value is ${JSON.stringify(value)}, not an object`];
  const problems: string[] = [];
  for (const k of ['jobKey', 'start', 'end'] as const) if (r[k] !== batch[k]) problems.push(`its ${k} is ${JSON.stringify(r[k])}, not ${JSON.stringify(batch[k])}`);
  if (typeof r.fingerprints?.model !== 'string' || typeof r.fingerprints?.data !== 'string') problems.push('it carries no fingerprints');
  if (typeof r.worker !== 'string') problems.push('it names no worker');
  if (typeof r.handlerMs !== 'number') problems.push('it has no handlerMs');
  return problems;
}
