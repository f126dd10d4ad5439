// The trade-off trainers' case, shared by Node and Chromium: one trainer trained on the small synthetic
// task (8x8, 640 examples, 8 epochs, eps 0.1) from the same model seed, data and steps as every other,
// then clean and PGD-10 accuracy on 200 held out, inside a GPU error scope, with the tensor count checked.
import * as tf from '@tensorflow/tfjs-core';
import * as lib from '../../dist/index.js';
import { withGpuErrorScope } from './kernel_suite';
import { syntheticTask } from './synthetic';

export const TRAINER_CASE_EPSILON = 0.1;

export interface TrainerCaseResult {
  trainer: string;
  clean: number;
  pgd: number;
  /** Mean loss per epoch. */
  losses: number[];
  errors: string[];
  /** Tensors alive after the case minus before it (0: nothing leaked). */
  leaked: number;
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

/** Trains `trainer` on the synthetic task and measures clean and PGD-10 accuracy (`trainer_case trades`). */
export async function runTrainerCase(trainer: string): Promise<TrainerCaseResult> {
  const before = tf.memory().numTensors;
  const { value, errors } = await withGpuErrorScope(lib.currentWebGPU()!.device, async () => {
    const task = syntheticTask(840, 11);
    const data = lib.uploadDataset(task.images, task.labels, [8, 8, 1], 10);
    const model = lib.seedCnn({ seed: 4, inputShape: [8, 8, 1] });
    const optimizer = lib.engineAdam(3e-3);
    try {
      const epsilon = TRAINER_CASE_EPSILON;
      const history = await lib.trainModel(model, optimizer, data, range(0, 640), { trainer, epsilon, epochs: 8, batchSize: 32, learningRate: 3e-3, seed: 3, epsilonWarmupEpochs: 2 });
      const [clean, pgd] = await lib.evaluateModel(model, data, range(640, 200), [
        { kind: 'clean' },
        { kind: 'pgd', epsilon, steps: 10, stepSize: epsilon / 4, seed: 1 },
      ]);
      return { clean: clean.accuracy, pgd: pgd.accuracy, losses: history.map((h) => h.meanLoss) };
    } finally {
      optimizer.dispose();
      data.dispose();
      tf.dispose(model.variables);
    }
  });
  return { trainer, ...value, errors: errors.map(String), leaked: tf.memory().numTensors - before };
}
