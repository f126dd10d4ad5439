// The overfitting guard: after every epoch a PGD probe on held-back training examples; a probe more than
// `drop` below the best so far is a catastrophic-overfitting collapse, answered by rolling back to the
// best epoch's weights and optimizer state with the learning rate halved (`rollback`) or by stopping
// (`stop`); at the end, a last probe well below the best gives way to the best epoch.
import type * as tf from '@tensorflow/tfjs-core';
import type { GuardEvent } from '../report/schema';
import { restoreTrainingState, type CheckpointTensor } from './checkpoint';
import { pct } from '../report/format';
import type { JobIO } from './io';
import { KEEP_BEST_MARGIN, MAX_ROLLBACKS, type GuardMode } from './settings';

/** What the guard makes of a probe: a new best, nothing, or a collapse answered by rollback or stop. */
export type GuardVerdict = 'best' | 'none' | 'rollback' | 'stop';

/** The guard's part of a job's state (checkpointed with it). */
export interface GuardState {
  stopped: boolean;
  learningRateScale: number;
  rollbacks: number;
  best: { epoch: number; probe: number } | null;
  lastProbe: number | null;
  events: GuardEvent[];
}

/**
 * The guard's rule. A probe above the best so far is the new best; one more than `drop` below it is a
 * collapse: `rollback` rolls back (at most MAX_ROLLBACKS times, and not after the last epoch, where it
 * stops instead), `stop` stops, `off` does nothing.
 *
 * @example
 * judgeProbe('rollback', 0.1, { best: { epoch: 4, probe: 0.7 }, rollbacks: 0 }, 9, 0.45, 15); // 'rollback'
 */
export function judgeProbe(mode: GuardMode, drop: number, state: { best: { epoch: number; probe: number } | null; rollbacks: number }, epoch: number, probe: number, epochs: number): GuardVerdict {
  if (!state.best || probe > state.best.probe) return 'best';
  if (mode === 'off' || state.best.probe - probe <= drop) return 'none';
  return mode === 'rollback' && state.rollbacks < MAX_ROLLBACKS && epoch < epochs ? 'rollback' : 'stop';
}

/** What the guard did after an epoch: the weights to checkpoint, whether they are a new best, and the loop's next move. */
export interface GuardOutcome {
  current: CheckpointTensor[];
  improved: boolean;
  stop: boolean;
  learningRateScale?: number;
}

export interface GuardSetup {
  mode: GuardMode;
  active: boolean;
  drop: number;
  epochs: number;
  probeSteps: number;
  variables: tf.Variable[];
  optimizer: tf.Optimizer;
  bestPath: string;
  io: JobIO;
}

/**
 * Applies the rule to epoch `epoch`'s probe (1-based): records a new best, or rolls back or stops,
 * restoring the best weights and optimizer state; `current` is the state after the epoch.
 */
export async function guardAfterEpoch(g: GuardSetup, state: GuardState, bestTensors: CheckpointTensor[] | null, epoch: number, probe: number, learningRateScale: number, current: CheckpointTensor[]): Promise<GuardOutcome> {
  state.lastProbe = probe;
  const verdict = judgeProbe(g.active ? g.mode : 'off', g.drop, state, epoch, probe, g.epochs);
  if (verdict === 'best') {
    state.best = { epoch, probe };
    return { current, improved: true, stop: false };
  }
  if ((verdict !== 'rollback' && verdict !== 'stop') || !state.best || !bestTensors) return { current, improved: false, stop: false };
  const best = state.best;
  const drop = `probe PGD-${g.probeSteps} accuracy ${pct(probe)} fell ${pct(best.probe - probe)} below the best, ${pct(best.probe)} after epoch ${best.epoch} (threshold ${pct(g.drop)}): catastrophic overfitting`;
  const rollback = verdict === 'rollback';
  await restoreTrainingState(bestTensors, g.variables, g.optimizer, g.bestPath);
  state.lastProbe = best.probe;
  const outcome: GuardOutcome = { current: bestTensors, improved: false, stop: !rollback };
  if (rollback) {
    state.rollbacks++;
    state.learningRateScale = learningRateScale / 2;
    outcome.learningRateScale = state.learningRateScale;
  } else {
    state.stopped = true;
  }
  const what = rollback
    ? `rolled back to epoch ${best.epoch}'s weights and optimizer state; the learning rate is halved for the epochs left`
    : `stopped training and kept epoch ${best.epoch}'s weights${g.mode === 'rollback' ? ` (${state.rollbacks >= MAX_ROLLBACKS ? `after ${MAX_ROLLBACKS} rollbacks` : 'no epochs left'})` : ''}`;
  state.events.push({ epoch, action: rollback ? 'rollback' : 'stop', reason: `${drop}; ${what}`, probe_pgd_accuracy: probe, best_epoch: best.epoch, best_probe_pgd_accuracy: best.probe });
  g.io.log(`guard after epoch ${epoch}: ${drop}; ${what}`);
  return outcome;
}

/** At the end: a last probe more than KEEP_BEST_MARGIN below the best gives way to the best epoch's weights. Returns the kept epoch. */
export async function guardAtEnd(g: GuardSetup, state: GuardState, bestTensors: CheckpointTensor[] | null, epochsDone: number, keptEpoch: number | null): Promise<number | null> {
  if (!g.active || !state.best || state.lastProbe === null || state.best.probe - state.lastProbe <= KEEP_BEST_MARGIN || !bestTensors) return keptEpoch;
  await restoreTrainingState(bestTensors, g.variables, undefined, g.bestPath);
  const reason = `the last probe, ${pct(state.lastProbe)}, is ${pct(state.best.probe - state.lastProbe)} below the best, ${pct(state.best.probe)} after epoch ${state.best.epoch} (margin ${pct(KEEP_BEST_MARGIN)}): kept epoch ${state.best.epoch}'s weights`;
  state.events.push({ epoch: epochsDone, action: 'kept-best', reason, probe_pgd_accuracy: state.lastProbe, best_epoch: state.best.epoch, best_probe_pgd_accuracy: state.best.probe });
  state.lastProbe = state.best.probe;
  g.io.log(`guard at the end: ${reason}`);
  return state.best.epoch;
}
