// conv2dBiasReluPool against conv2dBiasRelu then tf.maxPool in Node (Dawn): the shared cases of
// test/suite/conv_relu_pool_suite.ts, bit for bit (conv_relu_pool.chromium.test.ts: the same in Chromium).
import { beforeAll, describe, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { expectConvReluPoolOk } from '../suite/conv_relu_pool_check';
import { convReluPoolCases, runConvReluPoolCase } from '../suite/conv_relu_pool_suite';
import { runSeed } from '../suite/run_seed';

beforeAll(async () => {
  await lib.initWebGPU();
  await lib.ensureGradients();
});

describe('conv2dBiasReluPool against conv2dBiasRelu then maxPool', () => {
  for (const c of convReluPoolCases) test(`${c.name} (seed ${runSeed})`, async () => expectConvReluPoolOk(c, await runConvReluPoolCase(c.name, runSeed), runSeed));
});
