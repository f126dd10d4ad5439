// Assertions on a GPU data-set gather report, shared by Node and Chromium.
import { expect } from 'vitest';
import type { GatherReport } from './dataset_suite';

export function expectGatherOk(r: GatherReport): void {
  expect(r.gpuErrors, r.name).toEqual([]);
  expect(r.mismatches, `${r.name}: ${r.firstMismatch}`).toBe(0);
  expect(r.poisonReused, `${r.name}: output not in the poisoned buffer`).toBe(true);
  expect(r.labelsMatch, r.name).toBe(true);
  // Gathering uploads only the kernels' uniforms: no image data.
  expect(r.gatherUploadBytes, r.name).toBe(0);
  expect(r.gatherDownloadBytes, r.name).toBe(0);
  expect(r.leakedTensors, r.name).toBe(0);
}
