// The Square attack (Andriushchenko et al., "Square Attack: a query-efficient black-box adversarial
// attack via random search", ECCV 2020), untargeted, L-inf or L2, with the margin loss: AutoAttack's
// score-based attack, no gradients. Written after the reference implementation (fra31/auto-attack,
// autoattack/square.py, with resc_schedule=False as AutoAttack runs it):
// - a point the model already gets wrong is left as it is; the others start from the L-inf stripes
//   (x0 +- eps per column and channel) or the L2 grid of eta windows scaled to norm eps;
// - each query draws, per point, a square (side from p's schedule: p_init halved at iterations 10, 50,
//   200, ... 8000) at a random position: L-inf sets it to x0 +- eps (a sign per channel); L2 moves the
//   perturbation's mass from a second window into the first, reshaped as eta, keeping norm eps;
// - a candidate is kept when its margin z_y - max_{i != y} z_i is lower than the best one's; a point
//   whose margin is <= 0 is fooled and stops changing. Restarts (seed + r) rerun the points still robust.
// On the device: one fused candidate kernel per query (L2: a statistics kernel before it), the model's
// forward pass on the batch, one margin row kernel and one fused accept kernel (src/kernels/ops/square_ops.ts);
// draws come from a counter-based hash of (seed, query, point id, draw), nothing is uploaded per query.
// `squareAttack` (the attack table's `run`, synchronous) never reads back: fooled points stay in the
// batch, frozen. `squareAttackAsync` reads the margins back every `checkEvery` queries, stops when every
// point is fooled and drops the fooled ones from the batch; both give the same images for the same seed.
// Differences from the reference: each point draws its own square position, signs and (L2) eta
// transposition (the reference draws one position per query for the whole batch, as the paper's own
// code does per point); draws come from our hash, not torch's generator; a point still robust returns
// the lowest-margin point found (the reference returns the clean image); the L2 start grid drops
// windows that do not fit the image (images smaller than 5 pixels, which the reference cannot attack).
import * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '../models/classifier';
import { squareAccept, squareL2Candidate, squareL2Init, squareL2Stats, squareLinfCandidate, squareLinfInit, squareMargin } from '../kernels/ops/square_ops';
import { defineAttack } from './attack';
import { AdversarialArgumentError } from '../core/validate';
import { rowWhere } from './rows';
import { SQUARE_PARAMS, squareSettings, type Settings, type SquareAsyncOptions, type SquareAsyncResult, type SquareAttackOptions } from './square_options';
import { squareEta, squareSide } from '../kernels/square_schedule';

export type { SquareAsyncOptions, SquareAsyncResult, SquareAttackOptions };

/** The L2 windows eta(side) on the device, one per side used. */
class EtaCache {
  private readonly etas = new Map<number, tf.Tensor1D>();
  get(side: number): tf.Tensor1D {
    let eta = this.etas.get(side);
    if (!eta) this.etas.set(side, (eta = tf.keep(tf.tensor1d(squareEta(side)))));
    return eta;
  }
  dispose(): void {
    tf.dispose([...this.etas.values()]);
  }
}

/** The state of a search over some points of a batch: their images, labels and ids, best images and margins. */
class SquareSearch {
  constructor(
    private readonly model: Classifier,
    private readonly s: Settings,
    private readonly etas: EtaCache,
    public x0: tf.Tensor4D,
    public y: tf.Tensor2D,
    public rowIds: tf.Tensor1D,
    /** The points' ids, on the CPU. */
    public ids: number[],
    public xBest: tf.Tensor4D,
    public marginBest: tf.Tensor1D,
  ) {}

  get rows(): number {
    return this.ids.length;
  }

  private replace(xBest: tf.Tensor4D, marginBest: tf.Tensor1D): void {
    tf.dispose([this.xBest, this.marginBest]);
    this.xBest = xBest;
    this.marginBest = marginBest;
  }

  private bounds() {
    return { clipMin: this.s.clipMin, clipMax: this.s.clipMax };
  }

