// The assertions every runtime makes on an L2 kernel or targeted-DLR case report (vitest's expect, in Node).
import { expect } from 'vitest';
import type { DlrTargetedReport } from './dlr_targeted_suite';
import type { L2Report } from './l2_suite';

export function expectL2Ok(r: L2Report): void {
  const where = `${r.name} (case seed ${r.seed})`;
  expect(r.gpuErrors, where).toEqual([]);
  expect(r.widthUsed, where).toBe(true);
  expect(r.poisonLeft, where).toBe(0);
  expect(r.firstMismatch, where).toBeNull();
  expect(r.mismatches, where).toBe(0);
  expect(r.fallbackFirstMismatch, `composed fallback in ${where}`).toBeNull();
  expect(r.rowsOutside, `rows leaving the ball or the box in ${where} (worst excess ${r.worstExcess})`).toBe(0);
  expect(r.leakedTensors, where).toBe(0);
}

export function expectDlrTargetedOk(r: DlrTargetedReport): void {
  const where = `${r.name} (case seed ${r.seed})`;
  expect(r.gpuErrors, where).toEqual([]);
  expect(r.poisonLeft, where).toBe(0);
  expect(r.firstMismatch, where).toBeNull();
  expect(r.lossMismatches + r.gradMismatches + r.tapeMismatches).toBe(0);
  expect(r.leakedTensors, where).toBe(0);
  expect(r.lossRelError, where).toBeLessThan(1e-5);
  expect(r.gradRelError, where).toBeLessThan(1e-5);
}
