// MART (Wang et al. 2020): the adversarial point x' from PGD on the cross-entropy, started near x; the loss
// is the boosted cross-entropy on x', CE(f(x'), y) - log(1.0001 - max_{k != y} p_k(x')), plus
// beta * KL(p(x) || p(x')) * (1 - p_y(x)), which weighs the divergence on the points the model gets wrong.
// The reference takes log(p(x') + 1e-12) in the KL; here it is the exact log-softmax (fused kernels).
import * as tf from '@tensorflow/tfjs-core';
import { klDivergenceRows } from '../engine/loss/kl_divergence';
import { softmaxCrossEntropy } from '../engine/loss/softmax_cross_entropy';
import { pgdNear } from './inner_pgd';
import { minimize, trainingLoss, defineTrainer } from './trainer';

/** MART's loss on natural logits, adversarial logits and one-hot labels (a scalar, the batch mean). */
export function martLoss(natural: tf.Tensor2D, adversarial: tf.Tensor2D, onehot: tf.Tensor2D, beta: number): tf.Scalar {
  return tf.tidy(() => {
    const q = tf.softmax(adversarial);
    // q - 2 onehot puts the true class below every other: the max is the most likely wrong class.
    const topWrong = tf.max(tf.sub(q, tf.mul(onehot, 2)), 1);
    const boost = tf.mean(tf.neg(tf.log(tf.sub(1.0001, topWrong))));
    const trueProbability = tf.sum(tf.mul(tf.softmax(natural), onehot), 1);
    const robust = tf.mean(tf.mul(klDivergenceRows(natural, adversarial), tf.sub(1.0000001, trueProbability)));
    return tf.addN([softmaxCrossEntropy(adversarial, onehot), boost, tf.mul(robust, beta)]) as tf.Scalar;
  });
}

export const martTrainer = defineTrainer({
  id: 'mart',
  title: 'MART',
  help: "boosted CE(x') + beta KL(p(x) || p(x')) (1 - p_y(x)), x' from PGD near x (Wang et al. 2020)",
  adversarial: true,
  params: {
    beta: { type: 'number', default: 6, min: 0, max: 1000, help: 'weight of the misclassification-aware KL term (the paper: 6)' },
    steps: { type: 'integer', default: 5, min: 1, max: 1000, help: 'PGD steps on the cross-entropy per batch' },
    stepSize: { type: 'number', default: null, min: 0, max: 1, help: 'step size (default eps / 4)' },
  },
  step(ctx, p) {
    const { model, x, onehot, epsilon } = ctx;
    const adv = pgdNear(x, (images) => trainingLoss(model, images, onehot, false), {
      steps: p.steps,
      stepSize: p.stepSize ?? epsilon / 4,
      epsilon,
      seed: ctx.seed,
    });
    try {
      return minimize(ctx, () => martLoss(model.forward(x, true), model.forward(adv, true), onehot, p.beta));
    } finally {
      adv.dispose();
    }
  },
  reportSettings: (p, epsilon) => ({ mart_beta: p.beta, mart_steps: p.steps, mart_step_size: p.stepSize ?? epsilon / 4 }),
});
