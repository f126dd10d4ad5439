// The assertions on a trainer case, shared by the Node and the Chromium test files.
import { expect } from 'vitest';
import type { TrainerCaseResult } from './trainer_suite';

/** The trainers that must each beat clean training's robust accuracy on the synthetic task. */
export const TRADE_OFF_TRAINERS = ['trades', 'mart', 'nfgsm'];

/** No GPU error, no leak, the loss falls over the epochs and PGD-10 accuracy is 5 points above clean's. */
export function expectTrainerBeatsClean(r: TrainerCaseResult, clean: TrainerCaseResult): void {
  const where = `trainer_case ${r.trainer}: PGD-10 ${r.pgd} vs clean's ${clean.pgd}, losses ${r.losses.map((l) => l.toFixed(3)).join(' ')}`;
  for (const c of [clean, r]) {
    expect(c.errors, where).toEqual([]);
    expect(c.leaked, where).toBe(0);
  }
  expect(r.losses.at(-1)!, where).toBeLessThan(r.losses[0]);
  expect(r.pgd, where).toBeGreaterThan(clean.pgd + 0.05);
}
