// Evaluation on GPU-resident data: the accuracy of a model on chosen examples under each attack of a
// list (any entry of the attack table), in batches. Each point's outcome is kept (robust or not), a
// composite (AutoAttack) runs its stages on the points still robust and reports each, and an interrupted
// evaluation continues from the state it saved after its last batch. Every attack is resolved and
// checked before the first tensor is made.
import * as tf from '@tensorflow/tfjs-core';
import { attackCost, attackSpecOf, compositeStages, resolveAttackSpec, runCompositeStages, type AttackSpec, type CompositeBatchProgress, type CompositeStagesOptions, type ResolvedAttack } from '../attacks/index';
import { gatherBatch, type GpuDataset } from '../data/gpu_dataset';
import type { Classifier } from '../models/classifier';
import { AdversarialArgumentError } from '../core/validate';
import { emptyProgress, evaluationStateProblem, flagsFromText, flagsToText, outcomeFromText, outcomeToText, type AttackProgress, type EvaluationState } from './evaluation_state';

/** An attack of an evaluation: an attack id (`kind`) and parameters; the rest take their defaults. */
export type EvaluationAttack = AttackSpec;

/** One stage of a composite: its robust accuracy after it ran on the points every earlier stage left. */
export interface EvaluationStage {
  attack: AttackSpec;
  label: string;
  key: string;
  /** Points it ran on. */
  attacked: number;
  /** Points still robust after it (over all the evaluation's points). */
  correct: number;
  accuracy: number;
  gradients: number;
  queries: number;
  seconds: number;
}

export interface EvaluationResult {
  /** The attack with every parameter (`{ kind: 'pgd', epsilon: 0.1, steps: 20, ... }`). */
  attack: AttackSpec;
  /** `PGD-20` */
  label: string;
  /** Tells parameter sets apart: `pgd:epsilon=0.1:steps=20:...`. */
  key: string;
  accuracy: number;
  correct: number;
  examples: number;
  /** Per point, in the order of `indices`: 1 when the model was right on the attacked image. */
  robust: Uint8Array;
  /** A composite's per point outcome: 0 misclassified clean, j (1-based) fooled by stage j, -1 robust to every stage. */
  stageOutcome?: Int16Array;
  /** Model evaluations spent (gradient evaluations, forward-only queries), from each attack's cost. */
  gradients: number;
  queries: number;
  seconds: number;
  /** A composite's stages in the order run (absent for a single attack). */
  stages?: EvaluationStage[];
}

export interface EvaluationOptions {
  /** Examples per batch (default 256). A random attack's seed for a batch is `seed + first example's position`. */
  batchSize?: number;
  /**
   * The position of `indices[0]` in a larger evaluation that this one is a part of (a shard; default 0): the
   * seeds are offset by it, so a part cut at a batch boundary gives each point the outcome of the whole run.
   */
  firstPosition?: number;
  /**
   * Called after each batch with the examples done, over all attacks, and after each stage of a composite
   * inside a batch with the batch's share done so far (weighted by the stages' costs) and the stage's label.
   */
  onProgress?: (done: number, total: number, attack: ResolvedAttack, stage?: string) => void;
  /** Called once before any work when continuing from `checkpoint.restore`, with the examples already done in `onProgress`'s measure. */
  onResume?: (done: number, total: number) => void;
  /** Per attack (in the order of `attacks`), evaluate only the first N points (undefined: all of them; 0: none). */
  limits?: (number | undefined)[];
  /** Continue from `restore` (what `save` was given before an interruption) and save after every batch. */
  checkpoint?: { restore?: EvaluationState | null; save(state: EvaluationState): Promise<void> };
}

/** The attacks of `specs` resolved against the attack table (a composite's stages too), or an error naming `attacks[i]`. */
export function resolveEvaluationAttacks(specs: AttackSpec[], op: string): ResolvedAttack[] {
  if (!Array.isArray(specs) || specs.length === 0) throw new AdversarialArgumentError(op, 'attacks', 'must be a non-empty array of attacks ({ kind, ...parameters })');
  return specs.map((spec, i) => {
    const resolved = resolveAttackSpec(spec, op, `attacks[${i}].kind`);
    if (resolved.definition.components) compositeStages(resolved.definition, resolved.params, op);
    return resolved;
  });
}

/** The batch's adversarial examples under `attack` (its seed offset by `start`), a new tensor. */
export function attackBatch(model: Classifier, attack: ResolvedAttack, batch: { x: tf.Tensor4D; onehot: tf.Tensor2D; labels: tf.Tensor1D }, start: number): tf.Tensor4D {
  const params = typeof attack.params.seed === 'number' ? { ...attack.params, seed: attack.params.seed + start } : attack.params;
  return attack.definition.run(model, batch, params);
}

