// Composite attacks (AutoAttack's composition by name): a list of attacks run in order, each only on the
// points that every earlier attack failed to fool, the first adversarial point found kept per point.
// `runCompositeStages` is the one loop: evaluation uses its per-stage counts and seconds, and a
// composite's own `run` (a user calling the attack directly) uses its images.
import * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '../models/classifier';
import type { Params } from '../core/params';
import { AdversarialArgumentError } from '../core/validate';
import { attackCost, resolveAttack, type AttackBatch, type AttackDefinition, type ResolvedAttack } from './attack';
import { registry } from '../core/registry';

/** The attack table (the same one `index.ts` fills; looked up by kind, no import cycle). */
const ATTACK_REGISTRY = registry<AttackDefinition>('attack', []);

/** The components of a composite, each resolved against the table (naming `attack.ID.components[i]`). */
export function compositeStages(definition: AttackDefinition, params: Params, op = 'compositeStages'): ResolvedAttack[] {
  const specs = definition.components?.(params) ?? [];
  if (specs.length === 0) throw new AdversarialArgumentError(op, `attack ${definition.id}`, 'is not a composite (it lists no components)');
  return specs.map((spec, i) => {
    const argument = `attack ${definition.id}.components[${i}]`;
    if (!ATTACK_REGISTRY.has(spec.kind)) throw new AdversarialArgumentError(op, argument, `names ${JSON.stringify(spec.kind)}, which is not in the attack table; known: ${ATTACK_REGISTRY.ids().join(', ')}`);
    const component = ATTACK_REGISTRY.get(spec.kind);
    if (component.components) throw new AdversarialArgumentError(op, argument, `is a composite itself (${spec.kind}); list its attacks instead`);
    return resolveAttack(component, spec, op);
  });
}

/** What one stage did on one batch. */
export interface StageBatchResult {
  /** Points the stage ran on (those still robust before it). */
  attacked: number;
  /** Points it fooled. */
  fooled: number;
  seconds: number;
}

/** Where a composite stopped inside a batch: the stages done, each point's flag after them, their counts. */
export interface CompositeBatchProgress {
  /** Stages done (the next one to run). */
  stage: number;
  /** Per point of the batch, 1 = robust to every stage done. */
  robust: Uint8Array;
  cleanCorrect: number;
  stages: StageBatchResult[];
  /** Per point: 0 misclassified clean, j (1-based) fooled by stage j, -1 robust so far (absent in states saved before it: 0 for every point not robust). */
  outcome?: Int16Array;
}

export interface CompositeStagesOptions {
  /** Also return the images (see {@link runCompositeStages}); not with `resume`. */
  keepImages?: boolean;
  /** Continue the batch from the stage it stopped at (what `onStage` was given). */
  resume?: CompositeBatchProgress;
  /** Called after each stage but the last, to save the batch's progress or report it. */
  onStage?: (progress: CompositeBatchProgress) => Promise<void> | void;
}

/** The correct-prediction flags of `model` on `x` against `labels`, read back (1 = correct). */
async function correctFlags(model: Classifier, x: tf.Tensor4D, labels: tf.Tensor1D): Promise<Uint8Array> {
  const t = tf.tidy(() => tf.cast(tf.equal(tf.argMax(model.forward(x), 1), labels), 'int32'));
  try {
    return Uint8Array.from(await t.data());
  } finally {
    t.dispose();
  }
}

/**
 * Runs `stages` on `batch` as a composite: clean-correct points are attacked by the first stage, the
 * points it fails to fool by the second, and so on (a stage's seed offset by `start`, as evaluation
 * offsets every attack's). Returns each point's flag (1 = robust to every stage), per-stage counts and
 * seconds, and, when `keepImages`, the images (a fooled point's first adversarial image, a robust point's
 * last stage's image, a misclassified clean point's clean image). `onStage` hears of each stage done;
 * `resume` continues a batch from such a report, with the outcomes of a run that was not interrupted
 * (a stage's seed depends on `start` only). `outcome` says per point which stage fooled it (0: misclassified
 * clean, j: stage j, 1-based; -1: robust to every stage).
 *
 * @example
 * const { robust, stages } = await runCompositeStages(model, compositeStages(autoattack, params), batch, 0);
 */
