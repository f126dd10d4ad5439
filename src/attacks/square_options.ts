// The Square attack's options (attacks/square.ts): its parameter table, the public option and result types
// derived from it, and their check with the reference's defaults (5000 queries, p_init 0.8, one restart),
// each failure naming the option.
import type * as tf from '@tensorflow/tfjs-core';
import { paramTable, resolveTable, type ParamValues } from '../core/params';
import { AdversarialArgumentError } from '../core/validate';
import { EPSILON_PARAM, NORM_PARAM, SEED_PARAM, type AttackOptions } from './attack';
import type { Classifier } from '../models/classifier';
import { checkAttackBatch, checkEpsilon } from './checks';

/** The parameters, declared once for the public functions and the table entry. */
export const SQUARE_PARAMS = paramTable({
  epsilon: { ...EPSILON_PARAM, max: 1000, help: 'radius of the ball: per pixel (linf) or of the whole image (l2)' },
  norm: NORM_PARAM,
  queries: { type: 'integer', default: 5000, min: 1, max: 1_000_000, help: 'queries per restart after the start' },
  pInit: { type: 'number', default: 0.8, min: 0.001, max: 1, help: 'initial fraction of the image a square covers' },
  restarts: { type: 'integer', default: 1, min: 1, max: 1000, help: 'runs; each later one restarts the points still robust' },
  seed: SEED_PARAM,
});

/**
 * squareAttack's options: {@link SQUARE_PARAMS}'s (the reference's defaults: 5000 queries, p_init 0.8, one
 * run; each later run restarts the points still robust with seed + r), the radius required.
 */
export type SquareAttackOptions = AttackOptions<typeof SQUARE_PARAMS>;

/** Options of {@link squareAttackAsync}: also when to read the margins back and what to do then. */
export interface SquareAsyncOptions extends SquareAttackOptions {
  /** Read the best margins back every this many queries (and after the start): stop when all are fooled (default 50). */
  checkEvery?: number;
  /** At each read-back, drop the fooled points from the batch (default true). */
  gather?: boolean;
  /** Called at each read-back with the batch's point ids and their best margins. */
  onCheck?: (check: { restart: number; query: number; ids: number[]; marginBest: Float32Array }) => void;
}

export interface SquareAsyncResult {
  adversarial: tf.Tensor4D;
  /** Per point, the lowest margin found (the clean margin for points not attacked); <= 0: fooled. */
  marginBest: Float32Array;
  /** Queries run in each restart (fewer than `queries` when every point was fooled before). */
  queriesRun: number[];
  /** Images the model was run on, over all forward passes (clean pass, starts and queries). */
  imagesForwarded: number;
}

/** The checked options with their defaults. */
export type Settings = ParamValues<typeof SQUARE_PARAMS> & { clipMin: number; clipMax: number };

/** Checks `o` against the batch and fills the defaults, naming the option at fault. */
export function squareSettings(op: string, model: Classifier, x: tf.Tensor4D, onehot: tf.Tensor2D, o: SquareAttackOptions): Settings {
  checkAttackBatch(model, x, onehot, op);
  checkEpsilon(op, o.epsilon);
  const checked = resolveTable(op, 'options', SQUARE_PARAMS, o);
  if (model.numClasses < 2) throw new AdversarialArgumentError(op, 'model', `must have at least 2 classes for the margin loss, has ${model.numClasses}`);
  const clipMin = o.clipMin ?? 0;
  const clipMax = o.clipMax ?? 1;
  if (!(clipMin <= clipMax)) throw new AdversarialArgumentError(op, 'options.clipMin', `must be <= clipMax, got ${clipMin} > ${clipMax}`);
  return { ...checked, clipMin, clipMax };
}
