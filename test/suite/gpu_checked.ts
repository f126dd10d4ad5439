// A Node test's GPU check (vitest's expect, so not for the pages' bundles): the body in GPU error scopes,
// no error raised and no tensor left over.
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import * as lib from '../../dist/index.js';
import { withGpuErrorScope } from './kernel_suite';

/**
 * Runs `body` in GPU error scopes on the current WebGPU device: no error may be raised and no tensor may be
 * left over (tf.memory().numTensors as before).
 */
export async function gpuChecked<T>(body: () => Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const { value, errors } = await withGpuErrorScope(lib.currentWebGPU()!.device, body);
  expect(errors).toEqual([]);
  expect(tf.memory().numTensors).toBe(before);
  return value;
}
