// Clean training: the cross-entropy of the batch as it is.
import { minimize, trainingLoss, type TrainerDefinition } from './trainer';

export const cleanTrainer: TrainerDefinition = {
  id: 'clean',
  title: 'clean',
  help: 'standard training on the clean images',
  adversarial: false,
  params: {},
  step: (ctx) => minimize(ctx, () => trainingLoss(ctx.model, ctx.x, ctx.onehot)),
};
