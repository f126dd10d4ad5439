// FGM, the fast gradient method in the L2 ball (Goodfellow et al. 2015's one-step attack with the L2
// normalisation, as in Miyato et al. 2016 and cleverhans' fast_gradient_method with norm 2):
// x' = clip(x + eps * g / ||g||_2), the norm over each example; one L2 PGD step from x itself
// (pgdStep with norm 'l2', xAdv = x0 = x, stepSize = epsilon): a row pass for the norms, one fused pass; g is
// each example's own gradient (of the loss's sum), which the step divides by its norm + 1e-12.
import * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '../models/classifier';
import { pgdStep } from '../kernels/ops/attack_ops';
import { AdversarialArgumentError } from '../core/validate';
import { BALL_EPSILON_PARAM, defineAttack } from './attack';
import { checkAttackBatch, checkEpsilon } from './checks';
import { ATTACK_LOSSES, LOSS_PARAM, lossGradient } from './losses';

export interface FgmAttackOptions {
  /** The step's L2 length. */
  epsilon: number;
  /** The loss whose gradient gives the step (default 'ce'). */
  loss?: string;
  clipMin?: number;
  clipMax?: number;
}

/**
 * FGM examples: clip(x + eps * g / (||g||_2 + 1e-12)) per example, g the gradient of the loss at x. A zero
 * gradient makes no step.
 *
 * @example
 * const adv = fgmAttack(model, images, onehot, { epsilon: 1.5 });
 */
export function fgmAttack(model: Classifier, x: tf.Tensor4D, onehot: tf.Tensor2D, options: FgmAttackOptions): tf.Tensor4D {
  checkAttackBatch(model, x, onehot, 'fgmAttack');
  checkEpsilon('fgmAttack', options.epsilon);
  const loss = options.loss ?? 'ce';
  if (!ATTACK_LOSSES[loss]) throw new AdversarialArgumentError('fgmAttack', 'options.loss', `must be one of ${Object.keys(ATTACK_LOSSES).join(', ')}, got ${loss}`);
  return tf.tidy(() => {
    const grad = lossGradient((images) => model.forward(images), onehot, loss, 'sum')(x);
    const bounds = { clipMin: options.clipMin ?? 0, clipMax: options.clipMax ?? 1 };
    return pgdStep(x, x, grad, { stepSize: options.epsilon, epsilon: options.epsilon, norm: 'l2', ...bounds }) as tf.Tensor4D;
  });
}

export const fgm = defineAttack({
  id: 'fgm',
  title: 'FGM',
  threat: 'l2',
  help: 'fast gradient method: one step of L2 length eps along the gradient, clipped (the L2 twin of fgsm)',
  params: { epsilon: { ...BALL_EPSILON_PARAM, default: 1, help: 'L2 length of the step (the whole perturbation)' }, loss: LOSS_PARAM },
  run: (model, batch, p) => fgmAttack(model, batch.x, batch.onehot, { epsilon: p.epsilon, loss: p.loss }),
  budget: (p) => ({ steps: 1, step_size: p.epsilon, random_start: false }),
  cost: () => ({ gradients: 1, queries: 0 }),
});
