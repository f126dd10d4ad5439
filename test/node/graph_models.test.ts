// tfjs graph models (Dawn): a MobileNetV2-like graph written by the test as the converter writes one
// (fused conv/depthwise/matmul with BiasAdd + Relu6, FusedBatchNormV3, AddV2, Mean, a Softmax behind an
// Identity) loaded by loadClassifierFiles: the fused ops split, the logits at the Softmax's input equal to
// the same function in tfjs ops (the oracle), input gradients equal, FGSM/PGD accuracy equal to the
// oracle's; probabilities without a Softmax node attacked as log-probabilities; bare logits as they are;
// the refusals (two inputs, trainableFrom, layersModel, a truncated weights file); fingerprints.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { classImage } from '../suite/image_files';
import { graphLogits, graphModelFiles, type GraphHeadKind, type GraphModelSpec } from '../suite/graph_model';
import { gpuChecked } from '../suite/gpu_checked';

beforeAll(async () => {
  await lib.initWebGPU();
  await lib.ensureGradients();
});

const values = async (t: tf.Tensor) => Array.from((await t.data()) as Float32Array);
const SIZE = 12;

/** The files of `spec` as a readFile over memory (weights.bin cut to `weightsBytes` when given). */
async function graphFiles(spec: GraphModelSpec, weightsBytes?: number) {
  const { modelJson, weights } = await graphModelFiles(spec);
  const files = new Map<string, Uint8Array>([
    ['m/model.json', new TextEncoder().encode(JSON.stringify(modelJson))],
    ['m/weights.bin', weightsBytes === undefined ? weights : weights.slice(0, weightsBytes)],
  ]);
  return async (path: string) => {
    const bytes = files.get(path);
    if (!bytes) throw new Error(`${path}: no such file`);
    return bytes;
  };
}

/** The oracle as a classifier: the graph's function in tfjs ops. */
function oracle(spec: GraphModelSpec): lib.Classifier {
  return {
    forward: (x) => graphLogits(spec, x),
    variables: [],
    stateVariables: [],
    numClasses: spec.classes,
    inputShape: [SIZE, SIZE, 3],
    architecture: 'oracle',
    description: 'oracle',
    layersModel: () => {
      throw new Error('no');
    },
    dispose: () => {},
  };
}

function colourTask(count: number, classes: number) {
  let s = 7;
  const random = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) / 2 ** 24;
  const labels = Uint8Array.from({ length: count }, (_, i) => i % classes);
  const images = new Uint8Array(count * SIZE * SIZE * 3);
  labels.forEach((k, i) => images.set(classImage(k, SIZE, 3, random), i * SIZE * SIZE * 3));
  return lib.uploadDataset(images, labels, [SIZE, SIZE, 3], classes);
}

test('unfuseGraphNodes: _FusedConv2D, FusedDepthwiseConv2dNative and _FusedMatMul split into op, BiasAdd and activation under the fused name', async () => {
  const { modelJson } = await graphModelFiles({ size: SIZE, classes: 3, seed: 1 });
  const nodes = (modelJson as { modelTopology: { node: lib.GraphNode[] } }).modelTopology.node;
  const out = lib.unfuseGraphNodes(nodes);
  expect(out.filter((n) => /Fused(Conv2D|MatMul|Depthwise)/.test(n.op))).toEqual([]);
  const byName = new Map(out.map((n) => [n.name, n]));
  expect(byName.get('model/conv1/Relu6')).toMatchObject({ op: 'Relu6', input: ['model/conv1/Relu6/unfused_bias'] });
  expect(byName.get('model/conv1/Relu6/unfused_bias')).toMatchObject({ op: 'BiasAdd', input: ['model/conv1/Relu6/unfused_op', 'conv1/bias'] });
  expect(byName.get('model/conv1/Relu6/unfused_op')).toMatchObject({ op: 'Conv2D', input: ['input_1', 'conv1/kernel'] });
  expect(byName.get('model/conv1/Relu6/unfused_op')!.attr!.fused_ops).toBeUndefined();
  expect(byName.get('model/dw/Relu6/unfused_op')!.op).toBe('DepthwiseConv2dNative');
  expect(byName.get('model/dense/BiasAdd')).toMatchObject({ op: 'BiasAdd', input: ['model/dense/BiasAdd/unfused_op', 'dense/bias'] });
  expect(byName.get('model/dense/BiasAdd/unfused_op')).toMatchObject({ op: 'MatMul', input: ['model/pool/Mean', 'dense/kernel'] });
  expect(out.length).toBe(nodes.length + 2 + 2 + 1);
});

