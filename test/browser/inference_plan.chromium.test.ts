// The inference plan in headless Chromium: the Node suite's plan-vs-stock cases (test/suite/plan_suite.ts:
// MobileNetV2-like, Keras MobileNetV2 at 32, ResNet-20, the odd layers), logits, input gradient and every
// variable's gradient against the model on stock tfjs kernels, within the same tolerances (plan_check.ts).
import { describe, expect, test } from 'vitest';
import { expectPlanCaseOk } from '../suite/plan_check';
import { planCases } from '../suite/plan_suite';
import { runSeed } from '../suite/run_seed';
import { useSuitePage } from './suite_page';

const chrome = useSuitePage();

describe('inference plan in Chromium', () => {
  for (const c of planCases) {
    test(`chromium plan ${c.name}: logits, input and every variable's gradient match the model on stock tfjs`, async () => {
      expectPlanCaseOk(c, await chrome().page.evaluate((name, seed) => window.suite.runPlanCase(name, seed), c.name, runSeed));
    }, 300_000);
  }

  test('no errors on the page', () => {
    expect(chrome().pageErrors).toEqual([]);
  });
});
