// The GPU-resident data set in Node (Dawn): gathers against the CPU reference, traffic, argument checks.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import * as engine from '../../dist/engine.js';
import { expectGatherOk } from '../suite/dataset_check';
import { gatherCases, runGatherCase } from '../suite/dataset_suite';
import { runSeed } from '../suite/run_seed';

beforeAll(async () => {
  await lib.initWebGPU();
});

describe('GatherImages on Dawn', () => {
  for (const c of gatherCases) {
    test(c.name, async () => {
      expectGatherOk(await runGatherCase(c, runSeed));
    });
  }

  test('the cpu kernel (the reference) gives the same batch', async () => {
    const bytes = Uint8Array.from({ length: 5 * 6 }, (_, i) => (i * 37) % 256);
    await tf.setBackend('cpu');
    try {
      const data = lib.uploadDataset(bytes, [0, 1, 2, 3, 4], [2, 3, 1], 5);
      const batch = lib.gatherBatch(data, tf.tensor1d([4, 0, 2], 'int32'));
      expect(Array.from(await batch.x.data())).toEqual(Array.from(engine.gatherImagesReference(bytes, [4, 0, 2], 5, 6)));
      tf.dispose([batch.x, batch.labels, batch.onehot]);
      data.dispose();
    } finally {
      await tf.setBackend('webgpu');
    }
  });
});

describe('data set arguments', () => {
  const bytes = new Uint8Array(2 * 784);
  const cases: [string, () => unknown, string][] = [
    ['images not whole images', () => lib.uploadDataset(new Uint8Array(785), [0], [28, 28, 1], 10), 'images'],
    ['no images', () => lib.uploadDataset(new Uint8Array(0), [], [28, 28, 1], 10), 'images'],
    ['label count differs', () => lib.uploadDataset(bytes, [1], [28, 28, 1], 10), 'labels'],
    ['label out of range', () => lib.uploadDataset(bytes, [1, 10], [28, 28, 1], 10), 'labels'],
    ['bad image shape', () => lib.uploadDataset(bytes, [1, 2], [28, 0, 1], 10), 'imageShape'],
    ['one class', () => lib.uploadDataset(bytes, [0, 0], [28, 28, 1], 1), 'numClasses'],
  ];
  for (const [name, run, argument] of cases) {
    test(`uploadDataset: ${name} is refused, naming ${argument}`, () => {
      const before = tf.memory().numTensors;
      expect(run).toThrow(lib.AdversarialArgumentError);
      try {
        run();
      } catch (e) {
        expect((e as InstanceType<typeof lib.AdversarialArgumentError>).argument).toBe(argument);
      }
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  test('gatherBatch: float indices are refused, naming indices', () => {
    const data = lib.uploadDataset(bytes, [1, 2], [28, 28, 1], 10);
    const idx = tf.tensor1d([0, 1], 'float32');
    expect(() => lib.gatherBatch(data, idx as tf.Tensor1D)).toThrow(/indices must be an int32 tensor/);
    tf.dispose([idx]);
    data.dispose();
  });
});
