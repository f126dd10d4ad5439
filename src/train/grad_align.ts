// Catastrophic-overfitting diagnostic (Andriushchenko and Flammarion 2020, GradAlign's measure): per
// example, the cosine between the input gradients of the cross-entropy at x and at a uniform random point
// of the eps-ball around it, averaged over the examples. A single-step trainer that starts to mask its
// gradient loses that alignment before its PGD accuracy collapses. Two gradient evaluations per example;
// one number read back.
import * as tf from '@tensorflow/tfjs-core';
import { gatherBatch, type GpuDataset } from '../data/gpu_dataset';
import { softmaxCrossEntropy } from '../engine/loss/softmax_cross_entropy';
import type { Classifier } from '../models/classifier';
import { randomStart } from '../kernels/ops/attack_ops';

export interface GradientAlignmentOptions {
  epsilon: number;
  /** Seed of the random points (per batch: seed + the batch's first position). */
  seed: number;
  /** Examples per batch (default 256). */
  batchSize?: number;
}

/** Per-example cosine of two [n, ...] gradients, 0 where either is zero. */
export function rowCosine(a: tf.Tensor, b: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const n = a.shape[0];
    const fa = tf.reshape(a, [n, -1]);
    const fb = tf.reshape(b, [n, -1]);
    const dot = tf.sum(tf.mul(fa, fb), 1);
    const norms = tf.mul(tf.sqrt(tf.sum(tf.square(fa), 1)), tf.sqrt(tf.sum(tf.square(fb), 1)));
    return tf.div(dot, tf.maximum(norms, 1e-30)) as tf.Tensor1D;
  });
}

/**
 * The mean over `indices` of cos(grad_x CE(x), grad_x CE(x + u)), u ~ U[-eps, eps] clipped to [0, 1].
 *
 * @example
 * const alignment = await gradientAlignment(model, data, split.probe, { epsilon: 0.1, seed: 0 }); // 0.62
 */
export async function gradientAlignment(model: Classifier, data: GpuDataset, indices: ArrayLike<number>, o: GradientAlignmentOptions): Promise<number> {
  const batchSize = o.batchSize ?? 256;
  const all = Int32Array.from(indices);
  let total = tf.scalar(0);
  for (let first = 0; first < all.length; first += batchSize) {
    const ids = tf.tensor1d(all.subarray(first, first + batchSize), 'int32');
    const batch = gatherBatch(data, ids);
    const next = tf.tidy(() => {
      const gradAt = (images: tf.Tensor4D) => tf.grad((xs: tf.Tensor) => softmaxCrossEntropy(model.forward(xs as tf.Tensor4D, false), batch.onehot))(images);
      const near = randomStart(batch.x, { epsilon: o.epsilon, seed: (o.seed + first) >>> 0 }) as tf.Tensor4D;
      return tf.add(total, tf.sum(rowCosine(gradAt(batch.x), gradAt(near))));
    });
    tf.dispose([ids, batch.x, batch.labels, batch.onehot, total]);
    total = next as tf.Scalar;
  }
  const sum = (await total.data())[0];
  total.dispose();
  return indices.length > 0 ? sum / indices.length : NaN;
}
