// What the attack tests share: one-hot labels, and the checks that adversarial images stay inside [0, 1]
// and the eps-ball (L-inf or L2) around the clean ones.
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** Every element of `adv` in [0, 1] and within `epsilon` (float32) of `x`; `where` names the draw in failures. */
export async function expectInBallAndBounds(adv: tf.Tensor, x: tf.Tensor, epsilon: number, where: string): Promise<void> {
  const a = await adv.data();
  const c = await x.data();
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    expect(a[i]).toBeGreaterThanOrEqual(0);
    expect(a[i]).toBeLessThanOrEqual(1);
    worst = Math.max(worst, Math.abs(a[i] - c[i]));
  }
  expect(worst, where).toBeLessThanOrEqual(Math.fround(epsilon) + 1e-6);
}

/** Every element of `adv` in [0, 1] and each example within L2 distance `epsilon` + 1e-5 of `x`'s. */
export async function expectInL2BallAndBounds(adv: tf.Tensor, x: tf.Tensor, epsilon: number, where: string): Promise<void> {
  const a = await adv.data();
  const c = await x.data();
  const rows = x.shape[0] ?? 1;
  const rowSize = a.length / rows;
  for (let r = 0; r < rows; r++) {
    let sq = 0;
    for (let j = r * rowSize; j < (r + 1) * rowSize; j++) {
      expect(a[j], where).toBeGreaterThanOrEqual(0);
      expect(a[j], where).toBeLessThanOrEqual(1);
      sq += (a[j] - c[j]) ** 2;
    }
    expect(Math.sqrt(sq), `${where}, example ${r}`).toBeLessThanOrEqual(epsilon + 1e-5);
  }
}

/** One-hot float32 labels [labels.length, classes]. */
export const onehotOf = (labels: number[], classes = 10): tf.Tensor2D => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), classes), 'float32') as tf.Tensor2D;
