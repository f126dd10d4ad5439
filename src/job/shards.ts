// `eval --shard K/N`: the K-th (0-based, as a Kubernetes Indexed Job's JOB_COMPLETION_INDEX) of N
// contiguous parts of the evaluated points. Parts are cut at evaluation-batch boundaries: an attack's
// random starts are seeded per batch (seed + the batch's first position), so a part made of the single
// run's own batches gives every point the single run's outcome. Also the settings an eval's outcomes
// depend on, as the report records them (a merge requires them equal).
import { AdversarialArgumentError } from '../core/validate';
import type { EvalReportSettings, ReportShard } from '../report/schema';
import { EVAL_BATCH, type TrainJobSettings } from './settings';

/** A part of the points: K of N (K 0-based). */
export interface ShardSpec {
  index: number;
  count: number;
}

/**
 * `K/N` read as a shard (K in [0, N), N in [1, 100000]), or an error naming `argument`.
 *
 * @example
 * parseShard('0/3'); // { index: 0, count: 3 }
 */
export function parseShard(text: string, op = 'eval', argument = 'shard'): ShardSpec {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new AdversarialArgumentError(op, argument, `must be K/N (part K of N, K from 0 to N-1; e.g. 0/3), got ${JSON.stringify(text)}`);
  const [index, count] = [Number(m[1]), Number(m[2])];
  if (count < 1 || count > 100_000) throw new AdversarialArgumentError(op, argument, `must have N in [1, 100000], got ${JSON.stringify(text)}`);
  if (index >= count) throw new AdversarialArgumentError(op, argument, `must have K from 0 to N-1 (0-based, as JOB_COMPLETION_INDEX), got ${JSON.stringify(text)}`);
  return { index, count };
}

/**
 * Part `shard` of `total` points in batches of `batch`: the batches split into `count` contiguous runs
 * (part K gets batches [floor(K B / N), floor((K + 1) B / N)) of B), as positions [first, end).
 *
 * @example
 * shardRange(1000, 256, { index: 1, count: 2 }); // { index: 1, count: 2, first: 512, end: 1000, total: 1000, batch: 256 }
 */
export function shardRange(total: number, batch: number, shard: ShardSpec, op = 'eval'): ReportShard {
  const batches = Math.ceil(total / batch);
  if (shard.count > batches) throw new AdversarialArgumentError(op, 'shard', `${shard.index}/${shard.count} asks for ${shard.count} parts, but the ${total} points make ${batches} batch${batches === 1 ? '' : 'es'} of ${batch} (parts are whole batches): use N <= ${batches}, or a smaller --eval-batch`);
  const at = (k: number) => Math.min(total, Math.floor((k * batches) / shard.count) * batch);
  return { index: shard.index, count: shard.count, first: at(shard.index), end: at(shard.index + 1), total, batch };
}

/** The points a composite runs on in part [first, end) when the whole runs it on the first `compositePoints` (null: all). */
export function shardCompositePoints(compositePoints: number | null, range: { first: number; end: number }): number | null {
  return compositePoints === null ? null : Math.max(0, Math.min(compositePoints, range.end) - range.first);
}

/** report.settings of an eval: what besides the model and the data decides its outcomes. */
export function evalReportSettings(
  settings: Pick<TrainJobSettings, 'epsilon' | 'attacks' | 'evalPgdSteps' | 'evalPgdRestarts' | 'attackSeed'>,
  options: { batchSize?: number; compositePoints: number | null; epsilons: number[] | null; audit: boolean; auditPoints: number },
): EvalReportSettings {
  return {
    epsilon: settings.epsilon,
    attacks: settings.attacks,
    pgd_steps: settings.evalPgdSteps,
    pgd_restarts: settings.evalPgdRestarts,
    attack_seed: settings.attackSeed,
    eval_batch: options.batchSize ?? EVAL_BATCH,
    autoattack_points: options.compositePoints,
    epsilons: options.epsilons,
    audit: options.audit,
    audit_points: options.auditPoints,
  };
}
