// Runs one engine kernel case on the active webgpu backend and reports what it saw; the Node and the
// Chromium test files assert on the report. Inside one GPU error scope: fresh random inputs from the case
// seed, the output buffer poisoned first, the kernel run under its standard tfjs name, the result compared
// with the float64 reference. Relative error: |gpu - ref| over the sum of the magnitudes of the terms
// (the reference on |inputs|) for sums of products, over max |ref| for the rest; NaN must meet NaN.
import { conv2dReference, conv2dBackpropInputReference, conv2dBackpropFilterReference, maxPoolReference, maxPoolGradReference, matMulReference, softmaxCrossEntropyReference, klDivergenceReference, adamStepReference } from './engine_reference';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import * as lib from '../../dist/index.js';
import * as engine from '../../dist/engine.js';
import { caseSeed } from './cases';
import type { EngineCase } from './engine_cases';
import { withGpuErrorScope } from './kernel_suite';
import { broadcastIndex, sumOverAxes } from './engine_reference_shapes';
import { prepareDepthwise, prepareReduce, prepareShape } from './engine_suite_shapes';
import { prepareConvActivation, prepareMatMulBiasRelu } from './engine_suite_fused';

const POISON = -3.0e38;

export interface EngineCaseReport {
  name: string;
  seed: number;
  compared: number;
  maxRelativeError: number;
  worst: string | null;
  nanMismatches: number;
  poisonLeft: number;
  poisonReused: boolean;
  engineCalls: number;
  fallbackCalls: number;
  /** Dispatches of subgroup programs (engine.subgroupDispatches) during the case. */
  subgroupDispatches: number;
  leakedTensors: number;
  gpuErrors: string[];
}

interface Expected {
  values: ArrayLike<number>;
  /** Per-element error scale; when absent, max |values|. */
  scale?: ArrayLike<number>;
  /** The output's shape, when the case checks it. */
  shape?: number[];
}

export interface Prepared {
  inputs: Record<string, { values: Float32Array; shape: number[] }>;
  run: (t: Record<string, tf.Tensor>) => tf.Tensor[];
  expected: Expected[];
  countName: string;
  /** Poisoned buffers per output (default 1): more where the run allocates intermediates of an output's size first (a composed fallback). */
  poisonCopies?: number;
}

function randoms(seed: number) {
  const random = lib.seededRandom(seed);
  return (n: number, lo = -1, hi = 1) => Float32Array.from({ length: n }, () => lo + (hi - lo) * random());
}

const abs = (v: ArrayLike<number>) => Float64Array.from(v as ArrayLike<number>, Math.abs);
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

