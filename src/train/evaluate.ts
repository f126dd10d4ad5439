// Evaluation on GPU-resident data: the accuracy of a model on chosen examples under each attack of a
// list (any entry of the attack table), in batches, with correct counts summed on the device and read
// once per attack. Every attack is resolved and checked before the first tensor is made.
import * as tf from '@tensorflow/tfjs-core';
import { attackSpecOf, resolveAttackSpec, type AttackSpec, type ResolvedAttack } from '../attacks/index';
import { gatherBatch, type GpuDataset } from '../data/gpu_dataset';
import type { Classifier } from '../models/seed_cnn';
import { AdversarialArgumentError } from '../validate';

/** An attack of an evaluation: an attack id (`kind`) and parameters; the rest take their defaults. */
export type EvaluationAttack = AttackSpec;

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
}

export interface EvaluationOptions {
  /** Examples per batch (default 256). A random attack's seed for a batch is `seed + first example's position`. */
  batchSize?: number;
  /** Called after each batch with the examples done, over all attacks (each call waits for the device). */
  onProgress?: (done: number, total: number) => void;
}

/** The attacks of `specs` resolved against the attack table, or an error naming `attacks[i]`. */
export function resolveEvaluationAttacks(specs: AttackSpec[], op: string): ResolvedAttack[] {
  if (!Array.isArray(specs) || specs.length === 0) throw new AdversarialArgumentError(op, 'attacks', 'must be a non-empty array of attacks ({ kind, ...parameters })');
  return specs.map((spec, i) => resolveAttackSpec(spec, op, `attacks[${i}].kind`));
}

/** The batch's adversarial examples under `attack` (its seed offset by `start`), a new tensor. */
export function attackBatch(model: Classifier, attack: ResolvedAttack, batch: { x: tf.Tensor4D; onehot: tf.Tensor2D; labels: tf.Tensor1D }, start: number): tf.Tensor4D {
  const params = typeof attack.params.seed === 'number' ? { ...attack.params, seed: (attack.params.seed as number) + start } : attack.params;
  return attack.definition.run(model, batch, params);
}

/** Correct predictions of `model` on `x` against `labels`, an int32 scalar on the device. */
export function correctCount(model: Classifier, x: tf.Tensor4D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(model.forward(x), 1), labels), 'int32')) as tf.Scalar);
}

/**
 * Accuracy of `model` on the examples `indices` under each attack, in batches; correct counts summed on
 * the device and read once per attack.
 *
 * @example
 * const [clean, pgd] = await evaluateModel(model, data, split.test, [{ kind: 'clean' }, { kind: 'pgd', epsilon: 0.1 }]);
 */
export async function evaluateModel(model: Classifier, data: GpuDataset, indices: ArrayLike<number>, attacks: AttackSpec[], options: EvaluationOptions | number = {}): Promise<EvaluationResult[]> {
  const op = 'evaluateModel';
  const { batchSize = 256, onProgress } = typeof options === 'number' ? { batchSize: options } : options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new AdversarialArgumentError(op, 'options.batchSize', `must be an integer >= 1, got ${batchSize}`);
  if (indices.length === 0) throw new AdversarialArgumentError(op, 'indices', 'is empty');
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i];
    if (!Number.isInteger(v) || v < 0 || v >= data.count) throw new AdversarialArgumentError(op, `indices[${i}]`, `must be an example of the data set, in [0, ${data.count}), got ${v}`);
  }
  if (model.numClasses !== data.numClasses) throw new AdversarialArgumentError(op, 'model', `outputs ${model.numClasses} logits but the data set has ${data.numClasses} classes`);
  const resolved = resolveEvaluationAttacks(attacks, op);
  let done = 0;
  const total = indices.length * resolved.length;
  const all = tf.tensor1d(Int32Array.from(indices), 'int32');
  const results: EvaluationResult[] = [];
  try {
    for (const attack of resolved) {
      let correct = tf.scalar(0, 'int32');
      try {
        for (let start = 0; start < indices.length; start += batchSize) {
          const size = Math.min(batchSize, indices.length - start);
          const batchIndices = tf.slice(all, [start], [size]) as tf.Tensor1D;
          const batch = gatherBatch(data, batchIndices);
          batchIndices.dispose();
          try {
            const x = attackBatch(model, attack, batch, start);
            const next = tf.tidy(() => tf.add(correct, correctCount(model, x, batch.labels)) as tf.Scalar);
            tf.dispose([correct, x]);
            correct = next;
          } finally {
            tf.dispose([batch.x, batch.labels, batch.onehot]);
          }
          done += size;
          if (onProgress) {
            await correct.data(); // progress that follows the device, not the dispatch (4 bytes a batch)
            onProgress(done, total);
          }
        }
        const count = (await correct.data())[0];
        results.push({ attack: attackSpecOf(attack), label: attack.label, key: attack.key, accuracy: count / indices.length, correct: count, examples: indices.length });
      } finally {
        correct.dispose();
      }
    }
  } finally {
    all.dispose();
  }
  return results;
}