/** An attack's work per point for progress and ETAs: its cost, a gradient evaluation counted as two queries. */
export const attackWork = (attack: ResolvedAttack): number => attackCost(attack).gradients * 2 + attackCost(attack).queries;

/** Correct predictions of `model` on `x` against `labels`, an int32 scalar on the device. */
export function correctCount(model: Classifier, x: tf.Tensor4D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(model.forward(x), 1), labels), 'int32')) as tf.Scalar);
}

/** One batch under one attack: per-point flags (1 = robust) and, for a composite, per-stage counts. */
async function evaluateBatch(model: Classifier, attack: ResolvedAttack, stages: ResolvedAttack[] | null, batch: { x: tf.Tensor4D; onehot: tf.Tensor2D; labels: tf.Tensor1D }, start: number, composite: CompositeStagesOptions) {
  if (stages) return runCompositeStages(model, stages, batch, start, composite);
  const x = attackBatch(model, attack, batch, start);
  const flags = tf.tidy(() => tf.cast(tf.equal(tf.argMax(model.forward(x), 1), batch.labels), 'int32'));
  x.dispose();
  try {
    return { robust: Uint8Array.from(await flags.data()), outcome: undefined, stages: [] };
  } finally {
    flags.dispose();
  }
}

/** The result of one attack from its finished progress. */
function resultOf(attack: ResolvedAttack, stages: ResolvedAttack[] | null, p: AttackProgress, examples: number): EvaluationResult {
  const robust = flagsFromText(p.robust);
  const correct = robust.reduce((a, b) => a + b, 0);
  const own = attackCost(attack);
  const result: EvaluationResult = { attack: attackSpecOf(attack), label: attack.label, key: attack.key, accuracy: correct / examples, correct, examples, robust, gradients: own.gradients * examples, queries: own.queries * examples, seconds: p.seconds };
  if (stages) {
    result.stageOutcome = outcomeFromText(p.outcome ?? '', examples);
    let stageCorrect = p.cleanCorrect;
    result.stages = stages.map((s, j) => {
      const c = attackCost(s);
      const attacked = p.stages[j].attacked;
      stageCorrect -= p.stages[j].fooled;
      return { attack: attackSpecOf(s), label: s.label, key: s.key, attacked, correct: stageCorrect, accuracy: stageCorrect / examples, gradients: c.gradients * attacked, queries: c.queries * attacked, seconds: p.stages[j].seconds };
    });
    result.gradients = result.stages.reduce((a, s) => a + s.gradients, 0);
    result.queries = result.stages.reduce((a, s) => a + s.queries, 0);
  }
  return result;
}

/**
 * Accuracy of `model` on the examples `indices` under each attack, in batches, each point's outcome
 * kept; a composite's stages each reported (robust accuracy after it, points attacked, cost, seconds).
 *
 * @example
 * const [clean, pgd] = await evaluateModel(model, data, split.test, [{ kind: 'clean' }, { kind: 'pgd', epsilon: 0.1 }]);
 * const [aa] = await evaluateModel(model, data, split.test, [{ kind: 'autoattack', epsilon: 0.1 }]);
 * aa.stages!.map((s) => `${s.label} ${s.accuracy}`); // ['APGD-CE 0.87', 'APGD-T 0.86', ...]
 */
