// The inputs, runs and float64 references of the fused ops' engine cases (engine_cases_fused.ts), for
// engine_suite.ts to run and compare:
//   convActivation:  y = act(conv(x, w) + bias); under a gradient dz = dy * act'(z) with act' = [z > 0]
//                    (ReLU) or [0 < z < 6] (ReLU6: subgradient 0 on both bounds; tfjs's [0 < z <= 6] in
//                    the composed fallback), dx = conv^T(dz, w),
//                    dw = x (*) dz, dbias = sum of dz over batch and pixels.
//   matMulBiasRelu:  y = relu(a b + bias); dz = dy * [y > 0], da = dz b^T, db = a^T dz, dbias = column sums of dz.
// ReLU6 of NaN is 0 (tfjs's FusedConv2D clamps on WebGPU), ReLU of NaN is NaN. The gradient cases draw x, w,
// a, b and the biases on a dyadic grid (multiples of 1/8, products of 1/64) so that every float32 sum of
// the forward is exact: the kernel's y, and so its activation mask, is the reference's whatever the
// summation order (a pre-activation within rounding of 0 or 6 would otherwise flip the mask).
import * as tf from '@tensorflow/tfjs-core';
import * as engine from '../../dist/engine.js';
import type { ConvActivationCase, FusedActivation, MatMulBiasReluCase } from './engine_cases_fused';
import { conv2dBackpropFilterReference, conv2dBackpropInputReference, conv2dReference, depthwiseConv2dBackpropFilterReference, depthwiseConv2dBackpropInputReference, depthwiseConv2dReference, matMulReference, columnSumReference } from './engine_reference';
import type { Prepared } from './engine_suite';

type Rand = (n: number, lo?: number, hi?: number) => Float32Array;

const abs = (v: ArrayLike<number>) => Float64Array.from(v as ArrayLike<number>, Math.abs);
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
/** Values in [lo, hi] on multiples of 1/8. */
const grid = (v: Float32Array) => v.map((u) => Math.round(u * 8) / 8);

/** The activation of the fused ops, float64, NaN as on the engine and in tfjs. */
function act(v: number, a: FusedActivation): number {
  if (a === 'relu') return v < 0 ? 0 : v;
  if (a === 'relu6') return Number.isNaN(v) ? 0 : Math.min(Math.max(v, 0), 6);
  return v;
}
/**
 * act'(z) at the pre-activation z: ReLU [z > 0]; ReLU6 [0 < z < 6] as the engine takes it (from its output,
 * 0 on both bounds), [0 < z <= 6] in tfjs's gradient (the composed fallback's).
 */
const slope = (z: number, a: FusedActivation, onEngine: boolean) => (a === 'relu' ? (z > 0 ? 1 : 0) : a === 'relu6' ? (z > 0 && (onEngine ? z < 6 : z <= 6) ? 1 : 0) : 1);

/** A convActivation case: the value alone, or the value and its three gradients. */
export function prepareConvActivation(c: ConvActivationCase, rand: Rand): Prepared {
  const depthwise = c.kind === 'depthwise';
  const g = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, c.dilations, c.pad, undefined, depthwise, 'channelsLast');
  const gradient = c.op === 'ConvActivationGrad';
  // The composed fallback (conv, add, activation and tfjs's gradients) allocates intermediates of the outputs' sizes first.
  // The pair's fallbacks (dx, then the ReLU6 gradient) allocate one more of dx's size.
  const poisonCopies = c.engine ? (c.pair ? 2 : 1) : 6;
  const onGrid = gradient || c.inputs === 'edges';
  const fanIn = c.filter[0] * c.filter[1] * (depthwise ? 1 : c.filter[2]);
  // Wide enough that ReLU6's upper bound is crossed: x in [0, 1], w in +-12 / sqrt(fan-in), bias in [-1, 3].
  const draw = (n: number, lo: number, hi: number) => (onGrid ? grid(rand(n, lo, hi)) : rand(n, lo, hi));
  // A ReLU6's output for the inputIsRelu6 pair: on the grid in [-1, 7], clamped (many exactly 0 and 6).
  const x = c.pair === 'inputIsRelu6' ? draw(size(c.x), -1, 7).map((v) => Math.min(Math.max(v, 0), 6)) : draw(size(c.x), 0, 1);
  const reach = 12 / Math.sqrt(fanIn);
  const w = draw(size(c.filter), -reach, reach);
  const bias = draw(g.outChannels, -1, 3);
  if (c.inputs === 'edges') {
    // Image 0 all zeros: its pre-activations are the biases, exactly 0 or 6 on every other channel.
    x.fill(0, 0, size(c.x.slice(1)));
    for (let co = 0; co < g.outChannels; co++) if (co % 4 < 2) bias[co] = co % 4 === 0 ? 0 : 6;
  }
  if (c.inputs === 'nan') {
    const perImage = size(c.x.slice(1));
    for (let b = 0; b < c.x[0]; b++) {
      x[b * perImage + ((7 * b + 3) % perImage)] = NaN;
      x[b * perImage + ((11 * b + perImage - 5) % perImage)] = Infinity;
      x[b * perImage + ((13 * b + Math.floor(perImage / 2)) % perImage)] = -Infinity;
    }
  }
  const conv = depthwise ? depthwiseConv2dReference : conv2dReference;
  const z = conv(x, w, g).map((v, i) => v + bias[i % g.outChannels]);
  const y = z.map((v) => act(v, c.activation));
  const yScale = conv(abs(x), abs(w), g).map((v, i) => v + Math.abs(bias[i % g.outChannels]));
  const attrs: engine.ConvActivationAttrs = { kind: c.kind, strides: c.strides, pad: c.pad, dilations: c.dilations, activation: c.activation, ...(c.pair ? { [c.pair]: true } : {}) };
  const inputs: Prepared['inputs'] = { x: { values: x, shape: c.x }, filter: { values: w, shape: c.filter }, bias: { values: bias, shape: [g.outChannels] } };
  const op = (v: tf.Tensor, f: tf.Tensor, b: tf.Tensor) => engine.convActivation(v as tf.Tensor4D, f as tf.Tensor4D, b as tf.Tensor1D, attrs);
  if (!gradient) return { inputs, run: (t) => [op(t.x, t.filter, t.bias)], expected: [{ values: y, scale: yScale, shape: g.outShape }], countName: engine.ConvActivation, poisonCopies };
  const dy = rand(size(g.outShape));
  const dz = Float64Array.from(dy, (v, i) => (c.pair === 'gradientMaskedByConsumer' ? v : v * slope(z[i], c.activation, c.engine)));
  // The pair's reader: dx at the ReLU6's input, [0 < x < 6] (0 on both bounds, engine or not).
  const inputMask = (dx: Float64Array) => (c.pair === 'inputIsRelu6' ? dx.map((v, i) => (x[i]! > 0 && x[i]! < 6 ? v : 0)) : dx);
  const [backInput, backFilter] = depthwise ? [depthwiseConv2dBackpropInputReference, depthwiseConv2dBackpropFilterReference] : [conv2dBackpropInputReference, conv2dBackpropFilterReference];
  const pixels = g.outShape.slice(0, 3).reduce((p, d) => p * d, 1);
  return {
    inputs: { ...inputs, dy: { values: dy, shape: g.outShape } },
    run: (t) => {
      const { value, grads } = tf.valueAndGrads(op)([t.x, t.filter, t.bias], t.dy as tf.Tensor4D);
      return [value, ...grads];
    },
    expected: [
      { values: y, scale: yScale, shape: g.outShape },
      { values: inputMask(backInput(dz, w, g)), scale: backInput(abs(dz), abs(w), g), shape: c.x },
      { values: backFilter(x, dz, g), scale: backFilter(abs(x), abs(dz), g), shape: c.filter },
      { values: columnSumReference(dz, pixels, g.outChannels), scale: columnSumReference(abs(dz), pixels, g.outChannels), shape: [g.outChannels] },
    ],
    countName: engine.ConvActivation,
    poisonCopies,
  };
}

