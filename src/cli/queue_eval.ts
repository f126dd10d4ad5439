// `eval --queue URL`, the submitting side: the model and the data loaded and fingerprinted as every eval
// does (job/eval_inputs.ts), the points cut into the eval's own batches (`--eval-batch`), one queue job
// each, computed by `tfjs-adversarial worker` processes (queue_worker.ts) as `eval --shard K/B` parts
// (B = the number of batches), and the parts joined by the shard merge (job/merge.ts): report.json holds
// the one-process eval's figures and per-point outcomes, plus `queue` (its figures) and `merged_from`.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients, initWebGPU } from '../engine/init';
import { evalSummaryLines, type JobRequest } from '../job/execute';
import type { JobInputs } from '../job/eval_inputs';
import { loadEvalInputs } from '../job/eval_inputs';
import type { EvalSettings, JobEvaluationOptions } from '../job/evaluation';
import { mergeShardReports } from '../job/merge';
import { evalReportSettings } from '../job/shards';
import { runQueuedEvaluation } from '../queue/submit';
import { parseQueueUrl } from '../queue/address';
import { reachQueue } from '../queue/connect';
import type { EvalReport } from '../report/schema';
import { loadRequestSets, nodeJobIO, type ProgressPrinter } from './node_io';

/** What every batch of an `eval --queue` carries to the workers (JSON): enough to load and evaluate as the submitter would. */
export interface EvalQueueTask {
  kind: 'tfjs-adversarial/eval-batch@1';
  /** The submitter's --model (a path or URL; a worker's --model takes its place). */
  model: string;
  files: { trainImages?: string; trainLabels?: string; testImages?: string; testLabels?: string };
  inputs?: JobInputs;
  limitTest?: number;
  settings: EvalSettings;
  /** The audit, the curve, AutoAttack's points and the eval batch (no shard: each batch is one). */
  evaluation: Omit<JobEvaluationOptions, 'shard'>;
  /** The points evaluated, all batches together. */
  total: number;
}

