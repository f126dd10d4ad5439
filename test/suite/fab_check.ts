// The assertions every runtime makes on a FAB projection case report (vitest's expect, in Node).
import { expect } from 'vitest';
import type { FabReport } from './fab_suite';

export function expectFabOk(r: FabReport): void {
  const where = `${r.name} (case seed ${r.seed})`;
  expect(r.gpuErrors, where).toEqual([]);
  expect(r.poisonLeft, where).toBe(0);
  expect(r.firstMismatch, where).toBeNull();
  expect(r.fusedMismatches + r.composedMismatches, where).toBe(0);
  expect(r.normMismatches, where).toBe(0);
  expect(r.nanMismatches, where).toBe(0);
  expect(r.applyMismatches, `FabProjectionApply in ${where}`).toBe(0);
  expect(r.stepMismatches, `FabStep in ${where}`).toBe(0);
  expect(r.stepComposedMismatches, `composed step in ${where}`).toBe(0);
  expect(r.leakedTensors, where).toBe(0);
}