/** A matMulBiasRelu case: the value alone, or the value and its three gradients. */
export function prepareMatMulBiasRelu(c: MatMulBiasReluCase, rand: Rand): Prepared {
  const gradient = c.op === 'MatMulBiasReluGrad';
  const draw = (n: number, lo: number, hi: number) => (gradient || c.inputs === 'edges' ? grid(rand(n, lo, hi)) : rand(n, lo, hi));
  const a = draw(c.m * c.k, c.inputs === 'negative' ? 0 : -1, c.inputs === 'negative' ? 0.25 : 1);
  const b = draw(c.k * c.n, -1, 1);
  const bias = draw(c.n, c.inputs === 'negative' ? -3 : -1, c.inputs === 'negative' ? -1 : 1);
  if (c.inputs === 'negative') for (const r of [0, 2]) a.fill(0, r * c.k, (r + 1) * c.k);
  if (c.inputs === 'edges') {
    for (let r = 0; r < c.m; r += 3) a.fill(0, r * c.k, (r + 1) * c.k);
    for (let j = 0; j < c.n; j += 2) bias[j] = 0;
  }
  const o = { batchA: 1, batchB: 1, m: c.m, k: c.k, n: c.n, transposeA: false, transposeB: false };
  const y = matMulReference(a, b, { ...o, bias, activation: 'relu' });
  const yScale = matMulReference(abs(a), abs(b), { ...o, bias: abs(bias) });
  const inputs: Prepared['inputs'] = { a: { values: a, shape: [c.m, c.k] }, b: { values: b, shape: [c.k, c.n] }, bias: { values: bias, shape: [c.n] } };
  const op = (u: tf.Tensor, v: tf.Tensor, w: tf.Tensor) => engine.matMulBiasRelu(u as tf.Tensor2D, v as tf.Tensor2D, w as tf.Tensor1D);
  if (!gradient) return { inputs, run: (t) => [op(t.a, t.b, t.bias)], expected: [{ values: y, scale: yScale, shape: [c.m, c.n] }], countName: engine.MatMulBiasRelu };
  const dy = c.inputs === 'zero_grad' ? new Float32Array(c.m * c.n) : rand(c.m * c.n);
  const dz = Float64Array.from(dy, (v, i) => (y[i] > 0 ? v : 0));
  const nt = { ...o, k: c.n, n: c.k, transposeB: true };
  const tn = { ...o, m: c.k, k: c.m, transposeA: true };
  return {
    inputs: { ...inputs, dy: { values: dy, shape: [c.m, c.n] } },
    run: (t) => {
      const { value, grads } = tf.valueAndGrads(op)([t.a, t.b, t.bias], t.dy as tf.Tensor2D);
      return [value, ...grads];
    },
    expected: [
      { values: y, scale: yScale, shape: [c.m, c.n] },
      { values: matMulReference(dz, b, nt), scale: matMulReference(abs(dz), abs(b), nt), shape: [c.m, c.k] },
      { values: matMulReference(a, dz, tn), scale: matMulReference(abs(a), abs(dz), tn), shape: [c.k, c.n] },
      { values: columnSumReference(dz, c.m, c.n), scale: columnSumReference(abs(dz), c.m, c.n), shape: [c.n] },
    ],
    countName: engine.MatMulBiasRelu,
  };
}
