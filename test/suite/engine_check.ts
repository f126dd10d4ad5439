// The assertions on an engine case report, shared by the Node and the Chromium test files.
import { expect } from 'vitest';
import type { EngineCase } from './engine_cases';
import type { EngineCaseReport } from './engine_suite';

/** Relative error allowed for float32 work against the float64 reference. */
export const RELATIVE_TOLERANCE = 1e-5;

export function expectEngineCaseOk(c: EngineCase, r: EngineCaseReport): void {
  const where = `${r.name} (seed ${r.seed}; replay with ADVERSARIAL_TEST_SEED): ${r.worst ?? ''}`;
  expect(r.gpuErrors, where).toEqual([]);
  expect(r.compared, where).toBeGreaterThan(0);
  expect(r.nanMismatches, where).toBe(0);
  expect(r.maxRelativeError, where).toBeLessThan(RELATIVE_TOLERANCE);
  expect(r.poisonLeft, where).toBe(0);
  expect(r.poisonReused, `${where}: the output did not land in the poisoned buffer`).toBe(true);
  expect(r.leakedTensors, where).toBe(0);
  const expectSubgroups = c.family === 'matmul' || c.family === 'conv' ? c.expectSubgroups : undefined;
  if (expectSubgroups === true) expect(r.subgroupDispatches, `${where}: the subgroup tiles did not run`).toBeGreaterThan(0);
  if (expectSubgroups === false) expect(r.subgroupDispatches, `${where}: the subgroup tiles ran`).toBe(0);
  const onEngine = c.family === 'loss' || c.family === 'kl' || c.family === 'adam' || c.engine;
  if (onEngine) {
    expect(r.engineCalls, `${where}: the engine kernel did not run`).toBeGreaterThan(0);
    expect(r.fallbackCalls, where).toBe(0);
  } else {
    expect(r.engineCalls, `${where}: the engine claimed a configuration it does not cover`).toBe(0);
    expect(r.fallbackCalls, where).toBeGreaterThan(0);
  }
}
