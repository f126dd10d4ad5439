// What a trainer is: an id, its parameters with defaults and ranges, and one optimizer `step` on a batch
// that returns the batch's loss (a tensor, not read back). The training loop, the job, the benchmark's
// training steps and the demo all run trainers through this one interface.
import * as tf from '@tensorflow/tfjs-core';
import { softmaxCrossEntropy } from '../engine/loss/softmax_cross_entropy';
import type { Classifier } from '../models/classifier';
import { resolveParams, type ParamSpec, type Params, type ParamValues } from '../core/params';

/** A batch and what one step needs besides the trainer's parameters. */
export interface TrainerStepContext {
  model: Classifier;
  optimizer: tf.Optimizer;
  x: tf.Tensor4D;
  onehot: tf.Tensor2D;
  /** The step's epsilon (after the warm-up). */
  epsilon: number;
  /** Seed of the step's random draws. */
  seed: number;
}

/** One trainer; `P` its parameter table, whose values `step` and `reportSettings` read typed. */
export interface TrainerDefinition<P extends Record<string, ParamSpec> = Record<string, ParamSpec>> {
  /** Lower-case id, as `--trainer` writes it. */
  id: string;
  title: string;
  /** One line for `--help`. */
  help: string;
  /** Whether it trains on adversarial examples (the overfitting guard watches only these). */
  adversarial: boolean;
  params: P;
  /** One optimizer step on the batch; returns its mean loss. */
  step(ctx: TrainerStepContext, params: ParamValues<P>): tf.Scalar;
  /** The report's settings fields this trainer adds at `epsilon` (e.g. `fgsm_rs_step_size`). */
  reportSettings?(params: ParamValues<P>, epsilon: number): Record<string, number | string | boolean>;
}

/**
 * A trainer declared once: its parameter table's literal types give `step` and `reportSettings` their
 * parameters' TypeScript types (no casts); the table holds it as a plain TrainerDefinition.
 *
 * @example
 * export const myTrainer = defineTrainer({ id: 'mine', title: 'Mine', help: '...', adversarial: true,
 *   params: { weight: { type: 'number', default: 0.5, min: 0, max: 1, help: 'weight of the clean loss' } },
 *   step: (ctx, p) => minimize(ctx, () => myLoss(ctx, p.weight)) });
 */
export function defineTrainer<const P extends Record<string, ParamSpec>>(definition: TrainerDefinition<P>): TrainerDefinition {
  return definition as unknown as TrainerDefinition;
}

/** A trainer with every parameter checked and filled in. */
export interface ResolvedTrainer {
  definition: TrainerDefinition;
  params: Params;
}

/** `params` checked against the trainer's definition and completed (errors name `trainerParams.NAME`). */
export function resolveTrainer(definition: TrainerDefinition, params: Record<string, unknown> = {}, op = 'resolveTrainer'): ResolvedTrainer {
  return { definition, params: resolveParams(op, 'trainerParams', definition.params, params) };
}

/** The training loss: softmax cross-entropy of the model's logits in training mode (dropout, batch statistics). */
export const trainingLoss = (model: Classifier, images: tf.Tensor4D, onehot: tf.Tensor2D, training = true): tf.Scalar => softmaxCrossEntropy(model.forward(images, training), onehot);

/** One optimizer step minimising `loss` over the model's variables; returns the loss. */
export const minimize = (ctx: TrainerStepContext, loss: () => tf.Scalar): tf.Scalar => ctx.optimizer.minimize(loss, true, ctx.model.variables) as tf.Scalar;
