// The assertions every runtime makes on a kernel case report (vitest's expect, in Node).
import { expect } from 'vitest';
import type { ArgumentReport } from './argument_suite';
import type { CaseReport } from './kernel_suite';

export function expectCaseOk(r: CaseReport): void {
  const where = `${r.name} (case seed ${r.seed})`;
  expect(r.gpuErrors, `GPU errors in ${where}`).toEqual([]);
  expect(r.poisonReused, `output did not land in the poisoned buffer in ${where}`).toBe(true);
  expect(r.widthUsed, `the requested width's pipeline was not built in ${where}`).toBe(true);
  expect(r.poisonLeft, `unwritten (poisoned) elements in ${where}`).toBe(0);
  expect(r.firstMismatch, `fused vs CPU reference in ${where}`).toBeNull();
  expect(r.mismatches).toBe(0);
  expect(r.composedFirstMismatch, `fused vs composed stock ops in ${where}`).toBeNull();
  expect(r.composedMismatches).toBe(0);
  expect(r.fallbackMismatches, `NaN-safe composed fallback vs CPU reference in ${where}`).toBe(0);
  expect(r.leakedTensors, `tensors leaked by the op in ${where}`).toBe(0);
}

export function expectArgumentRefused(r: ArgumentReport, argument: string): void {
  expect(r.errorName, `${r.name}: no AdversarialArgumentError`).toBe('AdversarialArgumentError');
  expect(r.argument, r.message ?? '').toBe(argument);
  expect(r.message).toContain(argument);
  expect(r.leakedTensors, `${r.name}: tensors leaked`).toBe(0);
}
