// FGM, the fast gradient method in the L2 ball (Goodfellow et al. 2015's one-step attack with the L2
// normalisation, as in Miyato et al. 2016 and cleverhans' fast_gradient_method with norm 2):
// x' = clip(x + eps * g / ||g||_2), the norm over each example; one L2 PGD step from x itself
// (pgdStep with norm 'l2', xAdv = x0 = x, stepSize = epsilon): a row pass for the norms, one fused pass; g is
// each example's own gradient (of the loss's sum), which the step divides by its norm + 1e-12.
import * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '../models/classifier';
import { pgdStep } from '../kernels/ops/attack_ops';
import { paramTable, resolveTable } from '../core/params';
import { BALL_EPSILON_PARAM, defineAttack, type AttackOptions } from './attack';
import { checkAttackBatch, checkEpsilon } from './checks';
import { LOSS_PARAM, lossGradient } from './losses';

/** The parameters, declared once for the public function and the table entry. */
const FGM_PARAMS = paramTable({ epsilon: { ...BALL_EPSILON_PARAM, default: 1, help: 'L2 length of the step (the whole perturbation)' }, loss: LOSS_PARAM });

/** fgmAttack's options: {@link FGM_PARAMS}'s, the step's L2 length `epsilon` required. */
export type FgmAttackOptions = AttackOptions<typeof FGM_PARAMS>;

/**
 * FGM examples: clip(x + eps * g / (||g||_2 + 1e-12)) per example, g the gradient of the loss at x. A zero
 * gradient makes no step.
 *
 * @example
 * const adv = fgmAttack(model, images, onehot, { epsilon: 1.5 });
 */
export function fgmAttack(model: Classifier, x: tf.Tensor4D, onehot: tf.Tensor2D, options: FgmAttackOptions): tf.Tensor4D {
  const op = 'fgmAttack';
  checkAttackBatch(model, x, onehot, op);
  checkEpsilon(op, options.epsilon);
  const { loss } = resolveTable(op, 'options', FGM_PARAMS, { loss: options.loss });
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
  params: FGM_PARAMS,
  run: (model, batch, p) => fgmAttack(model, batch.x, batch.onehot, p),
  budget: (p) => ({ steps: 1, step_size: p.epsilon, random_start: false }),
  cost: () => ({ gradients: 1, queries: 0 }),
});