describe('graph model heads', () => {
  const cases: [GraphHeadKind, RegExp | undefined][] = [
    ['softmax', /^logits: the input of the graph's Softmax 'model\/dense\/Softmax'/],
    ['probabilities', /^log-probabilities: log of the graph's output 'Identity'/],
    ['logits', undefined],
  ];
  for (const [head, expected] of cases) {
    test(`head=${head}: forward and the input gradient equal the oracle's${head === 'probabilities' ? ' log-softmax' : ''}`, () =>
      gpuChecked(async () => {
        const spec = { size: SIZE, classes: 4, seed: 2, head };
        const model = await lib.loadClassifierFiles('m/model.json', await graphFiles(spec));
        try {
          expect(model.architecture).toBe('graph-model');
          expect(model.inputShape).toEqual([SIZE, SIZE, 3]);
          expect(model.numClasses).toBe(4);
          expect(model.variables).toEqual([]);
          expect(model.description).toMatch(/^graph-model: \d+ nodes \(/);
          if (expected) expect(model.head, model.head).toMatch(expected);
          else expect(model.head).toBeUndefined();
          const x = tf.randomUniform([5, SIZE, SIZE, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
          const reference = (input: tf.Tensor4D) => (head === 'probabilities' ? tf.logSoftmax(graphLogits(spec, input)) : graphLogits(spec, input));
          const [y, z] = [model.forward(x), tf.tidy(() => reference(x))];
          const [ours, theirs] = [await values(y), await values(z)];
          tf.dispose([y, z]);
          theirs.forEach((v, i) => expect(Math.abs(ours[i] - v), `logit ${i}`).toBeLessThan(1e-4));
          const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0], 'int32'), 4));
          const loss = (f: (x: tf.Tensor4D) => tf.Tensor2D) => (input: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, f(input as tf.Tensor4D));
          const [g, h] = [tf.grad(loss((i) => model.forward(i)))(x), tf.grad(loss(reference))(x)];
          const [gv, hv] = [await values(g), await values(h)];
          const scale = Math.max(...hv.map(Math.abs));
          expect(scale).toBeGreaterThan(0);
          hv.forEach((v, i) => expect(Math.abs(gv[i] - v), `gradient ${i}`).toBeLessThan(1e-3 * scale));
          tf.dispose([x, labels, g, h]);
        } finally {
          model.dispose();
        }
      }));
  }
});

test('FGSM and PGD accuracy of the graph model equal the oracle\'s on the same points', () =>
  gpuChecked(async () => {
    const spec = { size: SIZE, classes: 3, seed: 5 };
    const model = await lib.loadClassifierFiles('m/model.json', await graphFiles(spec));
    const data = colourTask(30, 3);
    try {
      const points = Array.from({ length: 30 }, (_, i) => i);
      const attacks: lib.AttackSpec[] = [{ kind: 'clean' }, { kind: 'fgsm', epsilon: 0.03 }, { kind: 'pgd', epsilon: 0.03, steps: 3 }];
      const ours = await lib.evaluateModel(model, data, points, attacks);
      const theirs = await lib.evaluateModel(oracle(spec), data, points, attacks);
      expect(ours.map((r) => r.correct)).toEqual(theirs.map((r) => r.correct));
      expect(ours[1].correct).toBeLessThanOrEqual(ours[0].correct);
    } finally {
      model.dispose();
      data.dispose();
    }
  }));

test('fingerprints: the graph weights count (another seed differs, the same files agree)', () =>
  gpuChecked(async () => {
    const load = async (seed: number) => lib.loadClassifierFiles('m/model.json', await graphFiles({ size: SIZE, classes: 3, seed }));
    const [a, b, c] = [await load(1), await load(1), await load(2)];
    try {
      const [fa, fb, fc] = [await lib.modelFingerprint(a), await lib.modelFingerprint(b), await lib.modelFingerprint(c)];
      expect(fa).toBe(fb);
      expect(fa).not.toBe(fc);
    } finally {
      [a, b, c].forEach((m) => m.dispose());
    }
  }));

describe('graph model refusals', () => {
  test('two inputs: refused naming graph, nothing left allocated', () =>
    gpuChecked(async () => {
      await expect(lib.loadClassifierFiles('m/model.json', await graphFiles({ size: SIZE, classes: 3, seed: 1, twoInputs: true }))).rejects.toMatchObject({ name: 'AdversarialArgumentError', argument: 'graph', message: expect.stringMatching(/must take one input \(images\), but takes 2/) });
    }));
  test('trainableFrom on a graph model: refused naming options.trainableFrom', async () => {
    await expect(lib.loadClassifierFiles('m/model.json', await graphFiles({ size: SIZE, classes: 3, seed: 1 }), { trainableFrom: 2 })).rejects.toMatchObject({ argument: 'options.trainableFrom', message: expect.stringMatching(/graph model, which tfjs cannot train/) });
  });
  test('a truncated weights.bin: refused naming the file', async () => {
    await expect(lib.loadClassifierFiles('m/model.json', await graphFiles({ size: SIZE, classes: 3, seed: 1 }, 100))).rejects.toThrow(/m\/weights\.bin holds 100 bytes, but m\/model\.json's manifest needs/);
  });
  test('layersModel() (saving, training) is refused naming model', () =>
    gpuChecked(async () => {
      const model = await lib.loadClassifierFiles('m/model.json', await graphFiles({ size: SIZE, classes: 3, seed: 1 }));
      try {
        expect(() => model.layersModel()).toThrow(/graph model, which has no Layers form/);
      } finally {
        model.dispose();
      }
    }));
});
