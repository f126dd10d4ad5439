// The engine kernels in Node, on real WebGPU through Dawn, against the float64 references.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { engineCases } from '../suite/engine_cases';
import { expectEngineCaseOk } from '../suite/engine_check';
import { runEngineCase } from '../suite/engine_suite';
import { runSeed } from '../suite/run_seed';

beforeAll(async () => {
  await lib.initWebGPU();
  await lib.ensureGradients();
  expect(tf.getBackend()).toBe('webgpu');
});

describe('engine kernels on Dawn', () => {
  for (const c of engineCases) {
    test(c.name, async () => {
      expectEngineCaseOk(c, await runEngineCase(c, runSeed));
    });
  }
});
