// Assertions on a backward-release case's report (test/suite/backward_release_suite.ts), for the Node and
// Chromium tests: the same values bit for bit with the flag off and on, nothing left over, the inputs and
// the dy kept, no GPU error, and a lower peak where the case is deep.
import { expect } from 'vitest';
import type { BackwardReleaseReport } from './backward_release_suite';

export function expectBackwardReleaseOk(r: BackwardReleaseReport, lowerPeak: boolean, seed: number): void {
  expect(r.errors).toEqual([]);
  expect(r.leaked).toEqual([0, 0]);
  expect(r.on.length).toBeGreaterThan(0);
  r.on.forEach((v, k) => expect(v, `gradient ${k} (seed ${seed})`).toEqual(r.off[k]));
  expect(r.inputsKept, 'the inputs, the variables and the dy').toBe(true);
  if (lowerPeak) expect(r.peakOn).toBeLessThan(r.peakOff);
}
