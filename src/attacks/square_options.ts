// The Square attack's options (attacks/square.ts): the public option and result types, and their check
// with the reference's defaults (5000 queries, p_init 0.8, one restart), each failure naming the option.
import type * as tf from '@tensorflow/tfjs-core';
import { AdversarialArgumentError, checkSeed } from '../core/validate';
import type { SquareNorm } from '../kernels/square_schedule';
import type { Classifier } from '../models/classifier';
import { checkAttackBatch, checkEpsilon } from './checks';

export interface SquareAttackOptions {
  /** Radius: per pixel (L-inf) or of the whole image (L2). */
  epsilon: number;
  /** 'linf' (default) or 'l2'. */
  norm?: SquareNorm;
  /** Queries (iterations) per restart after the start (default 5000). */
  queries?: number;
  /** The initial fraction of the image a square covers (default 0.8). */
  pInit?: number;
  /** Runs; each later one restarts the points still robust with seed + r (default 1). */
  restarts?: number;
  /** Seed of the draws (default 0). */
  seed?: number;
  clipMin?: number;
  clipMax?: number;
}

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
export interface Settings {
  epsilon: number;
  norm: SquareNorm;
  queries: number;
  pInit: number;
  restarts: number;
  seed: number;
  clipMin: number;
  clipMax: number;
}

/** Checks `o` against the batch and fills the defaults, naming the option at fault. */
export function squareSettings(op: string, model: Classifier, x: tf.Tensor4D, onehot: tf.Tensor2D, o: SquareAttackOptions): Settings {
  checkAttackBatch(model, x, onehot, op);
  checkEpsilon(op, o.epsilon);
  const norm = o.norm ?? 'linf';
  const queries = o.queries ?? 5000;
  const pInit = o.pInit ?? 0.8;
  const restarts = o.restarts ?? 1;
  if (norm !== 'linf' && norm !== 'l2') throw new AdversarialArgumentError(op, 'options.norm', `must be linf or l2, got ${String(norm)}`);
  if (!Number.isInteger(queries) || queries < 0) throw new AdversarialArgumentError(op, 'options.queries', `must be an integer >= 0, got ${queries}`);
  if (!(pInit > 0 && pInit <= 1)) throw new AdversarialArgumentError(op, 'options.pInit', `must be a number in (0, 1], got ${pInit}`);
  if (!Number.isInteger(restarts) || restarts < 1) throw new AdversarialArgumentError(op, 'options.restarts', `must be an integer >= 1, got ${restarts}`);
  if (model.numClasses < 2) throw new AdversarialArgumentError(op, 'model', `must have at least 2 classes for the margin loss, has ${model.numClasses}`);
  const seed = checkSeed(op, 'options.seed', o.seed ?? 0);
  const clipMin = o.clipMin ?? 0;
  const clipMax = o.clipMax ?? 1;
  if (!(clipMin <= clipMax)) throw new AdversarialArgumentError(op, 'options.clipMin', `must be <= clipMax, got ${clipMin} > ${clipMax}`);
  return { epsilon: o.epsilon, norm, queries, pInit, restarts, seed, clipMin, clipMax };
}