  /** A run's start: the points still to fool (best margin > 0) start over from the stripes or the grid. */
  start(seed: number): void {
    const [xBest, marginBest] = tf.tidy(() => {
      const o = { epsilon: this.s.epsilon, seed, ...this.bounds() };
      const init = this.s.norm === 'linf' ? squareLinfInit(this.x0, this.rowIds, o) : squareL2Init(this.x0, this.rowIds, o);
      const margin = squareMargin(this.model.forward(init), this.y);
      const restart = tf.greater(this.marginBest, 0) as tf.Tensor1D;
      return [rowWhere(restart, init, this.xBest), tf.where(restart, margin, this.marginBest) as tf.Tensor1D];
    });
    this.replace(xBest, marginBest);
  }

  /** Query `it` (0-based) of the run with `seed`: candidates, one forward pass, the accept step. */
  query(it: number, seed: number): void {
    const [, height, width] = this.x0.shape;
    const side = squareSide(this.s.norm, it, this.s.pInit, height, width);
    const o = { epsilon: this.s.epsilon, seed, step: it + 1, side, ...this.bounds() };
    const [xBest, marginBest] = tf.tidy(() => {
      let xNew: tf.Tensor4D;
      if (this.s.norm === 'linf') xNew = squareLinfCandidate(this.xBest, this.x0, this.rowIds, o);
      else {
        const eta = this.etas.get(side);
        xNew = squareL2Candidate(this.xBest, this.x0, this.rowIds, eta, squareL2Stats(this.xBest, this.x0, this.rowIds, eta, o), o);
      }
      const margin = squareMargin(this.model.forward(xNew), this.y);
      return squareAccept(xNew, this.xBest, margin, this.marginBest);
    });
    this.replace(xBest, marginBest);
  }

  /** Keeps only the rows at positions `local` (gathers every tensor of the state). */
  keep(local: number[]): void {
    const index = tf.tensor1d(local, 'int32');
    const g = <T extends tf.Tensor>(t: T): T => {
      const out = tf.gather(t, index) as T;
      t.dispose();
      return out;
    };
    this.x0 = g(this.x0);
    this.y = g(this.y);
    this.rowIds = g(this.rowIds);
    this.xBest = g(this.xBest);
    this.marginBest = g(this.marginBest);
    this.ids = local.map((k) => this.ids[k]);
    index.dispose();
  }

  dispose(): void {
    tf.dispose([this.x0, this.y, this.rowIds, this.xBest, this.marginBest]);
  }
}

/**
 * Square examples (untargeted, margin loss) around x: `restarts` runs of `queries` queries on the whole
 * batch, without any read-back; each point returns a misclassified point when one was found, else its
 * lowest-margin point; points the model gets wrong already return x.
 *
 * @example
 * const adv = squareAttack(model, images, onehot, { epsilon: 0.1, queries: 1000 });
 */
export function squareAttack(model: Classifier, x: tf.Tensor4D, onehot: tf.Tensor2D, options: SquareAttackOptions): tf.Tensor4D {
  const s = squareSettings('squareAttack', model, x, onehot, options);
  const etas = new EtaCache();
  const clean = tf.tidy(() => squareMargin(model.forward(x), onehot));
  const ids = Array.from({ length: x.shape[0] }, (_, i) => i);
  const search = new SquareSearch(model, s, etas, x.clone(), onehot.clone(), tf.range(0, ids.length, 1, 'float32') as tf.Tensor1D, ids, x.clone(), clean);
  try {
    for (let r = 0; r < s.restarts; r++) {
      const seed = (s.seed + r) >>> 0;
      search.start(seed);
      for (let it = 0; it < s.queries; it++) search.query(it, seed);
    }
    return search.xBest.clone();
  } finally {
    search.dispose();
    etas.dispose();
  }
}

/** `full` with the rows `ids` replaced by the rows of `part` (in order). */
function mergeRows(full: tf.Tensor4D, part: tf.Tensor4D, ids: number[]): tf.Tensor4D {
  const n = full.shape[0];
  const index = Array.from({ length: n }, (_, i) => i);
  ids.forEach((id, k) => (index[id] = n + k));
  return tf.tidy(() => tf.gather(tf.concat([full, part]), tf.tensor1d(index, 'int32')) as tf.Tensor4D);
}

