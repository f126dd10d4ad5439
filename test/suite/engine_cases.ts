// The engine kernel cases, one table for Node (Dawn) and Chromium: odd batch sizes (1, 3, 65), channels
// 1, 3, 32, sizes that are not multiples of 4 or of a workgroup, every stride, padding and dilation the
// kernels claim, and configurations they do not cover (which must go to tfjs's kernel and still be right).
// The fused ops' cases (convActivation, matMulBiasRelu) are in engine_cases_fused.ts, joined here.
import { convActivationCases, matMulBiasReluCases, type ConvActivationCase, type MatMulBiasReluCase } from './engine_cases_fused';

export type ConvOp = 'Conv2D' | 'FusedConv2D' | 'Conv2DBackpropInput' | 'Conv2DBackpropFilter' | 'DepthwiseConv2dNative' | 'DepthwiseConv2dNativeBackpropInput' | 'DepthwiseConv2dNativeBackpropFilter' | 'FusedDepthwiseConv2D';
export type PoolOp = 'MaxPool' | 'MaxPoolGrad';
/** tfjs's padding: a name, one size for every side, or explicit [[0, 0], [top, bottom], [left, right], [0, 0]] (NHWC). */
export type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];

export interface ConvCase {
  family: 'conv';
  op: ConvOp;
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: Pad;
  dilations: [number, number];
  /** The fused ops' activation (with a bias): 'relu' unless given. */
  activation?: 'relu' | 'relu6';
  /** false: the engine does not cover it; tfjs's kernel must run instead. */
  engine: boolean;
  /** FLAG_SUBGROUPS during the case (default on). */
  subgroups?: boolean;
  /** Checked where given: whether the kernel shares the filter's loads over subgroups of four. */
  expectSubgroups?: boolean;
}

export interface PoolCase {
  family: 'pool';
  op: PoolOp;
  name: string;
  x: [number, number, number, number];
  filterSize: [number, number];
  strides: [number, number];
  pad: Pad;
  engine: boolean;
}

export interface MatMulCase {
  family: 'matmul';
  op: 'BatchMatMul' | '_FusedMatMul';
  name: string;
  batchA: number;
  batchB: number;
  m: number;
  k: number;
  n: number;
  transposeA: boolean;
  transposeB: boolean;
  engine: boolean;
  /** FLAG_SUBGROUPS during the case. */
  subgroups: boolean;
  /**
   * Whether the product shares A's rows over subgroups of four (the engine's rule: a vec4 variant, tile
   * columns ceil(n / 8) padded to a multiple of 4 adding at most a quarter; flag on).
   */
  expectSubgroups: boolean;
}

export interface ElementwiseCase {
  family: 'elementwise';
  op: 'Relu' | 'Step' | 'Multiply' | 'Add' | 'Sub' | 'Sum' | 'ClipByValueGrad' | 'FusedBatchNormGrad' | 'FusedBatchNorm';
  name: string;
  shape: number[];
  /** Add, Multiply, Sub: the second operand's shape; Sum: the reduced axes. */
  other?: number[];
  /** Add, Multiply, Sub: `other` is the first operand (a vector over the last axis of `shape`, on the left). */
  otherFirst?: boolean;
  withNaN?: boolean;
  engine: boolean;
}

export interface LossCase {
  family: 'loss';
  op: 'SoftmaxCrossEntropy' | 'SoftmaxCrossEntropyGrad';
  name: string;
  rows: number;
  classes: number;
  softLabels: boolean;
}

export interface KlCase {
  family: 'kl';
  op: 'KlDivergence' | 'KlDivergenceGrad';
  name: string;
  rows: number;
  classes: number;
  /** random logits in [-4, 4]; `equal`: q = p (divergence and gradients zero); `large`: logits up to +-90 (exp overflows without the max shift). */
  logits: 'random' | 'equal' | 'large';
}

export interface AdamCase {
  family: 'adam';
  op: 'AdamStep';
  name: string;
  n: number;
  step: number;
}

