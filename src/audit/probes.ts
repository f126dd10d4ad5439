// The audit's own measurements that no attack of the table gives: the share of clean points whose input
// gradient is zero or not finite, and PGD's mean loss after every step (is it still rising at the end?).
import * as tf from '@tensorflow/tfjs-core';
import { perExampleLoss } from '../attacks/losses';
import type { Classifier } from '../models/classifier';
import { pgdStep, randomStart } from '../kernels/ops/attack_ops';
import { softmaxCrossEntropy } from '../engine/loss/softmax_cross_entropy';
import type { AttackBatch } from '../attacks/attack';

/**
 * Per point of `batch`: 1 when the cross-entropy gradient with respect to the input is zero everywhere
 * or has a non-finite element (the attack has nothing to follow there), else 0.
 *
 * @example
 * const flags = await degenerateGradientFlags(model, batch); // Uint8Array [batch]
 */
export async function degenerateGradientFlags(model: Classifier, batch: AttackBatch): Promise<Uint8Array> {
  const flags = tf.tidy(() => {
    const grad = tf.grad((x: tf.Tensor) => softmaxCrossEntropy(model.forward(x as tf.Tensor4D), batch.onehot))(batch.x);
    const rows = tf.reshape(grad, [batch.x.shape[0], -1]);
    const zero = tf.equal(tf.max(tf.abs(rows), 1), 0);
    // NaN and infinity: x - x is NaN for both, and NaN != NaN.
    const diff = tf.sub(rows, rows);
    const nonFinite = tf.any(tf.notEqual(diff, diff), 1);
    return tf.cast(tf.logicalOr(zero, nonFinite), 'int32');
  });
  try {
    return Uint8Array.from(await flags.data());
  } finally {
    flags.dispose();
  }
}

/**
 * The mean cross-entropy over `batch` at the start and after each of `steps` L-inf PGD steps (step
 * 2.5 eps / steps, random start `seed`): one value per step, read back once at the end.
 *
 * @example
 * const losses = await pgdLossTrace(model, batch, 0.1, 20, 0); // Float32Array [21]
 */
export async function pgdLossTrace(model: Classifier, batch: AttackBatch, epsilon: number, steps: number, seed: number): Promise<Float32Array> {
  const stepSize = (2.5 * epsilon) / steps;
  const meanLoss = (x: tf.Tensor4D) => tf.tidy(() => tf.mean(perExampleLoss(model.forward(x), batch.onehot)));
  const grad = tf.grad((x: tf.Tensor) => softmaxCrossEntropy(model.forward(x as tf.Tensor4D), batch.onehot));
  let adv = randomStart(batch.x, { epsilon, seed }) as tf.Tensor4D;
  const trace: tf.Tensor[] = [meanLoss(adv)];
  try {
    for (let i = 0; i < steps; i++) {
      const next = tf.tidy(() => pgdStep(adv, batch.x, grad(adv), { stepSize, epsilon }) as tf.Tensor4D);
      adv.dispose();
      adv = next;
      trace.push(meanLoss(adv));
    }
    const stacked = tf.stack(trace);
    try {
      return Float32Array.from(await stacked.data());
    } finally {
      stacked.dispose();
    }
  } finally {
    tf.dispose([adv, ...trace]);
  }
}
