// Bad-argument cases of the public ops, shared by both runtimes: each must throw an AdversarialArgumentError
// naming the argument, run no GPU work that errs, and leave the tensor count unchanged.
import * as tf from '@tensorflow/tfjs-core';
import * as lib from '../../dist/index.js';

interface ArgumentCase {
  name: string;
  argument: string;
  call: (t: Record<'x' | 'y' | 'ints' | 'other' | 'scalar' | 'four' | 'fourT' | 'flat' | 'rows', tf.Tensor>) => unknown;
}

const ok = { epsilon: 0.1 };
const pgdOk = { stepSize: 0.01, epsilon: 0.1 };

export const argumentCases: ArgumentCase[] = [
  { name: 'fgsmStep grad shape mismatch', argument: 'grad', call: (t) => lib.fgsmStep(t.x, t.other, ok) },
  { name: 'fgsmStep x int32', argument: 'x', call: (t) => lib.fgsmStep(t.ints, t.x, ok) },
  { name: 'fgsmStep grad int32', argument: 'grad', call: (t) => lib.fgsmStep(t.x, t.ints, ok) },
  { name: 'fgsmStep x not a tensor', argument: 'x', call: (t) => lib.fgsmStep([1, 2] as never, t.x, ok) },
  { name: 'fgsmStep eps < 0', argument: 'options.epsilon', call: (t) => lib.fgsmStep(t.x, t.y, { epsilon: -0.1 }) },
  { name: 'fgsmStep eps NaN', argument: 'options.epsilon', call: (t) => lib.fgsmStep(t.x, t.y, { epsilon: NaN }) },
  { name: 'fgsmStep eps Infinity', argument: 'options.epsilon', call: (t) => lib.fgsmStep(t.x, t.y, { epsilon: Infinity }) },
  { name: 'fgsmStep eps beyond float32', argument: 'options.epsilon', call: (t) => lib.fgsmStep(t.x, t.y, { epsilon: 1e39 }) },
  { name: 'fgsmStep eps missing', argument: 'options.epsilon', call: (t) => lib.fgsmStep(t.x, t.y, {} as never) },
  { name: 'fgsmStep clip bounds reversed', argument: 'options.clipMin', call: (t) => lib.fgsmStep(t.x, t.y, { epsilon: 0.1, clipMin: 1, clipMax: 0 }) },
  { name: 'fgsmStep clipMax NaN', argument: 'options.clipMax', call: (t) => lib.fgsmStep(t.x, t.y, { epsilon: 0.1, clipMax: NaN }) },
  { name: 'fgsmStep targeted not boolean', argument: 'options.targeted', call: (t) => lib.fgsmStep(t.x, t.y, { epsilon: 0.1, targeted: 1 as never }) },
  { name: 'fgsmStep unknown option', argument: 'options.eps', call: (t) => lib.fgsmStep(t.x, t.y, { epsilon: 0.1, eps: 0.1 } as never) },
  { name: 'fgsmStep options missing', argument: 'options', call: (t) => lib.fgsmStep(t.x, t.y, undefined as never) },
  { name: 'fgsmStep x disposed', argument: 'x', call: (t) => { const d = tf.zerosLike(t.x); d.dispose(); return lib.fgsmStep(d, t.y, ok); } },
  { name: 'pgdStep x0 shape mismatch', argument: 'x0', call: (t) => lib.pgdStep(t.x, t.other, t.y, pgdOk) },
  { name: 'pgdStep grad shape mismatch', argument: 'grad', call: (t) => lib.pgdStep(t.x, t.y, t.other, pgdOk) },
  { name: 'pgdStep xAdv int32', argument: 'xAdv', call: (t) => lib.pgdStep(t.ints, t.x, t.y, pgdOk) },
  { name: 'pgdStep stepSize < 0', argument: 'options.stepSize', call: (t) => lib.pgdStep(t.x, t.x, t.y, { stepSize: -1, epsilon: 0.1 }) },
  { name: 'pgdStep eps NaN', argument: 'options.epsilon', call: (t) => lib.pgdStep(t.x, t.x, t.y, { stepSize: 0.01, epsilon: NaN }) },
  { name: 'pgdStep clip bounds reversed', argument: 'options.clipMin', call: (t) => lib.pgdStep(t.x, t.x, t.y, { ...pgdOk, clipMin: 0.6, clipMax: 0.5 }) },
  { name: 'randomStart eps < 0', argument: 'options.epsilon', call: (t) => lib.randomStart(t.x, { epsilon: -1, seed: 1 }) },
  { name: 'randomStart seed fractional', argument: 'options.seed', call: (t) => lib.randomStart(t.x, { epsilon: 0.1, seed: 1.5 }) },
  { name: 'randomStart seed too large', argument: 'options.seed', call: (t) => lib.randomStart(t.x, { epsilon: 0.1, seed: 2 ** 32 }) },
  { name: 'randomStart x int32', argument: 'x', call: (t) => lib.randomStart(t.ints, { epsilon: 0.1, seed: 1 }) },
  { name: 'pgdStep norm l1', argument: 'options.norm', call: (t) => lib.pgdStep(t.x, t.x, t.y, { ...pgdOk, norm: 'l1' as never }) },
  { name: 'pgdStep l2 on a scalar', argument: 'xAdv', call: (t) => lib.pgdStep(t.scalar, t.scalar, t.scalar, { ...pgdOk, norm: 'l2' }) },
  { name: 'pgdStep l2 eps NaN', argument: 'options.epsilon', call: (t) => lib.pgdStep(t.x, t.x, t.y, { stepSize: 0.1, epsilon: NaN, norm: 'l2' }) },
  { name: 'randomStart norm L2 (upper case)', argument: 'options.norm', call: (t) => lib.randomStart(t.x, { epsilon: 0.1, seed: 1, norm: 'L2' as never }) },
  { name: 'apgdStep norm 2', argument: 'options.norm', call: (t) => lib.apgdStep(t.x, t.x, t.x, t.y, t.rows, { epsilon: 0.1, momentum: 1, norm: 2 as never }) },
  { name: 'apgdStep l2 stepSize per element', argument: 'stepSize', call: (t) => lib.apgdStep(t.x, t.x, t.x, t.y, t.x, { epsilon: 0.1, momentum: 1, norm: 'l2' }) },
  { name: 'dlrTargetedLoss 3 classes', argument: 'logits', call: (t) => lib.dlrTargetedLoss(t.x, t.y, t.y) },
  { name: 'dlrTargetedLoss targets shape mismatch', argument: 'targets', call: (t) => lib.dlrTargetedLoss(t.four, t.four, t.fourT) },
  { name: 'dlrTargetedLoss logits rank 1', argument: 'logits', call: (t) => lib.dlrTargetedLoss(t.flat, t.flat, t.flat) },
];

export interface ArgumentReport {
  name: string;
  errorName: string | null;
  argument: string | null;
  message: string | null;
  leakedTensors: number;
}

/** Runs one bad-argument case; the inputs are made (and disposed) around it. */
export function runArgumentCase(name: string): ArgumentReport {
  const c = argumentCases.find((a) => a.name === name);
  if (!c) throw new Error(`no argument case ${name}`);
  const t = { x: tf.ones([2, 3]), y: tf.ones([2, 3]), ints: tf.ones([2, 3], 'int32'), other: tf.ones([3, 2]), scalar: tf.scalar(0.5), four: tf.ones([2, 4]), fourT: tf.ones([4, 2]), flat: tf.ones([8]), rows: tf.ones([2]) };
  const before = tf.memory().numTensors;
  let report: ArgumentReport = { name, errorName: null, argument: null, message: null, leakedTensors: 0 };
  try {
    const out = c.call(t) as tf.Tensor;
    out.dispose();
  } catch (e) {
    const err = e as lib.AdversarialArgumentError;
    report = { name, errorName: err.name, argument: err.argument ?? null, message: err.message, leakedTensors: 0 };
  }
  report.leakedTensors = tf.memory().numTensors - before;
  tf.dispose(Object.values(t));
  return report;
}
