// Package entry `tfjs-adversarial/queue` (Node only): evaluation past one machine on a BullMQ queue in Redis.
// The submitter cuts the points into batches and collects the results (`runQueuedEvaluation`); workers
// take batches and run a handler on each (`runQueueWorker`); a worker killed mid-batch loses nothing.
export { parseQueueUrl, DEFAULT_QUEUE_NAME, QUEUE_URL_FORM, type QueueAddress } from './address';
export { batchJobId, splitBatches, type Fingerprints, type QueueBatch, type BatchReturn } from './batch';
export { runQueuedEvaluation, QueueResultRefused, type QueuedEvaluationOptions, type QueuedEvaluation } from './submit';
export { runQueueWorker, BatchDeclined, type QueueWorkerOptions, type QueueWorker } from './worker';
export type { QueuedBatchResult, QueueProgress, QueueRunSummary } from './stats';
export { AdversarialArgumentError } from '../core/validate';
