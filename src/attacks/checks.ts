// Argument checks the attacks share: a float32 NHWC batch, one-hot labels of the model's classes, a
// radius that is a finite number >= 0, the ball's norm.
import type * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '../models/classifier';
import type { StepNorm } from '../kernels/ops/attack_ops';
import { AdversarialArgumentError } from '../core/validate';

export function checkAttackBatch(model: Classifier, x: tf.Tensor, onehot: tf.Tensor, op: string): void {
  if (x.rank !== 4 || x.dtype !== 'float32') throw new AdversarialArgumentError(op, 'x', `must be a float32 tensor [batch, h, w, c], got ${x.dtype} [${x.shape}]`);
  if (onehot.rank !== 2 || onehot.shape[0] !== x.shape[0] || onehot.shape[1] !== model.numClasses) {
    throw new AdversarialArgumentError(op, 'onehot', `must be [${x.shape[0]}, ${model.numClasses}] (batch, the model's classes), got [${onehot.shape}]`);
  }
}

export function checkEpsilon(op: string, epsilon: number): void {
  if (!(epsilon >= 0) || !Number.isFinite(epsilon)) throw new AdversarialArgumentError(op, 'options.epsilon', `must be a finite number >= 0, got ${epsilon}`);
}

/** The `norm` option: 'linf' (the default) or 'l2'. */
export function checkStepNorm(op: string, norm: unknown): StepNorm {
  const n = norm ?? 'linf';
  if (n !== 'linf' && n !== 'l2') throw new AdversarialArgumentError(op, 'options.norm', `must be linf or l2, got ${JSON.stringify(n)}`);
  return n;
}
