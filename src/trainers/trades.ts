// TRADES (Zhang et al. 2019): CE(f(x), y) + beta * KL(p(x) || p(x')), the adversarial point x' from PGD on
// the KL term alone, started near x, with p(x) held fixed while it is found. The KL term and its gradients
// run as the fused KlDivergence kernels. The MNIST script of the paper uses beta 1 (CIFAR-10: 6).
import * as tf from '@tensorflow/tfjs-core';
import { klDivergenceRows } from '../engine/loss/kl_divergence';
import { softmaxCrossEntropy } from '../engine/loss/softmax_cross_entropy';
import { pgdNear } from './inner_pgd';
import { minimize, defineTrainer } from './trainer';

export const tradesTrainer = defineTrainer({
  id: 'trades',
  title: 'TRADES',
  help: "CE(x) + beta KL(p(x) || p(x')), x' from PGD on the KL term started near x (Zhang et al. 2019)",
  adversarial: true,
  params: {
    beta: { type: 'number', default: 1, min: 0, max: 1000, help: 'weight of the KL term (the paper: 1 on MNIST, 6 on CIFAR-10)' },
    steps: { type: 'integer', default: 5, min: 1, max: 1000, help: 'PGD steps on the KL term per batch' },
    stepSize: { type: 'number', default: null, min: 0, max: 1, help: 'step size (default eps / 4)' },
  },
  step(ctx, p) {
    const { model, x, onehot, epsilon } = ctx;
    const beta = p.beta;
    const adv = tf.tidy(() => {
      const natural = model.forward(x, false);
      return pgdNear(x, (images) => klDivergenceRows(natural, model.forward(images, false)), {
        steps: p.steps,
        stepSize: p.stepSize ?? epsilon / 4,
        epsilon,
        seed: ctx.seed,
        lossShape: [x.shape[0]],
      });
    });
    try {
      return minimize(ctx, () => {
        const natural = model.forward(x, true);
        return tf.add(softmaxCrossEntropy(natural, onehot), tf.mul(tf.mean(klDivergenceRows(natural, model.forward(adv, true))), beta)) as tf.Scalar;
      });
    } finally {
      adv.dispose();
    }
  },
  reportSettings: (p, epsilon) => ({ trades_beta: p.beta, trades_steps: p.steps, trades_step_size: p.stepSize ?? epsilon / 4 }),
});
