// N-FGSM (de Jorge et al. 2022, "Make some noise"): noise from U[-k eps, k eps] (k = 2), one signed step of
// eps from there, clipped to [0, 1] but not projected back onto the eps-ball; the loss is the cross-entropy
// of that point alone. Single-step cost, and the paper's claim: no catastrophic overfitting without a guard.
import * as tf from '@tensorflow/tfjs-core';
import { pgdStep, randomStart } from '../kernels/ops/attack_ops';
import { minimize, trainingLoss, defineTrainer } from './trainer';

export const nfgsmTrainer = defineTrainer({
  id: 'nfgsm',
  title: 'N-FGSM',
  help: 'noise U[-2 eps, 2 eps], one FGSM step of eps, no projection (de Jorge et al. 2022)',
  adversarial: true,
  params: {
    noise: { type: 'number', default: 2, min: 0, max: 10, help: 'noise magnitude k in units of eps' },
    stepScale: { type: 'number', default: 1, min: 0, max: 10, help: 'step size in units of eps' },
  },
  step(ctx, p) {
    const { model, x, onehot, epsilon } = ctx;
    const noise = p.noise * epsilon;
    const step = p.stepScale * epsilon;
    const adv = tf.tidy(() => {
      const start = randomStart(x, { epsilon: noise, seed: ctx.seed }) as tf.Tensor4D;
      const grad = tf.grad((images: tf.Tensor) => trainingLoss(model, images as tf.Tensor4D, onehot, false))(start);
      // A ball of noise + step never binds: the projection is a no-op, the [0, 1] clip is not.
      return pgdStep(start, x, grad, { stepSize: step, epsilon: noise + step }) as tf.Tensor4D;
    });
    try {
      return minimize(ctx, () => trainingLoss(model, adv, onehot));
    } finally {
      adv.dispose();
    }
  },
  reportSettings: (p, epsilon) => ({ nfgsm_noise: p.noise * epsilon, nfgsm_step_size: p.stepScale * epsilon }),
});
