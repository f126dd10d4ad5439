// The engine cases of the fused ops the models call directly: convActivation (EngineConvActivation:
// act(conv(x, w) + bias) for a convolution or a depthwise one, the inference plan's op) and matMulBiasRelu
// (EngineMatMulBiasRelu: the seed CNN's dense layer), their value and their gradients. Odd sizes, channel
// counts not multiples of 4, every padding form the plan passes, edge inputs (pre-activations exactly at
// ReLU6's bounds 0 and 6, NaN and infinities), and one configuration the engine does not cover.
import type { Pad } from './engine_cases';

type Shape4 = [number, number, number, number];
export type FusedActivation = 'linear' | 'relu' | 'relu6';

export interface ConvActivationCase {
  family: 'convActivation';
  /** 'ConvActivation': y; 'ConvActivationGrad': y, dx, dw, dbias for an upstream dy. */
  op: 'ConvActivation' | 'ConvActivationGrad';
  name: string;
  kind: 'conv' | 'depthwise';
  x: Shape4;
  filter: Shape4;
  strides: [number, number];
  pad: Exclude<Pad, number>;
  dilations: [number, number];
  activation: FusedActivation;
  /** random; edges: image 0 all zeros and biases exactly 0 and 6 (pre-activations on ReLU6's bounds); nan: NaN and +-Infinity in x. */
  inputs: 'random' | 'edges' | 'nan';
  /**
   * The inference plan's pair attributes: x a ReLU6's output (drawn in [0, 6] with many exactly 0 and 6),
   * dx = conv^T(dz) * [0 < x < 6]; or gradientMaskedByConsumer (dz = dy, the reader has masked it).
   */
  pair?: 'inputIsRelu6' | 'gradientMaskedByConsumer';
  engine: boolean;
}

export interface MatMulBiasReluCase {
  family: 'matMulBiasRelu';
  /** 'MatMulBiasRelu': y; 'MatMulBiasReluGrad': y, da, db, dbias for an upstream dy. */
  op: 'MatMulBiasRelu' | 'MatMulBiasReluGrad';
  name: string;
  m: number;
  k: number;
  n: number;
  /** random; negative: most pre-activations below 0 (and some rows all below); zero_grad: dy = 0; edges: rows of a exactly 0 and biases exactly 0. */
  inputs: 'random' | 'negative' | 'zero_grad' | 'edges';
  /** Always on the engine (with its matmul switched on). */
  engine: true;
}

const shapeName = (s: number[]) => `[${s.join(',')}]`;
const padName = (p: Exclude<Pad, number>) => (Array.isArray(p) ? `[${p.map((q) => q.join(':')).join(',')}]` : p);

type Geometry = Omit<ConvActivationCase, 'family' | 'op' | 'name' | 'activation' | 'inputs'> & { gradient?: boolean };

// Output sizes differ from x's (so that the gradient's outputs are told apart in the poisoned buffers),
// except where `gradient: false` keeps a geometry to the forward pass. The engine's convolutions take any
// input channel count and output channels in multiples of 4 (any count for the depthwise ones).
const conv3x3Same: Geometry = { kind: 'conv', x: [2, 7, 6, 3], filter: [3, 3, 3, 8], strides: [1, 1], pad: 'same', dilations: [1, 1], engine: true };
const conv3x3SameStride2: Geometry = { kind: 'conv', x: [3, 9, 7, 6], filter: [3, 3, 6, 8], strides: [2, 2], pad: 'same', dilations: [1, 1], engine: true };
const pointwise: Geometry = { kind: 'conv', x: [2, 6, 5, 12], filter: [1, 1, 12, 8], strides: [1, 1], pad: 'valid', dilations: [1, 1], engine: true };
const pointwiseOdd: Geometry = { kind: 'conv', x: [3, 5, 7, 7], filter: [1, 1, 7, 4], strides: [1, 1], pad: 'same', dilations: [1, 1], engine: true };
const depthwiseSame: Geometry = { kind: 'depthwise', x: [2, 9, 7, 6], filter: [3, 3, 6, 1], strides: [1, 1], pad: 'same', dilations: [1, 1], engine: true, gradient: false };
const depthwiseStride2Same: Geometry = { kind: 'depthwise', x: [3, 7, 9, 16], filter: [3, 3, 16, 1], strides: [2, 2], pad: 'same', dilations: [1, 1], engine: true };
const depthwiseMobileNet: Geometry = { kind: 'depthwise', x: [2, 8, 8, 8], filter: [3, 3, 8, 1], strides: [2, 2], pad: [[0, 0], [0, 1], [0, 1], [0, 0]], dilations: [1, 1], engine: true };
const oddOutputChannels: Geometry = { kind: 'conv', x: [2, 7, 6, 3], filter: [3, 3, 3, 5], strides: [1, 1], pad: 'same', dilations: [1, 1], engine: false };
const geometries: Geometry[] = [
  conv3x3Same,
  conv3x3SameStride2,
  { kind: 'conv', x: [1, 8, 9, 5], filter: [3, 3, 5, 4], strides: [1, 1], pad: 'valid', dilations: [1, 1], engine: true },
  { kind: 'conv', x: [2, 11, 10, 7], filter: [3, 3, 7, 12], strides: [2, 2], pad: 'valid', dilations: [1, 1], engine: true },
  { kind: 'conv', x: [2, 10, 9, 3], filter: [3, 3, 3, 4], strides: [2, 2], pad: [[0, 0], [1, 0], [0, 1], [0, 0]], dilations: [1, 1], engine: true },
  pointwise,
  pointwiseOdd,
  depthwiseSame,
  { kind: 'depthwise', x: [2, 9, 8, 5], filter: [3, 3, 5, 1], strides: [1, 1], pad: 'valid', dilations: [1, 1], engine: true },
  { kind: 'depthwise', x: [1, 11, 11, 5], filter: [3, 3, 5, 1], strides: [2, 2], pad: 'valid', dilations: [1, 1], engine: true },
  depthwiseStride2Same,
  depthwiseMobileNet,
  // Composed of tfjs ops: output channels not a multiple of 4, and dilation 2 (the engine's backprop-input
  // kernel takes dilation 1 only).
  oddOutputChannels,
  // tfjs has no gradient for a dilated conv2d ("dilation rates greater than 1 are not yet supported in
  // gradients"): value only.
  { kind: 'conv', x: [2, 9, 9, 3], filter: [3, 3, 3, 4], strides: [1, 1], pad: 'same', dilations: [2, 2], engine: false, gradient: false },
];

