// The Square attack's ops: check arguments, then run the fused kernel (webgpu, cpu: src/kernels/webgpu/
// square_kernels.ts). On other backends the CPU reference runs on the tensors' values (read
// synchronously: webgl and wasm can; webgpu has the kernels). Images are [points, h, w, c] float32;
// `rowIds` [points] float32 holds each point's id (its position in the batch: its draws depend on it).
import * as tf from '@tensorflow/tfjs-core';
import { squareEta, squareL2InitGrid, squareL2InitNorm } from '../square_schedule';
import { registerAttackKernels } from '../register';
import {
  SquareAccept,
  SquareL2Candidate,
  SquareL2Init,
  SquareL2Stats,
  SquareLinfCandidate,
  SquareLinfInit,
  SquareMargin,
} from '../webgpu/square_kernels';
import {
  L2_STATS,
  squareAcceptReference,
  squareL2CandidateReference,
  squareL2InitReference,
  squareL2StatsReference,
  squareLinfCandidateReference,
  squareLinfInitReference,
  squareMarginReference,
  type SquareAttrs,
  type SquareShape,
} from '../cpu/square';
import { AdversarialArgumentError, checkClipBounds, checkFloatTensor, checkNumber, checkOptions, checkSameShape, checkSeed } from '../../core/validate';

/** Options of the square kernels' ops (each reads the ones it needs). */
export interface SquareStepOptions {
  /** Radius of the ball (L-inf: per element; L2: of the whole image), >= 0. */
  epsilon: number;
  /** 32-bit unsigned seed of the run. */
  seed: number;
  /** 0 for the initialisation, i + 1 for query i (the query ops: >= 1). */
  step?: number;
  /** Side of the square (query ops), 1..min(h, w). */
  side?: number;
  clipMin?: number;
  clipMax?: number;
}

type Values = () => Float32Array;

/** Runs `kernel` where the backend has it, else the CPU reference on the inputs' values. */
function runSquareKernel(kernel: string, inputs: tf.NamedTensorMap, attrs: object, reference: (values: Record<string, Values>) => (Float32Array | Float64Array)[], shapes: number[][]): tf.Tensor[] {
  registerAttackKernels();
  if (tf.getKernel(kernel, tf.getBackend()) != null) {
    const out = tf.engine().runKernel(kernel, inputs, attrs as Record<string, number>);
    return Array.isArray(out) ? out : [out as tf.Tensor];
  }
  const values = Object.fromEntries(Object.entries(inputs).map(([name, t]) => [name, () => t.dataSync() as Float32Array]));
  return reference(values).map((v, k) => tf.tensor(v, shapes[k], 'float32'));
}

function checkImages(op: string, name: string, x: unknown): SquareShape {
  checkFloatTensor(op, name, x);
  if (x.rank !== 4) throw new AdversarialArgumentError(op, name, `must be [points, height, width, channels], got [${x.shape}]`);
  const [rows, height, width, channels] = x.shape;
  return { rows, height, width, channels };
}

function checkRowIds(op: string, rowIds: unknown, shape: SquareShape): void {
  checkFloatTensor(op, 'rowIds', rowIds);
  if (rowIds.rank !== 1 || rowIds.shape[0] !== shape.rows) throw new AdversarialArgumentError(op, 'rowIds', `must be [${shape.rows}] (one id per point), got [${rowIds.shape}]`);
}

function checkAttrs(op: string, options: unknown, shape: SquareShape, query: boolean): SquareAttrs {
  const o = checkOptions(op, options, ['epsilon', 'seed', 'step', 'side', 'clipMin', 'clipMax']);
  const epsilon = checkNumber(op, 'options.epsilon', o.epsilon, 0);
  const seed = checkSeed(op, 'options.seed', o.seed);
  let step = 0;
  let side = 1;
  if (query) {
    step = checkNumber(op, 'options.step', o.step, 1);
    if (!Number.isInteger(step) || step > 0xffffffff) throw new AdversarialArgumentError(op, 'options.step', `must be an integer in [1, 2^32 - 1], got ${o.step}`);
    side = checkNumber(op, 'options.side', o.side, 1);
    const most = Math.min(shape.height, shape.width);
    if (!Number.isInteger(side) || side > most) throw new AdversarialArgumentError(op, 'options.side', `must be an integer in [1, ${most}] (the image's smaller side), got ${o.side}`);
  }
  return { epsilon, seed, step, side, ...checkClipBounds(op, o.clipMin ?? 0, o.clipMax ?? 1) };
}

