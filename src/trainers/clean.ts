// Clean training: the cross-entropy of the batch as it is.
import { minimize, trainingLoss, defineTrainer } from './trainer';

export const cleanTrainer = defineTrainer({
  id: 'clean',
  title: 'clean',
  help: 'standard training on the clean images',
  adversarial: false,
  params: {},
  step: (ctx) => minimize(ctx, () => trainingLoss(ctx.model, ctx.x, ctx.onehot)),
});
