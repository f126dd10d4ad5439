// FGSM (Goodfellow et al. 2015): one signed-gradient step of size eps, x' = clip(x + eps sign(grad_x
// loss), 0, 1), or towards a target class; the step is one fused kernel after the gradient.
import * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '../models/classifier';
import { fgsmStep } from '../kernels/ops/attack_ops';
import { AdversarialArgumentError } from '../core/validate';
import { EPSILON_PARAM, defineAttack } from './attack';
import { checkAttackBatch, checkEpsilon } from './checks';
import { LOSS_PARAM, lossGradient } from './losses';

export interface FgsmAttackOptions {
  epsilon: number;
  /** Step towards `targetOnehot` (lower its loss) instead of away from the true labels. */
  targetOnehot?: tf.Tensor2D;
  /** The loss whose gradient gives the step (default 'ce'). */
  loss?: string;
  clipMin?: number;
  clipMax?: number;
}

/**
 * FGSM examples: clip(x + eps * sign(grad_x loss)), or towards a target class with `targetOnehot`.
 *
 * @example
 * const adv = fgsmAttack(model, images, onehot, { epsilon: 0.1 });
 */
export function fgsmAttack(model: Classifier, x: tf.Tensor4D, onehot: tf.Tensor2D, options: FgsmAttackOptions): tf.Tensor4D {
  checkAttackBatch(model, x, onehot, 'fgsmAttack');
  checkEpsilon('fgsmAttack', options.epsilon);
  const target = options.targetOnehot;
  if (target && (target.rank !== 2 || !tf.util.arraysEqual(target.shape, onehot.shape))) {
    throw new AdversarialArgumentError('fgsmAttack', 'options.targetOnehot', `must have the labels' shape [${onehot.shape}], got [${target.shape}]`);
  }
  return tf.tidy(() => {
    const grad = lossGradient((images) => model.forward(images), target ?? onehot, options.loss ?? 'ce')(x);
    return fgsmStep(x, grad, { epsilon: options.epsilon, targeted: target != null, clipMin: options.clipMin ?? 0, clipMax: options.clipMax ?? 1 }) as tf.Tensor4D;
  });
}

export const fgsm = defineAttack({
  id: 'fgsm',
  title: 'FGSM',
  threat: 'linf',
  help: 'one signed-gradient step of size eps (Goodfellow et al. 2015)',
  params: { epsilon: EPSILON_PARAM, loss: LOSS_PARAM },
  run: (model, batch, p) => fgsmAttack(model, batch.x, batch.onehot, { epsilon: p.epsilon, loss: p.loss }),
  budget: (p) => ({ steps: 1, step_size: p.epsilon, random_start: false }),
  cost: () => ({ gradients: 1, queries: 0 }),
});
