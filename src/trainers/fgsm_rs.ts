// FGSM from a random start (Wong, Rice and Kolter 2020, "fast is better than free"): a uniform start in
// the eps-ball, one signed step of `stepScale` eps (1.25), projected onto the ball; the loss is the
// cross-entropy of that point alone.
import * as tf from '@tensorflow/tfjs-core';
import { pgdStep, randomStart } from '../kernels/ops/attack_ops';
import { minimize, trainingLoss, defineTrainer } from './trainer';

export const fgsmRsTrainer = defineTrainer({
  id: 'fgsm-rs',
  title: 'FGSM-RS',
  help: 'FGSM from a uniform random start, step 1.25 eps, projected (Wong et al. 2020)',
  adversarial: true,
  params: { stepScale: { type: 'number', default: 1.25, min: 0, max: 10, help: 'step size in units of eps' } },
  step(ctx, p) {
    const { model, x, onehot, epsilon } = ctx;
    const adv = tf.tidy(() => {
      const start = randomStart(x, { epsilon, seed: ctx.seed }) as tf.Tensor4D;
      const grad = tf.grad((images: tf.Tensor) => trainingLoss(model, images as tf.Tensor4D, onehot, false))(start);
      return pgdStep(start, x, grad, { stepSize: p.stepScale * epsilon, epsilon }) as tf.Tensor4D;
    });
    try {
      return minimize(ctx, () => trainingLoss(model, adv, onehot));
    } finally {
      adv.dispose();
    }
  },
  reportSettings: (p, epsilon) => ({ fgsm_rs_step_size: p.stepScale * epsilon }),
});
