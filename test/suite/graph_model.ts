// A tfjs graph model written by the tests themselves, as the converter writes a MobileNetV2-like Keras
// model: model.json ("format": "graph-model", NodeDefs, a signature) and weights.bin, with the converter's
// fused ops (_FusedConv2D and FusedDepthwiseConv2dNative with BiasAdd + Relu6, _FusedMatMul with BiasAdd),
// a Conv2D + FusedBatchNormV3, a residual AddV2, a global Mean, and a Softmax head behind an Identity.
// `logits` computes the same function with tfjs ops, unfused: the oracle of the graph classifier.
import * as tf from '@tensorflow/tfjs-core';

/** What the graph's head is: a Softmax node, probabilities without one (Exp / Sum / RealDiv), or bare logits. */
export type GraphHeadKind = 'softmax' | 'probabilities' | 'logits';

export interface GraphModelSpec {
  size: number;
  classes: number;
  seed: number;
  head?: GraphHeadKind;
  /** A second Placeholder (a graph the classifier must refuse). */
  twoInputs?: boolean;
}

const WIDTH = 8;
const b64 = (s: string) => Buffer.from(s).toString('base64');
const dims = (shape: number[]) => ({ dim: shape.map((d) => ({ size: String(d) })) });
const ints = (v: number[]) => ({ list: { i: v.map(String) } });
const T = { T: { type: 'DT_FLOAT' } };

/** Seeded weights of the graph, by node name (float32, but the Mean's axes int32). */
function graphWeights(spec: GraphModelSpec): [string, tf.Tensor][] {
  // tidy keeps the returned pairs' tensors and releases the intermediates.
  const r = (shape: number[], i: number, scale: number) => tf.randomUniform(shape, -scale, scale, 'float32', spec.seed * 100 + i);
  return tf.tidy(() => [
    ['conv1/kernel', r([3, 3, 3, WIDTH], 1, 0.5)],
    ['conv1/bias', r([WIDTH], 2, 0.1)],
    ['dw/kernel', r([3, 3, WIDTH, 1], 3, 0.5)],
    ['dw/bias', r([WIDTH], 4, 0.1)],
    ['pw/kernel', r([1, 1, WIDTH, WIDTH], 5, 0.5)],
    ['bn/gamma', tf.add(r([WIDTH], 6, 0.2), 1)],
    ['bn/beta', r([WIDTH], 7, 0.1)],
    ['bn/mean', r([WIDTH], 8, 0.1)],
    ['bn/variance', tf.add(r([WIDTH], 9, 0.2), 1)],
    ['pool/axes', tf.tensor1d([1, 2], 'int32')],
    ['dense/kernel', r([WIDTH, spec.classes], 10, 1)],
    ['dense/bias', r([spec.classes], 11, 0.1)],
  ]);
}

/** The graph's logits (before its head) for images x, with tfjs ops: the oracle. */
export function graphLogits(spec: GraphModelSpec, x: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const w = Object.fromEntries(graphWeights(spec)) as Record<string, tf.Tensor>;
    const c1 = tf.relu6(tf.add(tf.conv2d(x, w['conv1/kernel'] as tf.Tensor4D, 2, 'same'), w['conv1/bias']));
    const dw = tf.relu6(tf.add(tf.depthwiseConv2d(c1 as tf.Tensor4D, w['dw/kernel'] as tf.Tensor4D, 1, 'same'), w['dw/bias']));
    const pw = tf.conv2d(dw as tf.Tensor4D, w['pw/kernel'] as tf.Tensor4D, 1, 'valid');
    const bn = tf.batchNorm(pw, w['bn/mean'] as tf.Tensor1D, w['bn/variance'] as tf.Tensor1D, w['bn/beta'] as tf.Tensor1D, w['bn/gamma'] as tf.Tensor1D, 0.001);
    const pooled = tf.mean(tf.add(bn, c1), [1, 2]);
    return tf.add(tf.matMul(pooled as tf.Tensor2D, w['dense/kernel'] as tf.Tensor2D), w['dense/bias']) as tf.Tensor2D;
  });
}

