// The training loop on GPU-resident data, small and fast: on a synthetic 8x8 task every trainer runs and
// lowers its loss, the tensor count stays flat, no image data is uploaded per step, evaluation counts
// examples; bad options are refused by name.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { withGpuErrorScope } from '../suite/kernel_suite';
import { syntheticTask } from '../suite/synthetic';


beforeAll(async () => {
  await lib.initWebGPU();
  await lib.ensureGradients();
});

describe('trainModel on GPU-resident data', () => {
  for (const trainer of lib.trainerIds()) {
    test(`${trainer}: 3 epochs on a synthetic task lower the loss; flat tensor count; no image upload per step`, async () => {
      const task = syntheticTask(320, 5);
      const data = lib.uploadDataset(task.images, task.labels, [8, 8, 1], 10);
      const model = lib.seedCnn({ seed: 2, inputShape: [8, 8, 1] });
      const optimizer = lib.engineAdam(3e-3);
      const traffic = lib.countTraffic(lib.currentWebGPU()!.device);
      const tensorCounts: number[] = [];
      const { value: history, errors } = await withGpuErrorScope(lib.currentWebGPU()!.device, async () => {
        // Set-up: tfjs uploads the initial weights on first use.
        tf.tidy(() => model.forward(tf.zeros([1, 8, 8, 1])));
        await lib.currentWebGPU()!.device.queue.onSubmittedWorkDone();
        traffic.reset();
        const h = await lib.trainModel(model, optimizer, data, Array.from({ length: 320 }, (_, i) => i), {
          trainer,
          epsilon: 0.1,
          epochs: 3,
          batchSize: 32,
          learningRate: 3e-3,
          seed: 1,
          epsilonWarmupEpochs: 1,
          progressEvery: 5,
          onProgress: () => tensorCounts.push(tf.memory().numTensors),
        });
        return h;
      });
      const counted = traffic.read();
      expect(errors).toEqual([]);
      expect(history.length).toBe(3);
      expect(history[2].meanLoss).toBeLessThan(history[0].meanLoss);
      expect(new Set(tensorCounts.slice(1)).size, `tensor counts ${tensorCounts.join(' ')}`).toBe(1);
      // 30 steps of 32 images: an image batch is 8 KB as float32 (2 KB as bytes); per step we may upload
      // only scalars and the per-epoch order (320 int32 indices).
      const steps = 30;
      expect(counted.uploadBytes).toBeLessThan(3 * 320 * 4 + steps * 256);
      const [clean, fgsm, pgd] = await lib.evaluateModel(model, data, Array.from({ length: 100 }, (_, i) => i + 200), [
        { kind: 'clean' },
        { kind: 'fgsm', epsilon: 0.1 },
        { kind: 'pgd', epsilon: 0.1, steps: 3 },
      ]);
      for (const r of [clean, fgsm, pgd]) {
        expect(r.examples).toBe(100);
        expect(r.accuracy).toBeGreaterThanOrEqual(0);
        expect(r.accuracy).toBeLessThanOrEqual(1);
      }
      expect(clean.accuracy).toBeGreaterThan(0.5);
      expect(pgd.accuracy).toBeLessThanOrEqual(clean.accuracy);
      optimizer.dispose();
      data.dispose();
      tf.dispose(model.variables);
    });
  }
});