export interface ReduceCase {
  family: 'reduce';
  op: 'Mean' | 'MeanGrad';
  name: string;
  shape: number[];
  axes: number[];
  keepDims: boolean;
  engine: boolean;
}

export interface ShapeCase {
  family: 'shape';
  op: 'PadV2' | 'Slice';
  name: string;
  shape: number[];
  /** PadV2: [before, after] per axis. */
  paddings?: [number, number][];
  /** PadV2: the constant. */
  value?: number;
  /** Slice: begin and size (-1: to the end). */
  begin?: number[];
  size?: number[];
  engine: boolean;
}

export type EngineCase = ConvCase | PoolCase | MatMulCase | ElementwiseCase | LossCase | KlCase | AdamCase | ReduceCase | ShapeCase | ConvActivationCase | MatMulBiasReluCase;

const shapeName = (s: number[]) => `[${s.join(',')}]`;
const padName = (p: Pad) => (Array.isArray(p) ? `[${p.map((q) => q.join(':')).join(',')}]` : String(p));

const convGeometries: Omit<ConvCase, 'family' | 'op' | 'name'>[] = [
  { x: [1, 5, 5, 1], filter: [3, 3, 1, 4], strides: [1, 1], pad: 'valid', dilations: [1, 1], engine: true },
  { x: [3, 9, 7, 3], filter: [3, 3, 3, 8], strides: [2, 2], pad: 'same', dilations: [1, 1], engine: true },
  { x: [65, 28, 28, 1], filter: [3, 3, 1, 32], strides: [1, 1], pad: 'valid', dilations: [1, 1], engine: true },
  { x: [3, 11, 13, 32], filter: [5, 3, 32, 4], strides: [1, 2], pad: 1, dilations: [1, 1], engine: true },
  { x: [2, 7, 6, 3], filter: [1, 1, 3, 4], strides: [1, 1], pad: 'valid', dilations: [1, 1], engine: true },
  { x: [3, 10, 9, 3], filter: [3, 3, 3, 6], strides: [1, 1], pad: 'same', dilations: [1, 1], engine: false },
  // 1x1 at stride 1 (MobileNet's expand and project): forward, input and filter gradients as matrix products.
  { x: [2, 9, 7, 12], filter: [1, 1, 12, 24], strides: [1, 1], pad: 'same', dilations: [1, 1], engine: true },
  { x: [3, 5, 6, 7], filter: [1, 1, 7, 16], strides: [1, 1], pad: 'valid', dilations: [1, 1], engine: true },
  { x: [1, 14, 14, 96], filter: [1, 1, 96, 24], strides: [1, 1], pad: 'same', dilations: [1, 1], engine: true },
  // ... and their filter gradient as the A^T B product over all N*H*W rows (2,304 here: one long sum per tile).
  { x: [4, 24, 24, 16], filter: [1, 1, 16, 96], strides: [1, 1], pad: 'valid', dilations: [1, 1], engine: true },
  // MobileNetV2's first convolution (stride 2, 3 channels: the input gradient of an attack ends here) and a
  // ResNet's strided 1x1 projection with 5 input channels (a channel group of the input gradient cut short).
  { x: [2, 15, 16, 3], filter: [3, 3, 3, 8], strides: [2, 2], pad: 'same', dilations: [1, 1], engine: true },
  { x: [2, 9, 8, 5], filter: [1, 1, 5, 8], strides: [2, 2], pad: 'valid', dilations: [1, 1], engine: true },
  // Few input channels (the small-input forward and stride-1 input gradient: columns read once per
  // invocation): a ResNet's first conv (3 channels, 'same', 13 columns: a partial tile of 8), 2 channels
  // under a 5x5 at strides 2x1 and explicit padding, one channel under a 5x3 'same'.
  { x: [2, 11, 13, 3], filter: [3, 3, 3, 16], strides: [1, 1], pad: 'same', dilations: [1, 1], engine: true },
  { x: [2, 9, 10, 2], filter: [5, 5, 2, 8], strides: [2, 1], pad: 2, dilations: [1, 1], engine: true },
  { x: [3, 8, 9, 1], filter: [5, 3, 1, 12], strides: [1, 1], pad: 'same', dilations: [1, 1], engine: true },
  // madry-cnn's second conv: the filter gradient fits in one chunk (no column sum after it).
  { x: [2, 7, 7, 32], filter: [5, 5, 32, 64], strides: [1, 1], pad: 'same', dilations: [1, 1], engine: true },
];
const dilatedGeometry: Omit<ConvCase, 'family' | 'op' | 'name'> = { x: [3, 12, 11, 3], filter: [3, 3, 3, 8], strides: [1, 1], pad: 'same', dilations: [2, 2], engine: true };

