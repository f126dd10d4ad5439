// The losses an attack can maximise, by name: the `loss` parameter of gradient attacks. Each gives the
// batch's mean (what the gradient is taken of; cross-entropy through the fused engine kernel) and the
// per-example values (what restarts compare). Cross-entropy and DLR (Croce and Hein 2020, needs 3 or more
// classes; fused row kernels); KL comes as a further row.
import * as tf from '@tensorflow/tfjs-core';
import { softmaxCrossEntropy } from '../engine/loss/softmax_cross_entropy';
import { dlrLoss } from '../kernels/ops/attack_ops';
import type { ParamSpec } from '../core/params';

export interface AttackLoss {
  id: string;
  help: string;
  /** Mean over the batch of the loss of `logits` against one-hot `onehot`. */
  mean(logits: tf.Tensor2D, onehot: tf.Tensor2D): tf.Scalar;
  /** The loss of each example [batch]. */
  perExample(logits: tf.Tensor2D, onehot: tf.Tensor2D): tf.Tensor1D;
}

/** Per-example softmax cross-entropy [batch]. */
export function perExampleLoss(logits: tf.Tensor2D, onehot: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1)) as tf.Tensor1D);
}

export const ATTACK_LOSSES: Record<string, AttackLoss> = {
  ce: { id: 'ce', help: 'softmax cross-entropy', mean: softmaxCrossEntropy, perExample: perExampleLoss },
  dlr: {
    id: 'dlr',
    help: 'difference of logits ratio (Croce and Hein 2020; 3 or more classes)',
    mean: (logits, onehot) => tf.tidy(() => tf.mean(dlrLoss(logits, onehot)) as tf.Scalar),
    perExample: (logits, onehot) => dlrLoss(logits, onehot) as tf.Tensor1D,
  },
};

/** The `loss` parameter of a gradient attack. */
export const LOSS_PARAM = { type: 'choice', default: 'ce', choices: Object.keys(ATTACK_LOSSES), help: 'loss the attack maximises: ce (softmax cross-entropy) or dlr (difference of logits ratio)' } satisfies ParamSpec;

/**
 * d loss / d x of `model` at `x`, as a function of `x`: of the batch's mean loss, or with `reduction` 'sum'
 * of its sum (each example's own gradient, unscaled by the batch size: what an L2 step divides by its norm
 * + 1e-12, as the reference implementations do; sign steps do not see the scale).
 */
export function lossGradient(forward: (x: tf.Tensor4D) => tf.Tensor2D, onehot: tf.Tensor2D, loss: string, reduction: 'mean' | 'sum' = 'mean'): (x: tf.Tensor) => tf.Tensor {
  const l = ATTACK_LOSSES[loss];
  const batch = onehot.shape[0];
  return tf.grad((images: tf.Tensor) => (reduction === 'sum' ? tf.mul(l.mean(forward(images as tf.Tensor4D), onehot), batch) : l.mean(forward(images as tf.Tensor4D), onehot)));
}