function checkEta(op: string, eta: unknown, side: number): void {
  checkFloatTensor(op, 'eta', eta);
  if (eta.size !== side * side) throw new AdversarialArgumentError(op, 'eta', `must hold side^2 = ${side * side} values (the side-${side} window), got [${eta.shape}]`);
}

/**
 * The margin z_y - max_{i != y} z_i of each row of logits [points, classes >= 2], y the first class of
 * the row's largest label entry: one fused row kernel.
 *
 * @example
 * const margin = squareMargin(model.forward(images), onehot); // [points]; < 0: misclassified
 */
export function squareMargin(logits: tf.Tensor, labels: tf.Tensor): tf.Tensor1D {
  const op = 'squareMargin';
  checkFloatTensor(op, 'logits', logits);
  if (logits.rank !== 2 || (logits.shape[1] ?? 0) < 2) throw new AdversarialArgumentError(op, 'logits', `must be [points, classes] with 2 or more classes, got [${logits.shape}]`);
  checkSameShape(op, 'labels', labels, 'logits', logits);
  const [rows, classes] = logits.shape;
  return runSquareKernel(SquareMargin, { logits, labels }, {}, (v) => [squareMarginReference(v.logits(), v.labels(), rows, classes)], [[rows]])[0] as tf.Tensor1D;
}

/**
 * The acceptance step in one pass: each point still to fool (best margin > 0) keeps the candidate
 * when its margin is lower (or <= 0); returns [best images, best margins].
 *
 * @example
 * const [xBest2, marginBest2] = squareAccept(xNew, xBest, squareMargin(model.forward(xNew), onehot), marginBest);
 */
export function squareAccept(xNew: tf.Tensor4D, xBest: tf.Tensor4D, margin: tf.Tensor1D, marginBest: tf.Tensor1D): [tf.Tensor4D, tf.Tensor1D] {
  const op = 'squareAccept';
  const shape = checkImages(op, 'xBest', xBest);
  checkSameShape(op, 'xNew', xNew, 'xBest', xBest);
  checkFloatTensor(op, 'marginBest', marginBest);
  if (marginBest.rank !== 1 || marginBest.shape[0] !== shape.rows) throw new AdversarialArgumentError(op, 'marginBest', `must be [${shape.rows}] (one margin per point), got [${marginBest.shape}]`);
  checkSameShape(op, 'margin', margin, 'marginBest', marginBest);
  const out = runSquareKernel(SquareAccept, { xNew, xBest, margin, marginBest }, {}, (v) => squareAcceptReference(v.xNew(), v.xBest(), v.margin(), v.marginBest()), [xBest.shape, [shape.rows]]);
  return [out[0] as tf.Tensor4D, out[1] as tf.Tensor1D];
}

/**
 * The L-inf start: x0 + eps or x0 - eps per point, column and channel (vertical stripes), clipped.
 *
 * @example
 * const xBest = squareLinfInit(images, tf.range(0, n), { epsilon: 0.1, seed: 0 });
 */
export function squareLinfInit(x0: tf.Tensor4D, rowIds: tf.Tensor1D, options: SquareStepOptions): tf.Tensor4D {
  const op = 'squareLinfInit';
  const shape = checkImages(op, 'x0', x0);
  checkRowIds(op, rowIds, shape);
  const a = checkAttrs(op, options, shape, false);
  return runSquareKernel(SquareLinfInit, { x0, rowIds }, a, (v) => [squareLinfInitReference(v.x0(), v.rowIds(), shape, a)], [x0.shape])[0] as tf.Tensor4D;
}

/**
 * One L-inf query's candidates: each point's square (side `side`, drawn position and per-channel
 * signs for `step`) set to x_best +- 2 eps, projected onto the eps-ball around x0 and clipped.
 *
 * @example
 * const xNew = squareLinfCandidate(xBest, images, rowIds, { epsilon: 0.1, seed: 0, step: 1, side: 25 });
 */
export function squareLinfCandidate(xBest: tf.Tensor4D, x0: tf.Tensor4D, rowIds: tf.Tensor1D, options: SquareStepOptions): tf.Tensor4D {
  const op = 'squareLinfCandidate';
  const shape = checkImages(op, 'x0', x0);
  checkSameShape(op, 'xBest', xBest, 'x0', x0);
  checkRowIds(op, rowIds, shape);
  const a = checkAttrs(op, options, shape, true);
  const reference = (v: Record<string, Values>) => [squareLinfCandidateReference(v.xBest(), v.x0(), v.rowIds(), shape, a)];
  return runSquareKernel(SquareLinfCandidate, { xBest, x0, rowIds }, a, reference, [x0.shape])[0] as tf.Tensor4D;
}