/**
 * {@link squareAttack} with read-backs every `checkEvery` queries: a run stops when every point is
 * fooled, and (with `gather`) fooled points leave the batch, so later queries run on fewer images.
 * The same seed gives the same images as squareAttack.
 *
 * @example
 * const { adversarial, marginBest } = await squareAttackAsync(model, images, onehot, { epsilon: 0.1 });
 */
export async function squareAttackAsync(model: Classifier, x: tf.Tensor4D, onehot: tf.Tensor2D, options: SquareAsyncOptions): Promise<SquareAsyncResult> {
  const op = 'squareAttackAsync';
  const s = squareSettings(op, model, x, onehot, options);
  const checkEvery = options.checkEvery ?? 50;
  if (!Number.isInteger(checkEvery) || checkEvery < 1) throw new AdversarialArgumentError(op, 'options.checkEvery', `must be an integer >= 1, got ${checkEvery}`);
  const gather = options.gather ?? true;
  const etas = new EtaCache();
  const cleanMargin = tf.tidy(() => squareMargin(model.forward(x), onehot));
  const margins = Float32Array.from(await cleanMargin.data());
  cleanMargin.dispose();
  let out = x.clone();
  let imagesForwarded = x.shape[0];
  const queriesRun: number[] = [];
  const takeRows = (search: SquareSearch, best: Float32Array) => {
    const next = mergeRows(out, search.xBest, search.ids);
    out.dispose();
    out = next;
    search.ids.forEach((id, k) => (margins[id] = best[k]));
  };
  try {
    for (let r = 0; r < s.restarts; r++) {
      const ids = Array.from(margins.keys()).filter((i) => margins[i] > 0);
      if (ids.length === 0) break;
      const seed = (s.seed + r) >>> 0;
      const index = tf.tensor1d(ids, 'int32');
      const x0 = tf.gather(x, index) as tf.Tensor4D;
      const y = tf.gather(onehot, index) as tf.Tensor2D;
      index.dispose();
      const search = new SquareSearch(model, s, etas, x0, y, tf.tensor1d(ids), ids, x0.clone(), tf.tensor1d(ids.map((i) => margins[i])));
      try {
        search.start(seed);
        imagesForwarded += search.rows;
        let it = 0;
        for (; it < s.queries; it++) {
          if (it % checkEvery === 0) {
            const best = (await search.marginBest.data()) as Float32Array;
            options.onCheck?.({ restart: r, query: it, ids: search.ids.slice(), marginBest: best.slice() });
            const open = Array.from(best.keys()).filter((k) => best[k] > 0);
            if (open.length === 0) break;
            if (gather && open.length < search.rows) {
              takeRows(search, best);
              search.keep(open);
            }
          }
          search.query(it, seed);
          imagesForwarded += search.rows;
        }
        queriesRun.push(it);
        const best = (await search.marginBest.data()) as Float32Array;
        options.onCheck?.({ restart: r, query: it, ids: search.ids.slice(), marginBest: best.slice() });
        takeRows(search, best);
      } finally {
        search.dispose();
      }
    }
    return { adversarial: out, marginBest: margins, queriesRun, imagesForwarded };
  } catch (err) {
    out.dispose();
    throw err;
  } finally {
    etas.dispose();
  }
}

export const square = defineAttack({
  id: 'square',
  title: 'Square',
  threat: 'linf',
  help: 'score-based random search with squares, margin loss, no gradients (Andriushchenko et al. 2020)',
  params: SQUARE_PARAMS,
  label: () => 'Square',
  budget: () => ({ random_start: true }),
  // One clean pass, then per run one start and `queries` queries (fewer for points fooled early).
  cost: (p) => ({ gradients: 0, queries: 1 + p.restarts * (p.queries + 1) }),
  run: (model, batch, p) => squareAttack(model, batch.x, batch.onehot, p),
});
