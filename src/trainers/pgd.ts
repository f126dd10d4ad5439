// PGD adversarial training (Madry et al. 2018): the loss of PGD examples alone, `steps` steps of
// `stepSize` (default eps / 4) from a random start.
import { pgdAttack } from '../attacks/pgd';
import { minimize, trainingLoss, defineTrainer } from './trainer';

export const pgdTrainer = defineTrainer({
  id: 'pgd',
  title: 'PGD',
  help: 'PGD examples (random start, steps of eps/4) as the training batch (Madry et al. 2018)',
  adversarial: true,
  params: {
    steps: { type: 'integer', default: 7, min: 1, max: 1000, help: 'PGD steps per batch' },
    stepSize: { type: 'number', default: null, min: 0, max: 1, help: 'step size (default eps / 4)' },
  },
  step(ctx, p) {
    const epsilon = ctx.epsilon;
    const adv = pgdAttack(ctx.model, ctx.x, ctx.onehot, { epsilon, steps: p.steps, stepSize: p.stepSize ?? epsilon / 4, seed: ctx.seed });
    try {
      return minimize(ctx, () => trainingLoss(ctx.model, adv, ctx.onehot));
    } finally {
      adv.dispose();
    }
  },
  reportSettings: (p, epsilon) => ({ train_pgd_steps: p.steps, train_pgd_step_size: p.stepSize ?? epsilon / 4 }),
});