/** A named conv case: the op and its geometry. */
const convCase = (op: ConvOp, g: Omit<ConvCase, 'family' | 'op' | 'name'>): ConvCase => ({
  family: 'conv',
  op,
  name: `${op} x=${shapeName(g.x)} filter=${shapeName(g.filter)} strides=${g.strides.join('x')} pad=${padName(g.pad)} dilations=${g.dilations.join('x')}${g.activation ? ` activation=${g.activation}` : ''}${g.engine ? '' : ' (tfjs fallback)'}${g.expectSubgroups === undefined ? '' : g.expectSubgroups ? ' subgroups' : ' subgroups=off'}`,
  ...g,
});

const convCases: ConvCase[] = [];
for (const op of ['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'] as ConvOp[]) {
  const geometries = op === 'Conv2D' || op === 'FusedConv2D' ? [...convGeometries, dilatedGeometry] : convGeometries;
  for (const g of geometries) {
    convCases.push(convCase(op, g));
  }
}

// The subgroup tiles (the column tile fastest, padded to a multiple of 4; the filter's values shared by the
// four lanes), each with them and without: the small-input forward and stride-1 input gradient (one
// channel, 32 columns; 16 output channels: each lane's share its own), the general forward and input gradient (6 channels: a channel group cut short),
// at stride 2 (5 channels), MobileNetV2's first layer (3 channels, stride 2: the last lane's share
// clamped), 7 column tiles padded to 8.
const subgroupConvGeometries: Omit<ConvCase, 'family' | 'op' | 'name'>[] = [
  { x: [2, 5, 32, 1], filter: [3, 3, 1, 16], strides: [1, 1], pad: 'valid', dilations: [1, 1], engine: true },
  { x: [2, 5, 15, 6], filter: [3, 3, 6, 16], strides: [1, 1], pad: 'same', dilations: [1, 1], engine: true },
  { x: [2, 7, 30, 5], filter: [3, 3, 5, 8], strides: [2, 2], pad: 'same', dilations: [1, 1], engine: true },
  { x: [1, 9, 32, 3], filter: [3, 3, 3, 32], strides: [2, 2], pad: 'same', dilations: [1, 1], engine: true },
  { x: [1, 4, 28, 8], filter: [3, 3, 8, 4], strides: [1, 1], pad: 'same', dilations: [1, 1], engine: true },
];
for (const op of ['Conv2D', 'Conv2DBackpropInput'] as ConvOp[])
  for (const g of subgroupConvGeometries) for (const on of [true, false]) convCases.push(convCase(op, { ...g, subgroups: on, expectSubgroups: on }));