function prepare(c: EngineCase, seed: number): Prepared {
  const rand = randoms(seed);
  switch (c.family) {
    case 'reduce':
      return prepareReduce(c, rand);
    case 'shape':
      return prepareShape(c, rand);
    case 'convActivation':
      return prepareConvActivation(c, rand);
    case 'matMulBiasRelu':
      return prepareMatMulBiasRelu(c, rand);
    case 'conv': {
      if (c.op.includes('Depthwise')) return prepareDepthwise(c, rand);
      const g = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, c.dilations, c.pad, undefined, false, 'channelsLast');
      const common: tf.NamedAttrMap = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: c.dilations };
      if (c.op === 'Conv2D' || c.op === 'FusedConv2D') {
        const x = rand(size(c.x), 0, 1);
        const w = rand(size(c.filter));
        const bias = rand(c.filter[3]);
        const fused = c.op === 'FusedConv2D';
        return {
          inputs: { x: { values: x, shape: c.x }, filter: { values: w, shape: c.filter }, bias: { values: bias, shape: [c.filter[3]] } },
          run: (t) => [
            fused
              ? (tf.engine().runKernel('FusedConv2D', { x: t.x, filter: t.filter, bias: t.bias }, { ...common, activation: c.activation ?? 'relu', leakyreluAlpha: 0 }) as tf.Tensor)
              : (tf.engine().runKernel('Conv2D', { x: t.x, filter: t.filter }, common) as tf.Tensor),
          ],
          expected: [
            {
              values: conv2dReference(x, w, g, fused ? bias : undefined, fused ? (c.activation ?? 'relu') : 'linear'),
              scale: conv2dReference(abs(x), abs(w), g, fused ? abs(bias) : undefined),
            },
          ],
          countName: c.op,
        };
      }
      const dy = rand(size(g.outShape));
      if (c.op === 'Conv2DBackpropInput') {
        const w = rand(size(c.filter));
        return {
          inputs: { dy: { values: dy, shape: g.outShape }, filter: { values: w, shape: c.filter } },
          run: (t) => [tf.engine().runKernel('Conv2DBackpropInput', { dy: t.dy, filter: t.filter }, { ...common, inputShape: c.x }) as tf.Tensor],
          expected: [{ values: conv2dBackpropInputReference(dy, w, g), scale: conv2dBackpropInputReference(abs(dy), abs(w), g), shape: c.x }],
          countName: c.op,
        };
      }
      const x = rand(size(c.x), 0, 1);
      return {
        inputs: { x: { values: x, shape: c.x }, dy: { values: dy, shape: g.outShape } },
        run: (t) => [tf.engine().runKernel('Conv2DBackpropFilter', { x: t.x, dy: t.dy }, { ...common, filterShape: c.filter }) as tf.Tensor],
        expected: [{ values: conv2dBackpropFilterReference(x, dy, g), scale: conv2dBackpropFilterReference(abs(x), abs(dy), g), shape: c.filter }],
        countName: c.op,
      };
    }
    case 'pool': {
      const g = tf.backend_util.computePool2DInfo(c.x, c.filterSize, c.strides, 1, c.pad);
      const attrs: tf.NamedAttrMap = { filterSize: c.filterSize, strides: c.strides, pad: c.pad };
      // Rounded to a coarse grid so that windows hold ties (a ReLU output holds many zeros).
      const x = rand(size(c.x)).map((v) => Math.round(v * 4) / 4);
      if (c.op === 'MaxPool') {
        return {
          inputs: { x: { values: x, shape: c.x } },
          run: (t) => [tf.engine().runKernel('MaxPool', { x: t.x }, attrs) as tf.Tensor],
          expected: [{ values: maxPoolReference(x, g) }],
          countName: c.op,
        };
      }
      const y = Float32Array.from(maxPoolReference(x, g));
      const dy = rand(size(g.outShape));
      return {
        inputs: { x: { values: x, shape: c.x }, y: { values: y, shape: g.outShape }, dy: { values: dy, shape: g.outShape } },
        run: (t) => [tf.engine().runKernel('MaxPoolGrad', { dy: t.dy, input: t.x, output: t.y }, attrs) as tf.Tensor],
        expected: [{ values: maxPoolGradReference(dy, x, g), scale: maxPoolGradReference(abs(dy), x, g) }],
        countName: c.op,
      };
    }
    case 'matmul': {
      const aShape = c.transposeA ? [c.k, c.m] : [c.m, c.k];
      const bShape = c.transposeB ? [c.n, c.k] : [c.k, c.n];
      const batched = c.batchA > 1 || c.batchB > 1;
      const aFull = batched ? [c.batchA, ...aShape] : aShape;
      const bFull = batched ? [c.batchB, ...bShape] : bShape;
      const a = rand(size(aFull));
      const b = rand(size(bFull));
      const bias = rand(c.n);
      const fused = c.op === '_FusedMatMul';
      const o = { batchA: c.batchA, batchB: c.batchB, m: c.m, k: c.k, n: c.n, transposeA: c.transposeA, transposeB: c.transposeB };
      const attrs = { transposeA: c.transposeA, transposeB: c.transposeB };
      return {
        inputs: { a: { values: a, shape: aFull }, b: { values: b, shape: bFull }, bias: { values: bias, shape: [c.n] } },
        run: (t) => [
          fused
            ? (tf.engine().runKernel('_FusedMatMul', { a: t.a, b: t.b, bias: t.bias }, { ...attrs, activation: 'relu', leakyreluAlpha: 0 }) as tf.Tensor)
            : (tf.engine().runKernel('BatchMatMul', { a: t.a, b: t.b }, attrs) as tf.Tensor),
        ],
        expected: [
          {
            values: matMulReference(a, b, fused ? { ...o, bias, activation: 'relu' } : o),
            scale: matMulReference(abs(a), abs(b), fused ? { ...o, bias: abs(bias) } : o),
          },
        ],
        countName: c.op,
      };
    }
    case 'elementwise': {
      const n = size(c.shape);
      const x = rand(n);
      if (c.withNaN) for (let i = 1; i < n; i += 7) x[i] = i % 14 === 1 ? NaN : 0;
      if (c.op === 'Relu' || c.op === 'Step') {
        const alpha = 0.2;
        const values = Float64Array.from(x, (v) => (Number.isNaN(v) ? NaN : c.op === 'Relu' ? (v < 0 ? 0 : v) : v > 0 ? 1 : alpha));
        return {
          inputs: { x: { values: x, shape: c.shape } },
          run: (t) => [tf.engine().runKernel(c.op, { x: t.x }, c.op === 'Step' ? { alpha } : {}) as tf.Tensor],
          expected: [{ values }],
          countName: c.op,
        };
      }
      if (c.op === 'ClipByValueGrad') {
        // ReLU6's gradient: dy where 0 <= x <= 6 (the bounds themselves included), else 0; a NaN x gives 0.
        const xs = Float32Array.from(x, (v, i) => (Number.isNaN(v) ? v : i % 5 === 2 ? 6 : i % 5 === 4 ? 0 : 8 * v));
        const dy = rand(n);
        const values = Float64Array.from(xs, (v, i) => (v >= 0 && v <= 6 ? dy[i] : 0));
        return {
          inputs: { x: { values: xs, shape: c.shape }, dy: { values: dy, shape: c.shape } },
          // The registered gradient itself (the engine's over tfjs's), so that its output is the first allocation.
          run: (t) => [(tf.getGradient('ClipByValue')!.gradFunc(t.dy, [t.x], { clipValueMin: 0, clipValueMax: 6 }) as { x: () => tf.Tensor }).x()],
          expected: [{ values }],
          countName: c.op,
        };
      }
      if (c.op === 'FusedBatchNorm') {
        // y = (x - mean) / sqrt(variance + eps) * scale + offset per channel (the last axis).
        const channels = c.shape[c.shape.length - 1];
        const [mean, variance, scale, offset] = [rand(channels), rand(channels, 0.1, 2), rand(channels, 0.5, 1.5), rand(channels)];
        const eps = 1e-3;
        const ch = (i: number) => i % channels;
        const values = Float64Array.from(x, (v, i) => ((v - mean[ch(i)]) / Math.sqrt(variance[ch(i)] + eps)) * scale[ch(i)] + offset[ch(i)]);
        const scaleOf = Float64Array.from(x, (v, i) => ((Math.abs(v) + Math.abs(mean[ch(i)])) / Math.sqrt(variance[ch(i)] + eps)) * scale[ch(i)] + Math.abs(offset[ch(i)]));
        const vector = (v: Float32Array) => ({ values: v, shape: [channels] });
        return {
          inputs: { x: { values: x, shape: c.shape }, mean: vector(mean), variance: vector(variance), scale: vector(scale), offset: vector(offset) },
          run: (t) => [tf.engine().runKernel('FusedBatchNorm', { x: t.x, mean: t.mean, variance: t.variance, scale: t.scale, offset: t.offset }, { varianceEpsilon: eps }) as tf.Tensor],
          expected: [{ values, scale: scaleOf }],
          countName: c.op,
        };
      }
      if (c.op === 'FusedBatchNormGrad') {
        // dx = dy * rsqrt(variance + eps) * scale per channel (the last axis).
        const channels = c.shape[c.shape.length - 1];
        const [mean, variance, scale] = [rand(channels), rand(channels, 0.1, 2), rand(channels, 0.5, 1.5)];
        const eps = 1e-3;
        const values = Float64Array.from(x, (v, i) => v / Math.sqrt(variance[i % channels] + eps) * scale[i % channels]);
        return {
          inputs: { x: { values: rand(n), shape: c.shape }, dy: { values: x, shape: c.shape }, mean: { values: mean, shape: [channels] }, variance: { values: variance, shape: [channels] }, scale: { values: scale, shape: [channels] } },
          // The registered gradient itself (the engine's over tfjs's), its dx only.
          run: (t) => [tf.tidy(() => (tf.getGradient('FusedBatchNorm')!.gradFunc(t.dy, [t.x, t.mean, t.variance, t.scale], { varianceEpsilon: eps }) as { x: () => tf.Tensor }).x())],
          expected: [{ values, scale: Float64Array.from(values, Math.abs) }],
          countName: c.op,
        };
      }
      if (c.op === 'Sum') {
        const axes = c.other!;
        return {
          inputs: { x: { values: x, shape: c.shape } },
          run: (t) => [tf.engine().runKernel('Sum', { x: t.x }, { axis: axes, keepDims: false }) as tf.Tensor],
          expected: [{ values: sumOverAxes(x, c.shape, axes), scale: sumOverAxes(abs(x), c.shape, axes) }],
          countName: c.op,
        };
      }
      const otherShape = c.other ?? c.shape;
      const y = rand(size(otherShape));
      const apply = (p: number, q: number) => (c.op === 'Add' ? p + q : c.op === 'Sub' ? p - q : p * q);
      const values = Float64Array.from(x, (v, i) => (c.otherFirst ? apply(y[broadcastIndex(i, c.shape, otherShape)], v) : apply(v, y[broadcastIndex(i, c.shape, otherShape)])));
      const [a, b] = c.otherFirst ? [{ values: y, shape: otherShape }, { values: x, shape: c.shape }] : [{ values: x, shape: c.shape }, { values: y, shape: otherShape }];
      return {
        inputs: { a, b },
        run: (t) => [tf.engine().runKernel(c.op, { a: t.a, b: t.b }) as tf.Tensor],
        expected: [{ values }],
        countName: c.op,
      };
    }
    case 'loss': {
      const logits = rand(c.rows * c.classes, -4, 4);
      let labels: Float32Array;
      if (c.softLabels) {
        labels = rand(c.rows * c.classes, 0, 1);
        for (let r = 0; r < c.rows; r++) {
          let s = 0;
          for (let k = 0; k < c.classes; k++) s += labels[r * c.classes + k];
          for (let k = 0; k < c.classes; k++) labels[r * c.classes + k] /= s;
        }
      } else {
        labels = new Float32Array(c.rows * c.classes);
        const pick = rand(c.rows, 0, 1);
        for (let r = 0; r < c.rows; r++) labels[r * c.classes + Math.min(c.classes - 1, Math.floor(pick[r] * c.classes))] = 1;
      }
      const ref = softmaxCrossEntropyReference(logits, labels, c.rows, c.classes);
      const shape = [c.rows, c.classes];
      return {
        inputs: { logits: { values: logits, shape }, labels: { values: labels, shape } },
        run: (t) =>
          c.op === 'SoftmaxCrossEntropy'
            ? [lib.softmaxCrossEntropy(t.logits as tf.Tensor2D, t.labels as tf.Tensor2D)]
            : [tf.grad((l: tf.Tensor) => lib.softmaxCrossEntropy(l as tf.Tensor2D, t.labels as tf.Tensor2D))(t.logits)],
        expected: [c.op === 'SoftmaxCrossEntropy' ? { values: [ref.loss] } : { values: ref.grad }],
        countName: c.op,
      };
    }
    case 'kl': {
      const range = c.logits === 'large' ? 90 : 4;
      const pLogits = rand(c.rows * c.classes, -range, range);
      const qLogits = c.logits === 'equal' ? pLogits.slice() : rand(c.rows * c.classes, -range, range);
      const dy = rand(c.rows, -1, 1);
      const ref = klDivergenceReference(pLogits, qLogits, c.rows, c.classes, dy);
      const shape = [c.rows, c.classes];
      // Against the largest sum of the magnitudes of the terms (1e-6 at least: equal rows give zeros).
      const floor = (v: Float64Array) => Float64Array.from(v, () => Math.max(1e-6, ...Array.from(v, Math.abs)));
      return {
        inputs: { pLogits: { values: pLogits, shape }, qLogits: { values: qLogits, shape }, dy: { values: dy, shape: [c.rows] } },
        run: (t) =>
          c.op === 'KlDivergence'
            ? [lib.klDivergenceRows(t.pLogits as tf.Tensor2D, t.qLogits as tf.Tensor2D)]
            : tf.grads((a: tf.Tensor, b: tf.Tensor) => lib.klDivergenceRows(a as tf.Tensor2D, b as tf.Tensor2D))([t.pLogits, t.qLogits], t.dy),
        expected:
          c.op === 'KlDivergence'
            ? [{ values: ref.kl, scale: floor(ref.klTerms), shape: [c.rows] }]
            : [
                { values: ref.gradP, scale: floor(ref.gradPTerms), shape },
                { values: ref.gradQ, scale: floor(ref.gradQ), shape },
              ],
        countName: c.op,
      };
    }
    case 'adam': {
      const value = rand(c.n);
      const grad = rand(c.n, -0.1, 0.1);
      const m = rand(c.n, -0.01, 0.01);
      const v = rand(c.n, 0, 1e-4);
      const f = Math.fround;
      let acc1 = f(0.9);
      let acc2 = f(0.999);
      for (let i = 1; i < c.step; i++) {
        acc1 = f(acc1 * f(0.9));
        acc2 = f(acc2 * f(0.999));
      }
      const scalars = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, oneMinusBeta1: f(0.1), oneMinusBeta2: f(1 - 0.999), epsilon: 1e-7, biasCorrection1: f(1 - acc1), biasCorrection2: f(1 - acc2) };
      const [v1, m1, s1] = adamStepReference(value, grad, m, v, scalars);
      const backend = tf.backend() as WebGPUBackend;
      return {
        inputs: { value: { values: value, shape: [c.n] }, grad: { values: grad, shape: [c.n] }, m: { values: m, shape: [c.n] }, v: { values: v, shape: [c.n] } },
        run: (t) => engine.adamStepWebGPU(backend, t.value, t.grad, t.m, t.v, scalars).map((info) => tf.engine().makeTensorFromTensorInfo(info)),
        expected: [{ values: v1 }, { values: m1 }, { values: s1 }],
        countName: 'AdamStep',
      };
    }
  }
}

