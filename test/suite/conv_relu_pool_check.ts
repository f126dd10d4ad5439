// The assertions Node and Chromium make on a conv_relu_pool case's report (conv_relu_pool_suite.ts).
import { expect } from 'vitest';
import type { ConvReluPoolCase, ConvReluPoolReport } from './conv_relu_pool_suite';

export function expectConvReluPoolOk(c: ConvReluPoolCase, r: ConvReluPoolReport, seed: number): void {
  const where = `${c.name} (seed ${seed}; replay with ADVERSARIAL_TEST_SEED)`;
  expect(r.errors, where).toEqual([]);
  expect(r.fused, where).toBe(c.fused);
  expect(r.differing, where).toEqual([]);
  if (c.bias < 0) expect(r.someMasked, `${where}: some x gradient masked to 0`).toBe(true);
  if (c.nan) expect(r.nanInFilterGradient, `${where}: the NaN reaches the filter gradient`).toBe(true);
  expect(r.leakedTensors, `${where}: no tensor leaked`).toBe(0);
}
