// Runs the evaluation audit (checks.ts) on a model after its evaluation: the first `points` evaluated
// points, the evaluation's eps and PGD, each check's figures and a pass, a warning or a skip, in the
// report's form. Attacks the checks need are run once each (memoised by key) on those points.
import * as tf from '@tensorflow/tfjs-core';
import { resolveAttackSpec, type AttackSpec } from '../attacks/index';
import { gatherBatch, type GpuDataset } from '../data/gpu_dataset';
import type { Classifier } from '../models/classifier';
import type { ReportAudit, ReportCurve } from '../report/schema';
import { evaluateModel, type EvaluationResult } from '../train/evaluate';
import { AdversarialArgumentError } from '../core/validate';
import { AUDIT_CHECKS, type AuditContext } from './checks';

export interface AuditOptions {
  epsilon: number;
  /** Points the audit's own attacks run on: the first of `indices` (default 100). */
  points?: number;
  pgdSteps?: number;
  seed?: number;
  curve?: ReportCurve;
  batchSize?: number;
  /** Called before each check. */
  onCheck?: (title: string, index: number, count: number) => void;
}

/**
 * The audit of `evaluation` (results of `evaluateModel` on `indices`): every check of the table.
 *
 * @example
 * const audit = await auditEvaluation(model, data, test, results, { epsilon: 0.1 });
 * audit.checks.filter((c) => c.status === 'warn').map((c) => c.summary);
 */
export async function auditEvaluation(model: Classifier, data: GpuDataset, indices: ArrayLike<number>, evaluation: EvaluationResult[], options: AuditOptions): Promise<ReportAudit> {
  const op = 'auditEvaluation';
  const points = Math.min(options.points ?? 100, indices.length);
  if (!(Number.isInteger(points) && points >= 1)) throw new AdversarialArgumentError(op, 'options.points', `must be an integer >= 1, got ${options.points}`);
  if (!(options.epsilon > 0 && options.epsilon <= 1)) throw new AdversarialArgumentError(op, 'options.epsilon', `must be a number in (0, 1], got ${options.epsilon}`);
  const began = performance.now();
  const auditIndices = Array.from(indices).slice(0, points);
  const pgd = evaluation.find((r) => r.attack.kind === 'pgd');
  const pgdSteps = options.pgdSteps ?? (typeof pgd?.attack.steps === 'number' ? pgd.attack.steps : 20);
  const seed = options.seed ?? (typeof pgd?.attack.seed === 'number' ? pgd.attack.seed : 0);
  const memo = new Map<string, Promise<EvaluationResult>>();
  const ctx: AuditContext = {
    epsilon: options.epsilon,
    pgdSteps,
    seed,
    points,
    chance: 0,
    evaluation,
    curve: options.curve,
    run(spec: AttackSpec) {
      const key = resolveAttackSpec(spec, op).key;
      if (!memo.has(key)) memo.set(key, evaluateModel(model, data, auditIndices, [spec], { batchSize: options.batchSize ?? 256 }).then(([r]) => r));
      return memo.get(key)!;
    },
    async withBatch(use) {
      const idx = tf.tensor1d(Int32Array.from(auditIndices), 'int32');
      const batch = gatherBatch(data, idx);
      idx.dispose();
      try {
        return await use({ model, batch });
      } finally {
        tf.dispose([batch.x, batch.onehot, batch.labels]);
      }
    },
  };
  const labels = await ctx.withBatch(async ({ batch }) => batch.labels.data());
  const counts = new Map<number, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  ctx.chance = Math.max(...counts.values()) / points;
  const checks: ReportAudit['checks'] = [];
  for (const [i, check] of AUDIT_CHECKS.entries()) {
    options.onCheck?.(check.title, i, AUDIT_CHECKS.length);
    const outcome = await check.run(ctx);
    checks.push({ id: check.id, title: check.title, meaning: check.meaning, ...outcome });
  }
  return { points, epsilon: options.epsilon, warnings: checks.filter((c) => c.status === 'warn').length, checks, seconds: (performance.now() - began) / 1000 };
}
