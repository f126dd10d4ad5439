// The assertions every runtime makes on a DLR, APGD-step or APGD-update case report (vitest's expect, in Node).
import { expect } from 'vitest';
import type { ApgdStepReport, DlrReport } from './apgd_suite';
import type { ApgdUpdateReport } from './apgd_update_suite';

export function expectDlrOk(r: DlrReport): void {
  const where = `${r.name} (case seed ${r.seed})`;
  expect(r.gpuErrors, where).toEqual([]);
  expect(r.poisonLeft, where).toBe(0);
  expect(r.firstMismatch, where).toBeNull();
  expect(r.lossMismatches + r.gradMismatches + r.tapeMismatches).toBe(0);
  expect(r.leakedTensors, where).toBe(0);
  // float32 against float64: a few roundings of a division (huge logits: the same, relative).
  expect(r.lossRelError, where).toBeLessThan(1e-5);
  expect(r.gradRelError, where).toBeLessThan(1e-5);
}

export function expectApgdStepOk(r: ApgdStepReport): void {
  const where = `${r.name} (case seed ${r.seed})`;
  expect(r.gpuErrors, where).toEqual([]);
  expect(r.widthUsed, where).toBe(true);
  expect(r.poisonLeft, where).toBe(0);
  expect(r.firstMismatch, where).toBeNull();
  expect(r.fallbackMismatches, `composed fallback in ${where}`).toBe(0);
  expect(r.leakedTensors, where).toBe(0);
}

export function expectApgdUpdateOk(r: ApgdUpdateReport): void {
  const where = `${r.name} (case seed ${r.seed})`;
  expect(r.gpuErrors, where).toEqual([]);
  expect(r.widthUsed, where).toBe(true);
  expect(r.poisonLeft, where).toBe(0);
  expect(r.firstMismatch, where).toBeNull();
  expect(r.fallbackMismatches, `composed fallback in ${where}`).toBe(0);
  expect(r.leakedTensors, where).toBe(0);
}