/**
 * The L2 start: the reference's grid of eta windows (random sign per point, cell and channel, random
 * transposition per point and cell), scaled to L2 norm eps per image, added to x0 and clipped.
 *
 * @example
 * const xBest = squareL2Init(images, rowIds, { epsilon: 1.5, seed: 0 });
 */
export function squareL2Init(x0: tf.Tensor4D, rowIds: tf.Tensor1D, options: SquareStepOptions): tf.Tensor4D {
  const op = 'squareL2Init';
  const shape = checkImages(op, 'x0', x0);
  checkRowIds(op, rowIds, shape);
  const a = checkAttrs(op, options, shape, false);
  const grid = squareL2InitGrid(shape.height, shape.width);
  const etaValues = squareEta(grid.s);
  const eta = tf.tensor1d(etaValues);
  try {
    const attrs = { ...a, norm: squareL2InitNorm(grid, shape.channels, etaValues) };
    return runSquareKernel(SquareL2Init, { x0, rowIds, eta }, attrs, (v) => [squareL2InitReference(v.x0(), v.rowIds(), etaValues, shape, a)], [x0.shape])[0] as tf.Tensor4D;
  } finally {
    eta.dispose();
  }
}

/**
 * One L2 query's per-point, per-channel statistics [points, c, 4] (window-1 norm, new window norm,
 * target norm, energy after), for {@link squareL2Candidate}; `eta` is squareEta(side).
 *
 * @example
 * const stats = squareL2Stats(xBest, images, rowIds, eta, { epsilon: 1.5, seed: 0, step: 1, side: 25 });
 */
export function squareL2Stats(xBest: tf.Tensor4D, x0: tf.Tensor4D, rowIds: tf.Tensor1D, eta: tf.Tensor, options: SquareStepOptions): tf.Tensor3D {
  const op = 'squareL2Stats';
  const shape = checkImages(op, 'x0', x0);
  checkSameShape(op, 'xBest', xBest, 'x0', x0);
  checkRowIds(op, rowIds, shape);
  const a = checkAttrs(op, options, shape, true);
  checkEta(op, eta, a.side);
  const reference = (v: Record<string, Values>) => [squareL2StatsReference(v.xBest(), v.x0(), v.rowIds(), v.eta(), shape, a)];
  return runSquareKernel(SquareL2Stats, { xBest, x0, rowIds, eta }, a, reference, [[shape.rows, shape.channels, L2_STATS]])[0] as tf.Tensor3D;
}

/**
 * One L2 query's candidates: each point's window 2 zeroed, window 1 replaced by eta sign plus its old
 * content (rescaled as the reference does), the whole perturbation scaled to L2 norm eps, clipped.
 *
 * @example
 * const xNew = squareL2Candidate(xBest, images, rowIds, eta, stats, { epsilon: 1.5, seed: 0, step: 1, side: 25 });
 */
export function squareL2Candidate(xBest: tf.Tensor4D, x0: tf.Tensor4D, rowIds: tf.Tensor1D, eta: tf.Tensor, stats: tf.Tensor, options: SquareStepOptions): tf.Tensor4D {
  const op = 'squareL2Candidate';
  const shape = checkImages(op, 'x0', x0);
  checkSameShape(op, 'xBest', xBest, 'x0', x0);
  checkRowIds(op, rowIds, shape);
  const a = checkAttrs(op, options, shape, true);
  checkEta(op, eta, a.side);
  checkFloatTensor(op, 'stats', stats);
  if (stats.size !== shape.rows * shape.channels * L2_STATS) throw new AdversarialArgumentError(op, 'stats', `must be [${shape.rows}, ${shape.channels}, ${L2_STATS}] (squareL2Stats), got [${stats.shape}]`);
  const reference = (v: Record<string, Values>) => [squareL2CandidateReference(v.xBest(), v.x0(), v.rowIds(), v.eta(), v.stats(), shape, a)];
  return runSquareKernel(SquareL2Candidate, { xBest, x0, rowIds, eta, stats }, a, reference, [x0.shape])[0] as tf.Tensor4D;
}