/** A path made absolute (workers on this machine may run elsewhere in it); a URL as it is. */
const absolute = (p: string | undefined) => (p === undefined || /^[a-z][a-z0-9+.-]*:\/\//i.test(p) ? p : resolve(p));

const EVAL_KEYS = ['epsilon', 'attacks', 'evalPgdSteps', 'evalPgdRestarts', 'attackSeed'] as const;

/** The eval's job key: the fingerprints, the settings that decide the outcomes and the points, hashed (the same eval submitted again reuses its done batches). */
export function evalJobKey(fingerprints: { model: string; data: string }, task: EvalQueueTask): string {
  const decides = { fingerprints, settings: evalReportSettings(task.settings, task.evaluation), inputs: task.inputs ?? null, limitTest: task.limitTest ?? null, total: task.total };
  return `eval-${createHash('sha256').update(JSON.stringify(decides)).digest('hex').slice(0, 24)}`;
}

/**
 * Runs `request` (an eval with `queue`) through the queue and returns the report of the one-process eval;
 * writes report.json (atomically, through the job's io) when the request names --out.
 */
export async function runQueuedEvalInNode(request: JobRequest, progress: ProgressPrinter): Promise<EvalReport> {
  const address = parseQueueUrl(request.queue, 'eval');
  // Redis first: an address that does not answer is named (within 30 s) before the model and data load.
  await reachQueue(address, 30_000, 'eval --queue');
  const { adapter } = await initWebGPU();
  await ensureGradients();
  const io = nodeJobIO(request.out, progress);
  const modelPath = request.files.model!;
  const batchSize = request.evaluation.batchSize ?? 256;
  // Loaded here for the fingerprints, the data's description and the points; released before the wait.
  const loaded = await loadEvalInputs(modelPath, await loadRequestSets(request), io, { inputs: request.inputs, limitTest: request.limitTest });
  const { fingerprints } = loaded;
  const description = loaded.data.description;
  const total = loaded.data.test.length;
  const model = loaded.model;
  const modelSummary = { architecture: model.architecture ?? 'layers-model', parameters: [...model.variables, ...(model.constants ?? [])].reduce((a, v) => a + v.size, 0) };
  loaded.dispose();
  const settings = Object.fromEntries(EVAL_KEYS.map((k) => [k, request.settings[k]])) as unknown as EvalSettings;
  const { shard: _shard, ...evaluation } = request.evaluation;
  const f = request.files;
  const files = { trainImages: absolute(f.trainImages), trainLabels: absolute(f.trainLabels), testImages: absolute(f.testImages), testLabels: absolute(f.testLabels) };
  const task: EvalQueueTask = JSON.parse(JSON.stringify({ kind: 'tfjs-adversarial/eval-batch@1', model: modelPath, files, inputs: request.inputs, limitTest: request.limitTest, settings, evaluation: { ...evaluation, batchSize }, total }));
  const jobKey = evalJobKey(fingerprints, task);
  const batches = Math.ceil(total / batchSize);
  io.log(`eval --queue ${address.display}: ${total} points of ${modelPath} (${modelSummary.architecture}, ${modelSummary.parameters} weights) in ${batches} batches of ${batchSize}, job ${jobKey}; waiting for workers (tfjs-adversarial worker --queue ${address.display})`);
  if (evaluation.audit && evaluation.auditPoints > batchSize) io.log(`note: --audit-points ${evaluation.auditPoints} > --eval-batch ${batchSize}: the audit's checks on its own points run in batch 0 on its ${Math.min(batchSize, total)} points only and are marked not merged`);
  const run = await runQueuedEvaluation<EvalQueueTask, EvalReport>({
    url: request.queue!,
    jobKey,
    points: total,
    batchSize,
    fingerprints,
    task,
    onProgress: (p) => io.progress?.({ phase: 'eval', label: `queue ${address.display}: ${p.batchesDone}/${p.batches} batches, ${p.workers.length} worker${p.workers.length === 1 ? '' : 's'}`, done: p.pointsDone, total: p.points, imagesPerSecond: p.pointsPerSecond, etaSeconds: p.etaMs === null ? undefined : p.etaMs / 1000 }),
  });
  // Each batch is part K of B; the merge checks them (same model, data, settings; each once; none missing).
  const parts = run.batches.map((b) => ({ source: `batch ${b.start}-${b.end - 1} (${b.worker})`, report: b.output }));
  for (const p of parts) {
    if (p.report?.model?.fingerprint !== fingerprints.model || p.report?.data?.fingerprint !== fingerprints.data) {
      throw new Error(`eval --queue: refused ${p.source}: its report is for model ${p.report?.model?.fingerprint} and data ${p.report?.data?.fingerprint}, this eval's are ${fingerprints.model} and ${fingerprints.data}`);
    }
  }
  const merged = await mergeShardReports(parts);
  const s = run.summary;
  const report: EvalReport = {
    ...merged,
    model_path: modelPath,
    runtime: { name: 'node', version: process.version, tfjs_core: tf.version_core, backend: tf.getBackend() },
    adapter,
    data: description,
    queue: { url: s.queue, job_key: s.jobKey, batches: s.batches, reused_batches: s.reusedBatches, redelivered_batches: s.redeliveredBatches, workers: s.workers, wall_seconds: s.wallMs / 1000, mean_handler_ms: s.meanHandlerMs, mean_wait_ms: s.meanWaitMs, mean_overhead_ms: s.meanOverheadMs, median_overhead_ms: s.medianOverheadMs },
  };
  if (request.writeEvalReport) await io.writeFile('report.json', new TextEncoder().encode(`${JSON.stringify(report, null, 2)}\n`));
  console.log(
    [
      '',
      `eval of ${modelPath} on ${total} test examples, eps ${settings.epsilon}, through the queue ${s.queue}: ${s.batches} batches on ${s.workers.length} workers (${s.workers.join(', ')}), ${(s.wallMs / 1000).toFixed(1)} s, ${s.reusedBatches} reused, ${s.redeliveredBatches} delivered again; queue overhead median ${s.medianOverheadMs.toFixed(1)} ms per batch`,
      ...evalSummaryLines(report),
    ].join('\n'),
  );
  return report;
}