/** model.json and weights.bin of the graph of `spec`. */
export async function graphModelFiles(spec: GraphModelSpec): Promise<{ modelJson: object; weights: Uint8Array }> {
  const weights = graphWeights(spec);
  const input = { name: 'input_1', op: 'Placeholder', attr: { shape: { shape: dims([-1, spec.size, spec.size, 3]) }, dtype: { type: 'DT_FLOAT' } } };
  const consts = weights.map(([name, t]) => ({ name, op: 'Const', attr: { value: { tensor: { dtype: t.dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT', tensorShape: dims(t.shape) } }, dtype: { type: t.dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT' } } }));
  const conv = { strides: ints([1, 2, 2, 1]), padding: { s: b64('SAME') }, data_format: { s: b64('NHWC') }, dilations: ints([1, 1, 1, 1]), explicit_paddings: { list: {} } };
  const fused = (ops: string[], args: number) => ({ fused_ops: { list: { s: ops.map(b64) } }, num_args: { i: String(args) }, epsilon: { f: 0 } });
  const nodes: object[] = [
    input,
    ...consts,
    { name: 'model/conv1/Relu6', op: '_FusedConv2D', input: ['input_1', 'conv1/kernel', 'conv1/bias'], attr: { ...T, ...conv, ...fused(['BiasAdd', 'Relu6'], 1) } },
    { name: 'model/dw/Relu6', op: 'FusedDepthwiseConv2dNative', input: ['model/conv1/Relu6', 'dw/kernel', 'dw/bias'], attr: { ...T, ...conv, strides: ints([1, 1, 1, 1]), ...fused(['BiasAdd', 'Relu6'], 1) } },
    { name: 'model/pw/Conv2D', op: 'Conv2D', input: ['model/dw/Relu6', 'pw/kernel'], attr: { ...T, ...conv, strides: ints([1, 1, 1, 1]), padding: { s: b64('VALID') } } },
    { name: 'model/bn/FusedBatchNormV3', op: 'FusedBatchNormV3', input: ['model/pw/Conv2D', 'bn/gamma', 'bn/beta', 'bn/mean', 'bn/variance'], attr: { ...T, U: { type: 'DT_FLOAT' }, epsilon: { f: 0.001 }, data_format: { s: b64('NHWC') }, is_training: { b: false } } },
    { name: 'model/add/add', op: 'AddV2', input: ['model/bn/FusedBatchNormV3', 'model/conv1/Relu6'], attr: T },
    { name: 'model/pool/Mean', op: 'Mean', input: ['model/add/add', 'pool/axes'], attr: { ...T, keep_dims: { b: false }, Tidx: { type: 'DT_INT32' } } },
    { name: 'model/dense/BiasAdd', op: '_FusedMatMul', input: ['model/pool/Mean', 'dense/kernel', 'dense/bias'], attr: { ...T, transpose_a: { b: false }, transpose_b: { b: false }, ...fused(['BiasAdd'], 1) } },
  ];
  const head = spec.head ?? 'softmax';
  let last = 'model/dense/BiasAdd';
  if (head === 'softmax') {
    nodes.push({ name: 'model/dense/Softmax', op: 'Softmax', input: [last], attr: T });
    last = 'model/dense/Softmax';
  } else if (head === 'probabilities') {
    // softmax without a Softmax node: exp(z - max z) / sum.
    nodes.push({ name: 'head/axis', op: 'Const', attr: { value: { tensor: { dtype: 'DT_INT32', tensorShape: dims([1]) } }, dtype: { type: 'DT_INT32' } } });
    nodes.push({ name: 'head/Max', op: 'Max', input: [last, 'head/axis'], attr: { ...T, keep_dims: { b: true } } });
    nodes.push({ name: 'head/Sub', op: 'Sub', input: [last, 'head/Max'], attr: T });
    nodes.push({ name: 'head/Exp', op: 'Exp', input: ['head/Sub'], attr: T });
    nodes.push({ name: 'head/Sum', op: 'Sum', input: ['head/Exp', 'head/axis'], attr: { ...T, keep_dims: { b: true } } });
    nodes.push({ name: 'head/RealDiv', op: 'RealDiv', input: ['head/Exp', 'head/Sum'], attr: T });
    last = 'head/RealDiv';
    weights.push(['head/axis', tf.tensor1d([1], 'int32')]);
  }
  nodes.push({ name: 'Identity', op: 'Identity', input: [last], attr: T });
  if (spec.twoInputs) nodes.push({ name: 'input_2', op: 'Placeholder', attr: { shape: { shape: dims([-1, 4]) }, dtype: { type: 'DT_FLOAT' } } });
  const inputs: Record<string, object> = { 'input_1:0': { name: 'input_1:0', dtype: 'DT_FLOAT', tensorShape: dims([-1, spec.size, spec.size, 3]) } };
  if (spec.twoInputs) inputs['input_2:0'] = { name: 'input_2:0', dtype: 'DT_FLOAT', tensorShape: dims([-1, 4]) };
  const manifest = weights.map(([name, t]) => ({ name, shape: t.shape, dtype: t.dtype }));
  const data = await Promise.all(weights.map(async ([, t]) => new Uint8Array((await t.data()).slice().buffer)));
  tf.dispose(weights.map(([, t]) => t));
  const bytes = new Uint8Array(data.reduce((a, d) => a + d.byteLength, 0));
  let offset = 0;
  for (const d of data) {
    bytes.set(d, offset);
    offset += d.byteLength;
  }
  const modelJson = {
    format: 'graph-model',
    generatedBy: '2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    signature: { inputs, outputs: { 'Identity:0': { name: 'Identity:0', dtype: 'DT_FLOAT', tensorShape: dims([-1, spec.classes]) } } },
    modelTopology: { node: nodes, library: {}, versions: { producer: 1645 } },
    weightsManifest: [{ paths: ['weights.bin'], weights: manifest }],
  };
  return { modelJson, weights: bytes };
}
