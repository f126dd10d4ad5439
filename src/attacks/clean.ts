// The clean "attack": the batch as it is. Evaluation lists it first, so that a report's robust figures
// stand beside the clean accuracy of the same points.
import * as tf from '@tensorflow/tfjs-core';
import { defineAttack } from './attack';

export const cleanAttack = defineAttack({
  id: 'clean',
  title: 'clean',
  threat: 'none',
  help: 'no attack: the accuracy on the images as they are',
  params: {},
  run: (_model, batch) => tf.clone(batch.x),
  cost: () => ({ gradients: 0, queries: 0 }),
});
