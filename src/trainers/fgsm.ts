// The article's FGSM adversarial training (Goodfellow et al. 2015): FGSM examples at eps, the loss a
// weighted sum of the clean and the adversarial cross-entropy.
import * as tf from '@tensorflow/tfjs-core';
import { fgsmAttack } from '../attacks/fgsm';
import { minimize, trainingLoss, defineTrainer } from './trainer';

export const fgsmTrainer = defineTrainer({
  id: 'fgsm',
  title: 'FGSM',
  help: 'FGSM examples at eps; loss = w CE(x) + (1 - w) CE(x\') (the article)',
  adversarial: true,
  params: { cleanWeight: { type: 'number', default: 0.5, min: 0, max: 1, help: 'weight w of the clean loss' } },
  step(ctx, p) {
    const w = p.cleanWeight;
    const adv = fgsmAttack(ctx.model, ctx.x, ctx.onehot, { epsilon: ctx.epsilon });
    try {
      return minimize(ctx, () => tf.add(tf.mul(trainingLoss(ctx.model, ctx.x, ctx.onehot), w), tf.mul(trainingLoss(ctx.model, adv, ctx.onehot), 1 - w)) as tf.Scalar);
    } finally {
      adv.dispose();
    }
  },
  reportSettings: (p) => ({ clean_weight: p.cleanWeight }),
});
