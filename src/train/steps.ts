// One step of each trainer and of FGSM evaluation, on batches already on the GPU; attacks through the fused
// kernels. Nothing here reads back: losses and counts stay tensors until the caller wants them.
import * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '../models/seed_cnn';
import { softmaxCrossEntropy } from '../engine/softmax_cross_entropy';
import { fgsmStep, pgdStep, randomStart } from '../ops';

/** Mean softmax cross-entropy of logits against one-hot labels (fused kernels on webgpu). */
export function crossEntropy(logits: tf.Tensor2D, onehot: tf.Tensor2D): tf.Scalar {
  return softmaxCrossEntropy(logits, onehot);
}

/** d loss / d x for the model at x. */
export function inputGradient(model: Classifier, x: tf.Tensor4D, onehot: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => tf.grad((images: tf.Tensor) => crossEntropy(model.forward(images as tf.Tensor4D), onehot))(x) as tf.Tensor4D);
}

/** FGSM examples: clip(x + eps * sign(grad), 0, 1), one fused pass after the gradient. */
export function fgsmExamples(model: Classifier, x: tf.Tensor4D, onehot: tf.Tensor2D, epsilon: number): tf.Tensor4D {
  return tf.tidy(() => fgsmStep(x, inputGradient(model, x, onehot), { epsilon }) as tf.Tensor4D);
}

/** PGD examples in the L-infinity ball: random start, `steps` fused steps of `stepSize`. */
export function pgdExamples(
  model: Classifier,
  x: tf.Tensor4D,
  onehot: tf.Tensor2D,
  o: { epsilon: number; steps: number; stepSize: number; seed: number },
): tf.Tensor4D {
  return tf.tidy(() => {
    let adv = randomStart(x, { epsilon: o.epsilon, seed: o.seed }) as tf.Tensor4D;
    for (let i = 0; i < o.steps; i++) {
      const next = pgdStep(adv, x, inputGradient(model, adv, onehot), { stepSize: o.stepSize, epsilon: o.epsilon }) as tf.Tensor4D;
      adv.dispose();
      adv = next;
    }
    return adv;
  });
}

/** One optimizer step on the loss of `x`; returns the loss (a tensor, not read back). */
export function trainOn(model: Classifier, optimizer: tf.Optimizer, x: tf.Tensor4D, onehot: tf.Tensor2D): tf.Scalar {
  return optimizer.minimize(() => crossEntropy(model.forward(x), onehot), true, model.variables) as tf.Scalar;
}

/** Clean training step. */
export function cleanStep(model: Classifier, optimizer: tf.Optimizer, x: tf.Tensor4D, onehot: tf.Tensor2D): tf.Scalar {
  return trainOn(model, optimizer, x, onehot);
}

/** The seed's FGSM adversarial-training step: attack the B images, update on the 2B clean plus adversarial. */
export function fgsmTrainStep(model: Classifier, optimizer: tf.Optimizer, x: tf.Tensor4D, onehot: tf.Tensor2D, epsilon: number): tf.Scalar {
  const [both, labels] = tf.tidy(() => {
    const adv = fgsmExamples(model, x, onehot, epsilon);
    return [tf.concat([x, adv]) as tf.Tensor4D, tf.concat([onehot, onehot]) as tf.Tensor2D];
  });
  const loss = trainOn(model, optimizer, both, labels);
  tf.dispose([both, labels]);
  return loss;
}

/** PGD adversarial-training step (Madry et al.): update on PGD examples only. */
export function pgdTrainStep(
  model: Classifier,
  optimizer: tf.Optimizer,
  x: tf.Tensor4D,
  onehot: tf.Tensor2D,
  o: { epsilon: number; steps: number; stepSize: number; seed: number },
): tf.Scalar {
  const adv = pgdExamples(model, x, onehot, o);
  const loss = trainOn(model, optimizer, adv, onehot);
  adv.dispose();
  return loss;
}

/** Correct predictions on FGSM examples of the batch (an int32 scalar, not read back). */
export function fgsmCorrect(model: Classifier, x: tf.Tensor4D, onehot: tf.Tensor2D, labels: tf.Tensor1D, epsilon: number): tf.Scalar {
  return tf.tidy(() => {
    const adv = fgsmExamples(model, x, onehot, epsilon);
    return tf.sum(tf.cast(tf.equal(tf.argMax(model.forward(adv), 1), labels), 'int32')) as tf.Scalar;
  });
}
