// conv2dBiasReluPool in headless Chromium: the Node suite's cases (test/suite/conv_relu_pool_suite.ts),
// the value and the gradients of x, the filter and the bias bit for bit against conv2dBiasRelu then maxPool.
import { describe, expect, test } from 'vitest';
import { expectConvReluPoolOk } from '../suite/conv_relu_pool_check';
import { convReluPoolCases } from '../suite/conv_relu_pool_suite';
import { runSeed } from '../suite/run_seed';
import { useSuitePage } from './suite_page';

const chrome = useSuitePage();

describe('conv2dBiasReluPool in Chromium', () => {
  for (const c of convReluPoolCases) {
    test(`chromium ${c.name}`, async () => {
      expectConvReluPoolOk(c, await chrome().page.evaluate((name, seed) => window.suite.runConvReluPoolCase(name, seed), c.name, runSeed), runSeed);
    }, 300_000);
  }

  test('no errors on the page', () => {
    expect(chrome().pageErrors).toEqual([]);
  });
});