const convName = (op: string, g: Geometry, activation: FusedActivation, inputs: string, pair?: string) =>
  `${op} ${g.kind} x=${shapeName(g.x)} filter=${shapeName(g.filter)} strides=${g.strides.join('x')} pad=${padName(g.pad)}${g.dilations[0] > 1 ? ` dilations=${g.dilations.join('x')}` : ''} activation=${activation} inputs=${inputs}${pair ? ` ${pair}` : ''}${g.engine ? '' : ' (tfjs fallback)'}`;

const convCase = (op: ConvActivationCase['op'], { gradient: _, ...g }: Geometry, activation: FusedActivation, inputs: ConvActivationCase['inputs'], pair?: ConvActivationCase['pair']): ConvActivationCase => ({
  family: 'convActivation',
  op,
  name: convName(op, g, activation, inputs, pair),
  ...g,
  activation,
  inputs,
  ...(pair ? { pair } : {}),
});

/** A depthwise 3x3 at stride 1 over channels a multiple of 4 (the row-tiled vec4 kernels, masked in place). */
const depthwiseVec4Same: Geometry = { kind: 'depthwise', x: [2, 9, 7, 8], filter: [3, 3, 8, 1], strides: [1, 1], pad: 'same', dilations: [1, 1], engine: true };

const ACTIVATIONS: FusedActivation[] = ['linear', 'relu', 'relu6'];

export const convActivationCases: ConvActivationCase[] = [
  ...geometries.flatMap((g) => ACTIVATIONS.map((a) => convCase('ConvActivation', g, a, 'random'))),
  ...geometries.filter((g) => g.gradient !== false).flatMap((g) => ACTIVATIONS.map((a) => convCase('ConvActivationGrad', g, a, 'random'))),
  // On ReLU6's bounds: the forward value, and the gradient's subgradient at y = 0 and y = 6: 0 on both on
  // the engine (relu6_grad.wgsl; ReLU's 0 at y = 0), tfjs's [0 < z <= 6] in the composed fallback.
  ...[conv3x3SameStride2, pointwiseOdd, depthwiseStride2Same, depthwiseMobileNet, oddOutputChannels].flatMap((g) =>
    (['relu', 'relu6'] as const).flatMap((a) => [convCase('ConvActivation', g, a, 'edges'), convCase('ConvActivationGrad', g, a, 'edges')]),
  ),
  // The inference plan's ReLU6 pair: the reader masks dx as it writes it (pointwise with channels in 4s,
  // the row-tiled depthwise at strides 1 and 2), else runs the ReLU6 gradient after it (7 input channels,
  // 6 channels, a 3x3 conv, the composed fallback); the producer takes dy as dz.
  ...[pointwise, pointwiseOdd, depthwiseVec4Same, depthwiseStride2Same, depthwiseMobileNet, { ...depthwiseSame, gradient: true }, conv3x3Same, oddOutputChannels].map((g) => convCase('ConvActivationGrad', g, 'linear', 'random', 'inputIsRelu6')),
  ...[pointwise, depthwiseStride2Same].map((g) => convCase('ConvActivationGrad', g, 'relu6', 'random', 'gradientMaskedByConsumer')),
  // NaN and infinities in x, forward only: NaN propagates through the sums and ReLU, ReLU6 maps it to 0
  // (tfjs's FusedConv2D clamps), infinities saturate.
  ...[conv3x3Same, pointwise, depthwiseSame, depthwiseStride2Same].flatMap((g) => ACTIVATIONS.map((a) => convCase('ConvActivation', g, a, 'nan'))),
];

export const matMulBiasReluCases: MatMulBiasReluCase[] = (
  [
    [1, 3, 1, 'random'],
    [3, 7, 5, 'random'],
    [5, 9, 13, 'random'],
    [65, 130, 10, 'random'],
    [8, 64, 128, 'random'],
    [7, 33, 6, 'negative'],
    [9, 12, 17, 'zero_grad'],
    [6, 8, 9, 'edges'],
  ] as [number, number, number, MatMulBiasReluCase['inputs']][]
).flatMap(([m, k, n, inputs]) =>
  // m = 1: y and the bias gradient have one size (the poisoned buffers cannot tell them apart): value only.
  (m === 1 ? (['MatMulBiasRelu'] as const) : (['MatMulBiasRelu', 'MatMulBiasReluGrad'] as const)).map((op): MatMulBiasReluCase => ({ family: 'matMulBiasRelu', op, name: `${op} m=${m} k=${k} n=${n} inputs=${inputs}`, m, k, n, inputs, engine: true })),
);