export async function runEngineCase(c: EngineCase, runSeed: number): Promise<EngineCaseReport> {
  const backend = tf.backend() as WebGPUBackend;
  if (tf.getBackend() !== 'webgpu') throw new Error(`the active backend is ${tf.getBackend()}, not webgpu`);
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  lib.useEngineKernels(true);
  const seed = caseSeed(runSeed, c.name);
  const p = prepare(c, seed);
  const counts = () => ({ ...(lib.engineKernelCounts[p.countName] ?? { engine: 0, fallback: 0 }) });
  const { value, errors } = await withGpuErrorScope(backend.device, async () => {
    const t: Record<string, tf.Tensor> = {};
    for (const [name, input] of Object.entries(p.inputs)) {
      t[name] = tf.tensor(input.values, input.shape);
      backend.uploadToGPU(t[name].dataId);
    }
    const before = tf.memory().numTensors;
    const outSizes = p.expected.map((e) => e.values.length);
    const poisons = outSizes.flatMap((n) => Array.from({ length: p.poisonCopies ?? 1 }, () => tf.fill([n], POISON)));
    await Promise.all(poisons.map((q) => q.data()));
    const poisoned = new Set(poisons.map((q) => (backend.tensorMap.get(q.dataId) as { resource: unknown }).resource));
    tf.dispose(poisons);
    const countsBefore = counts();
    const subgroupsBefore = engine.subgroupDispatches();
    // A case may run with the subgroup tiles off (the flag is on again at once).
    tf.env().set(engine.FLAG_SUBGROUPS, (c as { subgroups?: boolean }).subgroups !== false);
    let outputs: tf.Tensor[];
    try {
      outputs = p.run(t);
    } finally {
      tf.env().set(engine.FLAG_SUBGROUPS, true);
    }
    const countsAfter = counts();
    const subgroupDispatches = engine.subgroupDispatches() - subgroupsBefore;
    const poisonReused = outputs.every((o) => poisoned.has((backend.tensorMap.get(o.dataId) as { resource: unknown }).resource));
    const actual = await Promise.all(outputs.map(async (o) => (await o.data()) as Float32Array));
    const shapes = outputs.map((o) => o.shape.slice());
    tf.dispose(outputs);
    const leakedTensors = tf.memory().numTensors - before;
    tf.dispose(Object.values(t));
    return {
      actual,
      shapes,
      poisonReused,
      leakedTensors,
      engineCalls: countsAfter.engine - countsBefore.engine,
      fallbackCalls: countsAfter.fallback - countsBefore.fallback,
      subgroupDispatches,
    };
  });
  lib.useEngineKernels('auto');
  let compared = 0;
  let maxRelativeError = 0;
  let worst: string | null = null;
  let nanMismatches = 0;
  let poisonLeft = 0;
  p.expected.forEach((e, k) => {
    const got = value.actual[k];
    let top = 0;
    for (let i = 0; i < e.values.length; i++) if (!Number.isNaN(e.values[i])) top = Math.max(top, Math.abs(e.values[i]));
    if (e.shape && value.shapes[k].join(',') !== e.shape.join(',')) {
      nanMismatches++;
      worst = `output ${k}: shape [${value.shapes[k]}], expected [${e.shape}]`;
      return;
    }
    if (got.length !== e.values.length) {
      nanMismatches += Math.abs(got.length - e.values.length);
      worst = `output ${k}: length ${got.length}, expected ${e.values.length}`;
      return;
    }
    for (let i = 0; i < e.values.length; i++) {
      if (got[i] === Math.fround(POISON)) poisonLeft++;
      const want = e.values[i];
      if (Number.isNaN(want) || Number.isNaN(got[i])) {
        if (Number.isNaN(want) !== Number.isNaN(got[i])) nanMismatches++;
        continue;
      }
      compared++;
      const scale = e.scale ? e.scale[i] : top;
      const err = Math.abs(got[i] - want);
      const rel = err === 0 ? 0 : err / (scale > 0 ? scale : Number.MIN_VALUE);
      if (rel > maxRelativeError) {
        maxRelativeError = rel;
        worst = `output ${k} index ${i}: got ${got[i]}, reference ${want}, scale ${scale}`;
      }
    }
  });
  return {
    name: c.name,
    seed,
    compared,
    maxRelativeError,
    worst,
    nanMismatches,
    poisonLeft,
    poisonReused: value.poisonReused,
    engineCalls: value.engineCalls,
    fallbackCalls: value.fallbackCalls,
    subgroupDispatches: value.subgroupDispatches,
    leakedTensors: value.leakedTensors,
    gpuErrors: errors,
  };
}
