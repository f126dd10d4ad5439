// The assertions every runtime makes on a Square kernel case report (vitest's expect).
import { expect } from 'vitest';
import type { SquareReport } from './square_suite';

export function expectSquareCaseOk(r: SquareReport): void {
  const where = `${r.name} (case seed ${r.seed}): ${r.firstMismatch}`;
  expect(r.gpuErrors, where).toEqual([]);
  expect(r.poisonLeft, where).toBe(0);
  if (r.exact) expect(r.mismatches, where).toBe(0);
  expect(r.beyondTolerance, where).toBe(0);
  expect(r.leakedTensors, where).toBe(0);
  // float32 against float64: sums of up to a few thousand squares, square roots and divisions.
  expect(r.float64Error, where).toBeLessThan(1e-4);
  if (r.cpuMismatches >= 0) expect(r.cpuMismatches, `cpu backend: ${where}`).toBe(0);
}