describe('trainModel over 200 steps', () => {
  test('fgsm-rs, batch 8, 4 epochs of 50 steps: the tensor count is flat from the first progress report on', async () => {
    const task = syntheticTask(400, 8);
    const data = lib.uploadDataset(task.images, task.labels, [8, 8, 1], 10);
    const model = lib.seedCnn({ seed: 3, inputShape: [8, 8, 1] });
    const optimizer = lib.engineAdam(3e-3);
    const counts: number[] = [];
    const { value: history, errors } = await withGpuErrorScope(lib.currentWebGPU()!.device, () =>
      lib.trainModel(model, optimizer, data, Array.from({ length: 400 }, (_, i) => i), {
        trainer: 'fgsm-rs',
        epsilon: 0.1,
        epochs: 4,
        batchSize: 8,
        learningRate: 3e-3,
        seed: 4,
        progressEvery: 10,
        onProgress: (p) => counts.push(p.globalStep, tf.memory().numTensors),
      }),
    );
    expect(errors).toEqual([]);
    const steps = counts.filter((_, i) => i % 2 === 0);
    const tensors = counts.filter((_, i) => i % 2 === 1);
    expect(steps[steps.length - 1]).toBe(200);
    expect(history.reduce((a, h) => a + h.steps, 0)).toBe(200);
    expect(new Set(tensors).size, `tensor counts ${tensors.join(' ')}`).toBe(1);
    optimizer.dispose();
    data.dispose();
    tf.dispose(model.variables);
  });
});

describe('trainModel arguments', () => {
  test('a model whose logits do not match the classes, an unknown trainer, eps < 0, a batch larger than the data', () => {
    const task = syntheticTask(20, 1);
    const data = lib.uploadDataset(task.images, task.labels, [8, 8, 1], 10);
    const five = lib.seedCnn({ seed: 1, inputShape: [8, 8, 1], numClasses: 5 });
    const model = lib.seedCnn({ seed: 1, inputShape: [8, 8, 1] });
    const optimizer = lib.engineAdam(1e-3);
    const base = { trainer: 'clean' as const, epsilon: 0.1, epochs: 1, batchSize: 4, learningRate: 1e-3, seed: 0 };
    const indices = Array.from({ length: 20 }, (_, i) => i);
    const cases: [lib.TrainOptions, typeof model, string][] = [
      [base, five, 'model'],
      [{ ...base, trainer: 'free' as never }, model, 'options.trainer'],
      [{ ...base, epsilon: -1 }, model, 'options.epsilon'],
      [{ ...base, batchSize: 64 }, model, 'options.batchSize'],
      [{ ...base, epochs: 0 }, model, 'options.epochs'],
    ];
    return Promise.all(
      cases.map(async ([o, m, argument]) => {
        await expect(lib.trainModel(m, optimizer, data, indices, o)).rejects.toMatchObject({ argument });
      }),
    ).finally(() => {
      optimizer.dispose();
      data.dispose();
      tf.dispose([...five.variables, ...model.variables]);
    });
  });
});

describe('pausing and stopping trainModel', () => {
  test('beforeStep holds each step until its promise settles; an aborted signal ends training after the current step, the partial epoch recorded', async () => {
    const task = syntheticTask(320, 5);
    const data = lib.uploadDataset(task.images, task.labels, [8, 8, 1], 10);
    const model = lib.seedCnn({ seed: 2, inputShape: [8, 8, 1] });
    const optimizer = lib.engineAdam(3e-3);
    const controller = new AbortController();
    const begun: number[] = [];
    const before = tf.memory().numTensors;
    const { value: history, errors } = await withGpuErrorScope(lib.currentWebGPU()!.device, () =>
      lib.trainModel(model, optimizer, data, Array.from({ length: 320 }, (_, i) => i), {
        trainer: 'fgsm-rs',
        epsilon: 0.1,
        epochs: 3,
        batchSize: 32,
        learningRate: 3e-3,
        seed: 1,
        // Step 13 (the 3rd of epoch 2) is held 50 ms and the stop comes while it waits: it does not run.
        beforeStep: () => {
          begun.push(begun.length);
          if (begun.length === 13) {
            return new Promise<void>((resolve) => setTimeout(() => {
              controller.abort();
              resolve();
            }, 50));
          }
        },
        signal: controller.signal,
      }),
    );
    expect(errors).toEqual([]);
    expect(begun).toHaveLength(13);
    expect(history.map((h) => [h.epoch, h.steps, h.stopped ?? false])).toEqual([[0, 10, false], [1, 2, true]]);
    expect(Number.isFinite(history[1].meanLoss)).toBe(true);
    optimizer.dispose();
    data.dispose();
    tf.dispose(model.variables);
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
  });
});
