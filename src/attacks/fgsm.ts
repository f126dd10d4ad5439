// FGSM (Goodfellow et al. 2015): one signed-gradient step of size eps, x' = clip(x + eps sign(grad_x
// loss), 0, 1), or towards a target class; the step is one fused kernel after the gradient.
import * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '../models/classifier';
import { fgsmStep } from '../kernels/ops/attack_ops';
import { AdversarialArgumentError } from '../core/validate';
import { paramTable, resolveTable } from '../core/params';
import { EPSILON_PARAM, defineAttack, type AttackOptions } from './attack';
import { checkAttackBatch, checkEpsilon } from './checks';
import { LOSS_PARAM, lossGradient } from './losses';

/** The parameters, declared once for the public function and the table entry. */
const FGSM_PARAMS = paramTable({ epsilon: EPSILON_PARAM, loss: LOSS_PARAM });

/** fgsmAttack's options: {@link FGSM_PARAMS}'s, the radius required, and an optional target. */
export type FgsmAttackOptions = AttackOptions<typeof FGSM_PARAMS> & {
  /** Step towards `targetOnehot` (lower its loss) instead of away from the true labels. */
  targetOnehot?: tf.Tensor2D;
};

/**
 * FGSM examples: clip(x + eps * sign(grad_x loss)), or towards a target class with `targetOnehot`.
 *
 * @example
 * const adv = fgsmAttack(model, images, onehot, { epsilon: 0.1 });
 */
export function fgsmAttack(model: Classifier, x: tf.Tensor4D, onehot: tf.Tensor2D, options: FgsmAttackOptions): tf.Tensor4D {
  const op = 'fgsmAttack';
  checkAttackBatch(model, x, onehot, op);
  checkEpsilon(op, options.epsilon);
  const { loss } = resolveTable(op, 'options', FGSM_PARAMS, { loss: options.loss });
  const target = options.targetOnehot;
  if (target && (target.rank !== 2 || !tf.util.arraysEqual(target.shape, onehot.shape))) {
    throw new AdversarialArgumentError(op, 'options.targetOnehot', `must have the labels' shape [${onehot.shape}], got [${target.shape}]`);
  }
  return tf.tidy(() => {
    const grad = lossGradient((images) => model.forward(images), target ?? onehot, loss)(x);
    return fgsmStep(x, grad, { epsilon: options.epsilon, targeted: target != null, clipMin: options.clipMin ?? 0, clipMax: options.clipMax ?? 1 }) as tf.Tensor4D;
  });
}

export const fgsm = defineAttack({
  id: 'fgsm',
  title: 'FGSM',
  threat: 'linf',
  help: 'one signed-gradient step of size eps (Goodfellow et al. 2015)',
  params: FGSM_PARAMS,
  run: (model, batch, p) => fgsmAttack(model, batch.x, batch.onehot, p),
  budget: (p) => ({ steps: 1, step_size: p.epsilon, random_start: false }),
  cost: () => ({ gradients: 1, queries: 0 }),
});
