// The assertions on an inference-plan case report (plan_suite.ts), shared by the Node and the Chromium tests:
// the plan's counts, logits to 2e-4 of their scale, the input gradient to 2e-3 of its largest magnitude,
// every variable's gradient present, non-zero for the kernels and within 5e-3 of its scale (float rounding
// through 50-odd folded layers), a twin reference equal to the model's own predict, no GPU error, nothing
// left over.
import { expect } from 'vitest';
import type { PlanCase, PlanCaseReport } from './plan_suite';

export function expectPlanCaseOk(c: PlanCase, r: PlanCaseReport): void {
  const where = `${r.name} (case seed ${r.seed}; replay with ADVERSARIAL_TEST_SEED=${r.runSeed})`;
  expect(r.gpuErrors, where).toEqual([]);
  expect(r.fused, where).toEqual(c.fused);
  // A twin reference computes the model's own function: its forward is the model's predict to float rounding.
  if (c.twin) expect(r.twin!.worst, `${where}: the twin's forward against the model's predict`).toBeLessThan(1e-5 * Math.max(1, r.twin!.scale));
  else expect(r.twin, where).toBeNull();
  expect(r.logits.worst, `${where}: logits`).toBeLessThan(2e-4 * Math.max(1, r.logits.scale));
  expect(r.dx.scale, `${where}: input gradient`).toBeGreaterThan(0);
  expect(r.dx.worst, `${where}: input gradient`).toBeLessThan(2e-3 * r.dx.scale);
  expect(r.grads.length, where).toBe(r.variables);
  for (const g of r.grads) {
    expect(g.missing, `${where}: ${g.name} has no gradient`).toBe(false);
    if (/kernel/.test(g.name)) expect(g.oursNonZero, `${where}: ${g.name} gradient is all zero`).toBe(true);
    expect(g.worst, `${where}: ${g.name}`).toBeLessThan(5e-3 * Math.max(g.scale, 1e-3));
  }
  expect(r.leakedTensors, where).toBe(0);
}