export async function runCompositeStages(model: Classifier, stages: ResolvedAttack[], batch: AttackBatch, start: number, options: CompositeStagesOptions = {}): Promise<{ robust: Uint8Array; outcome: Int16Array; cleanCorrect: number; stages: StageBatchResult[]; images: tf.Tensor4D | null }> {
  const { keepImages = false, resume, onStage } = options;
  if (resume && keepImages) throw new AdversarialArgumentError('runCompositeStages', 'options.resume', 'cannot keep images (options.keepImages): the stages done before it are not re-run');
  if (resume && !(Number.isInteger(resume.stage) && resume.stage >= 0 && resume.stage <= stages.length && resume.robust.length === batch.labels.shape[0] && resume.stages.length === resume.stage)) {
    throw new AdversarialArgumentError('runCompositeStages', 'options.resume', `does not fit this batch and ${stages.length} stages (stage ${resume.stage}, ${resume.robust.length} flags, ${resume.stages.length} stage results)`);
  }
  const robust = resume ? Uint8Array.from(resume.robust) : await correctFlags(model, batch.x, batch.labels);
  const cleanCorrect = resume ? resume.cleanCorrect : robust.reduce((a, b) => a + b, 0);
  const outcome = resume?.outcome ? Int16Array.from(resume.outcome) : Int16Array.from(robust, (f) => (f ? -1 : 0));
  let images = keepImages ? batch.x.clone() : null;
  const results: StageBatchResult[] = resume ? resume.stages.map((s) => ({ ...s })) : [];
  // One stage on the points still robust: flags and images updated, its counts returned.
  const runStage = async (stage: ResolvedAttack, stageNumber: number): Promise<StageBatchResult> => {
    const began = performance.now();
    const rows = Array.from(robust.keys()).filter((i) => robust[i] === 1);
    if (rows.length === 0) return { attacked: 0, fooled: 0, seconds: 0 };
    const rowsT = tf.tensor1d(Int32Array.from(rows), 'int32');
    const sub: AttackBatch = tf.tidy(() => ({ x: tf.gather(batch.x, rowsT) as tf.Tensor4D, onehot: tf.gather(batch.onehot, rowsT) as tf.Tensor2D, labels: tf.gather(batch.labels, rowsT) as tf.Tensor1D }));
    let adv: tf.Tensor4D | null = null;
    try {
      const params = typeof stage.params.seed === 'number' ? { ...stage.params, seed: stage.params.seed + start } : stage.params;
      adv = stage.definition.run(model, sub, params);
      const still = await correctFlags(model, adv, sub.labels);
      let fooled = 0;
      rows.forEach((row, k) => {
        if (still[k] === 0) {
          robust[row] = 0;
          outcome[row] = stageNumber;
          fooled++;
        }
      });
      if (images) {
        // Robust rows take this stage's image; fooled rows keep theirs from here on.
        const next = tf.tidy(() => tf.tensorScatterUpdate(images!, tf.reshape(rowsT, [rows.length, 1]) as tf.Tensor2D, adv!) as tf.Tensor4D);
        images.dispose();
        images = next;
      }
      return { attacked: rows.length, fooled, seconds: (performance.now() - began) / 1000 };
    } finally {
      tf.dispose([rowsT, sub.x, sub.onehot, sub.labels]);
      adv?.dispose();
    }
  };
  try {
    for (let j = resume?.stage ?? 0; j < stages.length; j++) {
      results.push(await runStage(stages[j], j + 1));
      if (j + 1 < stages.length) await onStage?.({ stage: j + 1, robust, cleanCorrect, stages: results, outcome });
    }
    return { robust, outcome, cleanCorrect, stages: results, images };
  } catch (err) {
    images?.dispose();
    throw err;
  }
}

/** Gradient evaluations and queries of a composite's stages on `attacked[j]` points each. */
export function compositeCost(stages: ResolvedAttack[], attacked: number[]): { gradients: number; queries: number } {
  return stages.reduce(
    (acc, s, j) => {
      const c = attackCost(s);
      return { gradients: acc.gradients + c.gradients * attacked[j], queries: acc.queries + c.queries * attacked[j] };
    },
    { gradients: 0, queries: 0 },
  );
}

/**
 * A composite's images without read-backs (its `run`): every stage runs on the whole batch and each
 * point keeps the first stage's image that fools the model (else the last stage's). Evaluation runs
 * {@link runCompositeStages} instead, which attacks only the points still robust.
 *
 * @example
 * const adv = runComposite(model, compositeStages(autoattack, params), batch);
 */
export function runComposite(model: Classifier, stages: ResolvedAttack[], batch: AttackBatch): tf.Tensor4D {
  const rows = (mask: tf.Tensor1D, a: tf.Tensor4D, b: tf.Tensor4D) => tf.where(tf.broadcastTo(tf.reshape(mask, [a.shape[0], 1, 1, 1]), a.shape), a, b) as tf.Tensor4D;
  let fooled = tf.tidy(() => tf.notEqual(tf.argMax(model.forward(batch.x), 1), batch.labels) as tf.Tensor1D);
  let images = batch.x.clone();
  try {
    for (const stage of stages) {
      const adv = stage.definition.run(model, batch, stage.params);
      const [nextImages, nextFooled] = tf.tidy(() => {
        const wrong = tf.notEqual(tf.argMax(model.forward(adv), 1), batch.labels) as tf.Tensor1D;
        return [rows(fooled, images, adv), tf.logicalOr(fooled, wrong) as tf.Tensor1D];
      });
      tf.dispose([adv, images, fooled]);
      images = nextImages;
      fooled = nextFooled;
    }
    return images;
  } catch (err) {
    images.dispose();
    throw err;
  } finally {
    fooled.dispose();
  }
}

/** A composite definition's `run`: its stages resolved, then {@link runComposite}. */
export const compositeRun = (definition: () => AttackDefinition) => (model: Classifier, batch: AttackBatch, params: Params): tf.Tensor4D => runComposite(model, compositeStages(definition(), params, `${definition().id}.run`), batch);
