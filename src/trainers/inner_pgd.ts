// The inner maximisation TRADES and MART share: L-infinity PGD from a start near x (the references draw
// x + 0.001 N(0, 1); here a uniform draw in the 0.001-ball from the seeded GPU generator), `steps` signed
// steps of `stepSize` on a loss the trainer chooses, each projected onto the eps-ball and [0, 1].
import * as tf from '@tensorflow/tfjs-core';
import { pgdStep, randomStart } from '../kernels/ops/attack_ops';

/** Radius of the start around x (the references' 0.001 standard deviation). */
export const NEAR_START = 0.001;

/**
 * PGD on `loss(images)` (a scalar, or per-row losses of `lossShape` whose sum is raised) from a point
 * within 0.001 of `x`; returns the last iterate.
 *
 * @example
 * const adv = pgdNear(x, (xa) => klDivergenceRows(natural, model.forward(xa, false)), { steps: 5, stepSize: 0.025, epsilon: 0.1, seed: 1, lossShape: [x.shape[0]] });
 */
export function pgdNear(x: tf.Tensor4D, loss: (images: tf.Tensor4D) => tf.Tensor, o: { steps: number; stepSize: number; epsilon: number; seed: number; lossShape?: number[] }): tf.Tensor4D {
  let adv = randomStart(x, { epsilon: Math.min(NEAR_START, o.epsilon), seed: o.seed }) as tf.Tensor4D;
  // The seed of the backward pass, filled on the device once: tfjs would make the ones of a per-row loss's
  // sum on the CPU and upload them every step.
  const dy = tf.fill(o.lossShape ?? [], 1);
  for (let i = 0; i < o.steps; i++) {
    const next = tf.tidy(() => {
      const grad = tf.grad((images: tf.Tensor) => loss(images as tf.Tensor4D))(adv, dy);
      return pgdStep(adv, x, grad, { stepSize: o.stepSize, epsilon: o.epsilon }) as tf.Tensor4D;
    });
    adv.dispose();
    adv = next;
  }
  dy.dispose();
  return adv;
}