export async function evaluateModel(model: Classifier, data: GpuDataset, indices: ArrayLike<number>, attacks: AttackSpec[], options: EvaluationOptions | number = {}): Promise<EvaluationResult[]> {
  const op = 'evaluateModel';
  const { batchSize = 256, onProgress, onResume, checkpoint, limits = [], firstPosition = 0 } = typeof options === 'number' ? { batchSize: options } : options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new AdversarialArgumentError(op, 'options.batchSize', `must be an integer >= 1, got ${batchSize}`);
  if (!Number.isInteger(firstPosition) || firstPosition < 0) throw new AdversarialArgumentError(op, 'options.firstPosition', `must be an integer >= 0, got ${firstPosition}`);
  if (indices.length === 0) throw new AdversarialArgumentError(op, 'indices', 'is empty');
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i];
    if (!Number.isInteger(v) || v < 0 || v >= data.count) throw new AdversarialArgumentError(op, `indices[${i}]`, `must be an example of the data set, in [0, ${data.count}), got ${v}`);
  }
  if (model.numClasses !== data.numClasses) throw new AdversarialArgumentError(op, 'model', `outputs ${model.numClasses} logits but the data set has ${data.numClasses} classes`);
  const resolved = resolveEvaluationAttacks(attacks, op);
  const pointsOf = resolved.map((_, a) => {
    const limit = limits[a];
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) throw new AdversarialArgumentError(op, `options.limits[${a}]`, `must be an integer >= 0 (points of attack ${a}), got ${limit}`);
    return Math.min(limit ?? indices.length, indices.length);
  });
  const stagesOf = resolved.map((a) => (a.definition.components ? compositeStages(a.definition, a.params, op) : null));
  const keys = resolved.map((a) => a.key);
  const restore = checkpoint?.restore ?? null;
  if (restore) {
    const problem = evaluationStateProblem(restore, keys, indices, batchSize, pointsOf);
    if (problem) throw new AdversarialArgumentError(op, 'options.checkpoint.restore', problem);
  }
  const state: EvaluationState = restore ? structuredClone(restore) : { version: 1, keys, indices: Array.from(indices), batchSize, attacks: resolved.map((_, a) => emptyProgress(stagesOf[a]?.length ?? 0)) };
  const total = pointsOf.reduce((a, b) => a + b, 0);
  // A composite's share of a batch done after each stage, by the stages' costs per point (a gradient
  // evaluation as two queries), for progress inside a batch.
  const stageShares = stagesOf.map((stages) => {
    const costs = (stages ?? []).map(attackWork);
    const sum = costs.reduce((x, y) => x + y, 0) || 1;
    let acc = 0;
    return costs.map((c) => (acc += c) / sum);
  });
  let done = state.attacks.reduce((a, p) => a + p.points, 0);
  if (restore) {
    const inBatch = state.attacks.reduce((acc, p, a) => acc + (p.batch ? Math.min(batchSize, pointsOf[a] - p.points) * stageShares[a][p.batch.stage - 1] : 0), 0);
    onResume?.(done + inBatch, total);
  }
  const all = tf.tensor1d(Int32Array.from(indices), 'int32');
  try {
    for (const [a, attack] of resolved.entries()) {
      const progress = state.attacks[a];
      const points = pointsOf[a];
      const flags = flagsFromText(progress.robust, points);
      const stages = stagesOf[a];
      const outcome = outcomeFromText(progress.outcome ?? '', points);
      for (let start = progress.points; start < points; start += batchSize) {
        const began = performance.now();
        const size = Math.min(batchSize, points - start);
        const batchIndices = tf.slice(all, [start], [size]) as tf.Tensor1D;
        const batch = gatherBatch(data, batchIndices);
        batchIndices.dispose();
        // A composite interrupted inside this batch goes on from its last stage done; the stages before
        // count their own seconds.
        const saved = progress.batch;
        const secondsBefore = saved ? saved.stages.reduce((acc, s) => acc + s.seconds, 0) : 0;
        try {
          const composite: CompositeStagesOptions = {
            resume: saved ? { ...saved, robust: flagsFromText(saved.robust), outcome: saved.outcome === undefined ? undefined : outcomeFromText(saved.outcome) } : undefined,
            onStage: async (p: CompositeBatchProgress) => {
              progress.batch = { stage: p.stage, robust: flagsToText(p.robust), cleanCorrect: p.cleanCorrect, stages: p.stages.map((r) => ({ ...r })), ...(p.outcome ? { outcome: outcomeToText(p.outcome) } : {}) };
              await checkpoint?.save(state);
              onProgress?.(done + size * stageShares[a][p.stage - 1], total, attack, stages![p.stage - 1].label);
            },
          };
          const out = await evaluateBatch(model, attack, stages, batch, firstPosition + start, composite);
          delete progress.batch;
          out.robust.forEach((f, i) => (flags[start + i] = f));
          out.outcome?.forEach((o, i) => (outcome[start + i] = o));
          if ('cleanCorrect' in out) progress.cleanCorrect += out.cleanCorrect;
          out.stages.forEach((r, j) => {
            progress.stages[j].attacked += r.attacked;
            progress.stages[j].fooled += r.fooled;
            progress.stages[j].seconds += r.seconds;
          });
        } finally {
          tf.dispose([batch.x, batch.labels, batch.onehot]);
        }
        progress.points = start + size;
        progress.seconds += (performance.now() - began) / 1000 + secondsBefore;
        progress.robust = flagsToText(flags.subarray(0, progress.points));
        if (stages) progress.outcome = outcomeToText(outcome.subarray(0, progress.points));
        done += size;
        await checkpoint?.save(state);
        onProgress?.(done, total, attack);
      }
    }
  } finally {
    all.dispose();
  }
  return resolved.map((attack, a) => resultOf(attack, stagesOf[a], state.attacks[a], pointsOf[a]));
}