// Depthwise (filter [fh, fw, c, m]): MobileNetV2's stride-1 'same' and stride-2 'valid' after its zero
// padding, a 5x5, dilated ones, explicit padding, odd sizes; channels not a multiple of 4 and channel
// multipliers 2 and 4 (MobileNetV1 variants) on the scalar kernels.
const depthwiseGeometries: Omit<ConvCase, 'family' | 'op' | 'name'>[] = [
  { x: [2, 9, 7, 16], filter: [3, 3, 16, 1], strides: [1, 1], pad: 'same', dilations: [1, 1], engine: true },
  { x: [3, 11, 11, 24], filter: [3, 3, 24, 1], strides: [2, 2], pad: 'valid', dilations: [1, 1], engine: true },
  { x: [1, 8, 10, 8], filter: [3, 3, 8, 1], strides: [2, 2], pad: 'same', dilations: [1, 1], engine: true },
  { x: [1, 13, 13, 4], filter: [5, 5, 4, 1], strides: [1, 1], pad: 'same', dilations: [1, 1], engine: true },
  { x: [2, 12, 11, 8], filter: [3, 3, 8, 1], strides: [1, 1], pad: 'valid', dilations: [2, 2], engine: true },
  { x: [2, 13, 12, 4], filter: [3, 3, 4, 1], strides: [2, 2], pad: 'same', dilations: [2, 2], engine: true },
  { x: [1, 15, 15, 96], filter: [3, 3, 96, 1], strides: [2, 2], pad: 'valid', dilations: [1, 1], engine: true },
  { x: [1, 7, 8, 8], filter: [3, 3, 8, 1], strides: [2, 2], pad: [[0, 0], [0, 1], [1, 0], [0, 0]], dilations: [1, 1], engine: true },
  { x: [2, 6, 6, 4], filter: [3, 3, 4, 2], strides: [1, 1], pad: 'same', dilations: [1, 1], engine: true },
  { x: [2, 6, 6, 6], filter: [3, 3, 6, 1], strides: [1, 1], pad: 'same', dilations: [1, 1], engine: true },
  { x: [3, 9, 11, 3], filter: [3, 3, 3, 2], strides: [2, 2], pad: 'same', dilations: [1, 1], engine: true },
  { x: [2, 10, 9, 5], filter: [3, 3, 5, 1], strides: [2, 2], pad: [[0, 0], [1, 0], [0, 1], [0, 0]], dilations: [1, 1], engine: true },
  { x: [2, 7, 7, 8], filter: [3, 3, 8, 2], strides: [1, 1], pad: 'valid', dilations: [1, 1], engine: true },
  { x: [2, 5, 5, 1], filter: [3, 3, 1, 4], strides: [1, 1], pad: 'same', dilations: [1, 1], engine: true },
  { x: [1, 11, 9, 7], filter: [5, 3, 7, 1], strides: [1, 2], pad: 1, dilations: [1, 1], engine: true },
  { x: [65, 6, 5, 12], filter: [3, 3, 12, 1], strides: [2, 1], pad: 'same', dilations: [1, 1], engine: true },
];
for (const op of ['DepthwiseConv2dNative', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter'] as ConvOp[]) {
  for (const g of depthwiseGeometries) convCases.push(convCase(op, g));
}
// FusedDepthwiseConv2D (tfjs-converter's graph models: depthwise + folded batch norm + ReLU/ReLU6), and
// ReLU6 in the engine's FusedConv2D epilogue.
for (const [i, g] of depthwiseGeometries.entries()) convCases.push(convCase('FusedDepthwiseConv2D', { ...g, activation: i % 2 === 0 ? 'relu6' : 'relu' }));
for (const g of [convGeometries[1], convGeometries[3], convGeometries[6]]) convCases.push(convCase('FusedConv2D', { ...g, activation: 'relu6' }));

const poolGeometries: Omit<PoolCase, 'family' | 'op' | 'name'>[] = [
  { x: [3, 26, 26, 32], filterSize: [2, 2], strides: [2, 2], pad: 'valid', engine: true },
  { x: [1, 7, 9, 4], filterSize: [3, 3], strides: [2, 2], pad: 'same', engine: true },
  { x: [3, 5, 5, 8], filterSize: [2, 2], strides: [1, 1], pad: 'valid', engine: true },
  { x: [65, 13, 11, 4], filterSize: [3, 2], strides: [3, 2], pad: 'valid', engine: true },
  { x: [2, 4, 4, 3], filterSize: [2, 2], strides: [2, 2], pad: 'valid', engine: false },
];
const poolCases: PoolCase[] = [];
for (const op of ['MaxPool', 'MaxPoolGrad'] as PoolOp[]) {
  for (const g of poolGeometries) {
    poolCases.push({
      family: 'pool',
      op,
      name: `${op} x=${shapeName(g.x)} filter=${g.filterSize.join('x')} strides=${g.strides.join('x')} pad=${g.pad}${g.engine ? '' : ' (tfjs fallback)'}`,
      ...g,
    });
  }
}

const matMulShapes: [number, number, number, number, number][] = [
  // batchA, batchB, m, k, n
  [1, 1, 3, 5408, 128],
  [1, 1, 65, 128, 10],
  [1, 1, 1, 3, 1],
  [1, 1, 7, 9, 13],
  [1, 1, 128, 64, 315],
  [2, 2, 5, 8, 12],
  [1, 3, 4, 12, 8],
  // The subgroup tiles: rows not a multiple of 8, tile columns 7 padded to 8 and 10 to 12, batches, B broadcast.
  [1, 1, 37, 20, 64],
  [1, 1, 20, 12, 56],
  [2, 2, 36, 16, 80],
  [1, 3, 16, 8, 64],
];

/** The vec4 variants the engine picks (matmul.ts matMulVariant), 'generic' elsewhere. */
function vec4Variant(m: number, n: number, k: number, transposeA: boolean, transposeB: boolean): boolean {
  if (!transposeA && !transposeB) return k % 4 === 0 && n % 4 === 0;
  if (!transposeA && transposeB) return k % 4 === 0;
  if (transposeA && !transposeB) return m % 4 === 0 && n % 4 === 0;
  return false;
}

/** The subgroup rule of matmul.ts, written out: ceil(n / 8) tile columns padded to a multiple of 4, at most 1.25x. */
const subgroupTiles = (n: number): boolean => 4 * Math.ceil(Math.ceil(n / 8) / 4) <= 1.25 * Math.ceil(n / 8);
const matMulCases: MatMulCase[] = [];
for (const op of ['BatchMatMul', '_FusedMatMul'] as const) {
  for (const [batchA, batchB, m, k, n] of matMulShapes) {
    for (const [transposeA, transposeB] of [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ] as const) {
      if (op === '_FusedMatMul' && (batchA !== 1 || batchB !== 1)) continue;
      const shared = vec4Variant(m, n, k, transposeA, transposeB) && subgroupTiles(n);
      // Where the subgroup tiles apply, the case runs with them and without.
      for (const subgroups of shared ? [true, false] : [true]) {
        const expectSubgroups = subgroups && shared;
        matMulCases.push({
          family: 'matmul',
          op,
          name: `${op} batch=${batchA}/${batchB} m=${m} k=${k} n=${n} transposeA=${transposeA} transposeB=${transposeB}${expectSubgroups ? ' subgroups' : subgroups ? '' : ' subgroups=off'}`,
          batchA,
          batchB,
          m,
          k,
          n,
          transposeA,
          transposeB,
          engine: true,
          subgroups,
          expectSubgroups,
        });
      }
    }
  }
}

const elementwiseCases: ElementwiseCase[] = [
  ...[1, 3, 315, 2179, 4096].flatMap((n): ElementwiseCase[] => [
    { family: 'elementwise', op: 'Relu', name: `Relu n=${n}`, shape: [n], withNaN: true, engine: true },
    { family: 'elementwise', op: 'Step', name: `Step alpha=0.2 n=${n}`, shape: [n], withNaN: true, engine: true },
    { family: 'elementwise', op: 'Multiply', name: `Multiply n=${n}`, shape: [n], engine: true },
    { family: 'elementwise', op: 'Add', name: `Add same shape n=${n}`, shape: [n], other: [n], engine: true },
    { family: 'elementwise', op: 'ClipByValueGrad', name: `ClipByValueGrad [0,6] n=${n}`, shape: [n], withNaN: true, engine: true },
  ]),
  { family: 'elementwise', op: 'ClipByValueGrad', name: 'ClipByValueGrad [0,6] [2,7,7,24] (ReLU6 of MobileNetV2)', shape: [2, 7, 7, 24], withNaN: true, engine: true },
  { family: 'elementwise', op: 'FusedBatchNorm', name: 'FusedBatchNorm [2,5,5,8]', shape: [2, 5, 5, 8], engine: true },
  { family: 'elementwise', op: 'FusedBatchNorm', name: 'FusedBatchNorm [3,4,4,7] (channels not a multiple of 4)', shape: [3, 4, 4, 7], engine: true },
  { family: 'elementwise', op: 'FusedBatchNorm', name: 'FusedBatchNorm [1,14,14,144]', shape: [1, 14, 14, 144], engine: true },
  { family: 'elementwise', op: 'FusedBatchNormGrad', name: 'FusedBatchNormGrad dx [2,5,5,8]', shape: [2, 5, 5, 8], engine: true },
  { family: 'elementwise', op: 'FusedBatchNormGrad', name: 'FusedBatchNormGrad dx [3,4,4,7] (channels not a multiple of 4)', shape: [3, 4, 4, 7], engine: true },
  { family: 'elementwise', op: 'FusedBatchNormGrad', name: 'FusedBatchNormGrad dx [1,14,14,144]', shape: [1, 14, 14, 144], engine: true },
  { family: 'elementwise', op: 'Add', name: 'Add bias [3,5,7]+[7]', shape: [3, 5, 7], other: [7], engine: true },
  { family: 'elementwise', op: 'Add', name: 'Add bias [65,26,26,32]+[32]', shape: [65, 26, 26, 32], other: [32], engine: true },
  { family: 'elementwise', op: 'Add', name: 'Add broadcast [3,4]+[3,1] (tfjs fallback)', shape: [3, 4], other: [3, 1], engine: false },
  { family: 'elementwise', op: 'Multiply', name: 'Multiply scale [5,8]*[8]', shape: [5, 8], other: [8], engine: true },
  { family: 'elementwise', op: 'Multiply', name: 'Multiply scale [3,3,7,13]*[13]', shape: [3, 3, 7, 13], other: [13], engine: true },
  { family: 'elementwise', op: 'Multiply', name: 'Multiply broadcast [3,4]*[3,1] (tfjs fallback)', shape: [3, 4], other: [3, 1], engine: false },
  // Batch statistics in training mode (tf.moments, Keras' BatchNormalization): x - mean, and the per-channel
  // vector on the left in their gradients.
  { family: 'elementwise', op: 'Multiply', name: 'Multiply scale on the left [13]*[3,3,7,13]', shape: [3, 3, 7, 13], other: [13], otherFirst: true, engine: true },
  { family: 'elementwise', op: 'Multiply', name: 'Multiply scale on the left [1,96]*[2,6,6,96]', shape: [2, 6, 6, 96], other: [1, 96], otherFirst: true, engine: true },
  { family: 'elementwise', op: 'Add', name: 'Add bias on the left [7]+[3,5,7]', shape: [3, 5, 7], other: [7], otherFirst: true, engine: true },
  ...[1, 315, 2179].map((n): ElementwiseCase => ({ family: 'elementwise', op: 'Sub', name: `Sub same shape n=${n}`, shape: [n], other: [n], engine: true })),
  { family: 'elementwise', op: 'Sub', name: 'Sub mean [3,5,7]-[7]', shape: [3, 5, 7], other: [7], engine: true },
  { family: 'elementwise', op: 'Sub', name: 'Sub mean [2,12,12,96]-[96] (MobileNetV2 batch statistics)', shape: [2, 12, 12, 96], other: [96], engine: true },
  { family: 'elementwise', op: 'Sub', name: 'Sub mean [2,5,5,1,13]-[1,1,13]', shape: [2, 5, 5, 1, 13], other: [1, 1, 13], engine: true },
  { family: 'elementwise', op: 'Sub', name: 'Sub vector on the left [7]-[3,5,7] (tfjs fallback)', shape: [3, 5, 7], other: [7], otherFirst: true, engine: false },
  { family: 'elementwise', op: 'Sub', name: 'Sub broadcast [3,4]-[3,1] (tfjs fallback)', shape: [3, 4], other: [3, 1], engine: false },
  { family: 'elementwise', op: 'Sum', name: 'Sum [65,26,26,32] axes 0,1,2', shape: [65, 26, 26, 32], other: [0, 1, 2], engine: true },
  { family: 'elementwise', op: 'Sum', name: 'Sum [3,5,12] axis 0', shape: [3, 5, 12], other: [0], engine: true },
  { family: 'elementwise', op: 'Sum', name: 'Sum [2179,4] axis 0', shape: [2179, 4], other: [0], engine: true },
  // Sums the column sum does not cover, in tfjs's order (reduce/sum_tree.ts): rows over a few classes, a kept
  // size not a multiple of 4 (the logits' bias gradient), whole tensors across tfjs's three lane widths.
  { family: 'elementwise', op: 'Sum', name: 'Sum [3,5,7] axis 0 (kept 35, tfjs order)', shape: [3, 5, 7], other: [0], engine: true },
  { family: 'elementwise', op: 'Sum', name: 'Sum [4,8] axis 1 (rows, tfjs order)', shape: [4, 8], other: [1], engine: true },
  { family: 'elementwise', op: 'Sum', name: 'Sum [129,10] axis 1 (per-row over classes)', shape: [129, 10], other: [1], engine: true },
  { family: 'elementwise', op: 'Sum', name: 'Sum [129,10] axis 0 (logits bias gradient)', shape: [129, 10], other: [0], engine: true },
  { family: 'elementwise', op: 'Sum', name: 'Sum [65,3] axes 0,1 (whole tensor)', shape: [65, 3], other: [0, 1], engine: true },
  { family: 'elementwise', op: 'Sum', name: 'Sum [1] axis 0', shape: [1], other: [0], engine: true },
  { family: 'elementwise', op: 'Sum', name: 'Sum [5003] axis 0 (tfjs lanes 256)', shape: [5003], other: [0], engine: true },
  { family: 'elementwise', op: 'Sum', name: 'Sum [2,33000] axis 1 (tfjs lanes 512)', shape: [2, 33000], other: [1], engine: true },
  { family: 'elementwise', op: 'Sum', name: 'Sum [3,5,7] axis 1 (interleaved: tfjs fallback)', shape: [3, 5, 7], other: [1], engine: false },
];

const lossCases: LossCase[] = [];
for (const op of ['SoftmaxCrossEntropy', 'SoftmaxCrossEntropyGrad'] as const) {
  for (const [rows, classes, softLabels] of [
    [1, 10, false],
    [65, 10, false],
    [3, 7, true],
    [128, 3, true],
  ] as const) {
    lossCases.push({ family: 'loss', op, name: `${op} rows=${rows} classes=${classes}${softLabels ? ' soft labels' : ' one-hot'}`, rows, classes, softLabels });
  }
}

const klCases: KlCase[] = [];
for (const op of ['KlDivergence', 'KlDivergenceGrad'] as const) {
  for (const [rows, classes, logits] of [
    [1, 10, 'random'],
    [65, 10, 'random'],
    [3, 7, 'equal'],
    [129, 3, 'large'],
  ] as const) {
    klCases.push({ family: 'kl', op, name: `${op} rows=${rows} classes=${classes} ${logits}`, rows, classes, logits });
  }
}

const adamCases: AdamCase[] = [1, 3, 315, 2179, 692224].map((n, i) => ({ family: 'adam', op: 'AdamStep', name: `AdamStep n=${n} step=${1 + 7 * i}`, n, step: 1 + 7 * i }));

// Mean over a contiguous block of axes (global average pooling, the innermost axis, leading axes, batch
// statistics) and its gradient; non-contiguous axes go to tfjs.
const reduceCases: ReduceCase[] = (
  [
    [[4, 7, 7, 1280], [1, 2], false, true],
    [[3, 5, 5, 7], [1, 2], false, true],
    [[3, 4, 5, 6], [1, 2], true, true],
    [[2, 3, 96], [1, 2], false, true],
    [[5, 13], [1], false, true],
    [[7, 12], [-1], false, true],
    [[6, 5, 8], [0], false, true],
    [[4, 6], [0, 1], false, true],
    [[3, 4, 5], [0, 2], false, false],
    // Batch statistics (tf.moments over N, H, W): the chunked column sum, one chunk and many, keepDims.
    [[2, 16, 16, 8], [0, 1, 2], false, true],
    [[3, 24, 24, 16], [0, 1, 2], true, true],
    [[2, 9, 9, 12], [0, 1, 2], false, true],
  ] as [number[], number[], boolean, boolean][]
).flatMap(([shape, axes, keepDims, engine]) =>
  // tfjs's own Mean gradient (reshape, tile, divide) ends in a buffer of its own: no MeanGrad fallback case.
  (engine ? (['Mean', 'MeanGrad'] as const) : (['Mean'] as const)).map((op): ReduceCase => ({
    family: 'reduce',
    op,
    name: `${op} ${shapeName(shape)} axes ${axes.join(',')}${keepDims ? ' keepDims' : ''}${engine ? '' : ' (tfjs fallback)'}`,
    shape,
    axes,
    keepDims,
    engine,
  })),
);

// PadV2 and Slice, rank 1 to 4 (MobileNetV2's ZeroPadding2D and its gradient), vec4 and scalar; rank 5 goes to tfjs.
const padCases: ShapeCase[] = (
  [
    [[4, 12, 12, 96], [[0, 0], [0, 1], [0, 1], [0, 0]], 0, true],
    [[3, 7, 9, 5], [[0, 0], [1, 2], [2, 1], [0, 0]], 0, true],
    [[2, 3, 8], [[1, 0], [0, 2], [4, 4]], 1.5, true],
    [[5], [[2, 3]], -1, true],
    [[3, 5], [[0, 1], [1, 1]], 0, true],
    // Rank 5, folded to rank 3 (axes without pads join the axis before them).
    [[2, 2, 3, 2, 2], [[0, 1], [0, 0], [1, 0], [0, 0], [0, 1]], 0, true],
  ] as [number[], [number, number][], number, boolean][]
).map(([shape, paddings, value, engine]) => ({
  family: 'shape',
  op: 'PadV2',
  name: `PadV2 ${shapeName(shape)} paddings ${paddings.map((p) => p.join(':')).join(',')} value ${value}${engine ? '' : ' (tfjs fallback)'}`,
  shape,
  paddings,
  value,
  engine,
}));
const sliceCases: ShapeCase[] = (
  [
    [[4, 13, 13, 96], [0, 0, 0, 0], [4, 12, 12, 96], true],
    [[3, 10, 12, 5], [1, 1, 2, 0], [2, 7, 9, 5], true],
    [[2, 6, 16], [0, 1, 4], [2, 4, 8], true],
    [[9], [2], [5], true],
    [[3, 7], [1, 0], [-1, 3], true],
    [[2, 2, 3, 4, 2], [0, 1, 0, 1, 0], [2, 1, 2, 2, 2], true],
    [[3, 3, 3, 3, 3], [1, 1, 1, 1, 1], [1, 2, 1, 2, 1], false],
  ] as [number[], number[], number[], boolean][]
).map(([shape, begin, size, engine]) => ({
  family: 'shape',
  op: 'Slice',
  name: `Slice ${shapeName(shape)} begin ${begin.join(',')} size ${size.join(',')}${engine ? '' : ' (tfjs fallback)'}`,
  shape,
  begin,
  size,
  engine,
}));

export const engineCases: EngineCase[] = [...convCases, ...poolCases, ...matMulCases, ...elementwiseCases, ...lossCases, ...klCases, ...adamCases, ...reduceCases, ...padCases, ...sliceCases, ...convActivationCases, ...matMulBiasReluCases];
