// The kernel suite in Node, on real WebGPU through Dawn (SwiftShader where there is no GPU).
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { kernelCases } from '../suite/cases';
import { argumentCases, runArgumentCase } from '../suite/argument_suite';
import { runKernelCase, withGpuErrorScope } from '../suite/kernel_suite';
import { expectArgumentRefused, expectCaseOk } from '../suite/report_check';
import { runSeed } from '../suite/run_seed';

beforeAll(async () => {
  const { adapter } = await lib.initWebGPU();
  console.log(`node: adapter ${adapter.vendor} ${adapter.architecture} (${adapter.software ? 'software' : 'hardware'}), run seed ${runSeed}`);
  expect(tf.getBackend()).toBe('webgpu');
});

describe('fused kernels on Dawn', () => {
  for (const c of kernelCases) {
    test(c.name, async () => {
      expectCaseOk(await runKernelCase(c, runSeed));
    });
  }
});

describe('argument checks', () => {
  for (const c of argumentCases) {
    test(c.name, async () => {
      const { value, errors } = await withGpuErrorScope(lib.currentWebGPU()!.device, async () => runArgumentCase(c.name));
      expect(errors).toEqual([]);
      expectArgumentRefused(value, c.argument);
    });
  }
});
