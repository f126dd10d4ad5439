// The inference plan of a Layers model on Dawn (models/inference_plan.ts): batch normalisations folded into
// the convolutions, ZeroPadding2D into their padding, ReLU / ReLU6 into one fused op. Against the model's
// own forward pass on stock tfjs kernels (the engine off): the logits, the input gradient of the
// cross-entropy, and the variables' gradients through the folded weights, on models with non-trivial
// statistics (every weight redrawn, variances positive). Each case in GPU error scopes, nothing left over.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { gpuChecked } from '../suite/gpu_checked';
import { mobileNetV2Like } from '../suite/mobilenet_like';
import { runSeed } from '../suite/run_seed';

beforeAll(async () => {
  await lib.initWebGPU();
  await lib.ensureGradients();
});
afterEach(() => lib.useEngineKernels('auto'));

/** Every weight of `model` redrawn from `seed`: kernels and biases around 0, variances in [0.5, 2], gammas in [0.5, 1.5]. */
function redraw(model: tfl.LayersModel, seed: number): void {
  const random = lib.seededRandom(seed);
  model.setWeights(
    model.weights.map((w) => {
      const n = (w.shape as number[]).reduce((a, b) => a * b, 1);
      const dims = w.shape as number[];
      const fanIn = dims.length > 1 ? dims.slice(0, -1).reduce((a, b) => a * b, 1) : 1;
      const [lo, hi] = /moving_variance/.test(w.name) ? [0.5, 2] : /gamma/.test(w.name) ? [0.5, 1.5] : w.shape.length > 1 ? [-1.7 / Math.sqrt(fanIn), 1.7 / Math.sqrt(fanIn)] : [-0.3, 0.3];
      return tf.tensor(Float32Array.from({ length: n }, () => lo + (hi - lo) * random()), w.shape as number[]);
    }),
  );
}

const cases: { name: string; build: () => tfl.LayersModel; size: number; batch: number; fused: { convolutions: number; batchNorms: number; activations: number; paddings: number } }[] = [
  { name: 'mobilenetv2-like softmax head', build: () => mobileNetV2Like({ inputSize: 17, classes: 5 }), size: 17, batch: 3, fused: { convolutions: 11, batchNorms: 11, activations: 8, paddings: 1 } },
  { name: 'mobilenetv2-like nested (Teachable Machine)', build: () => mobileNetV2Like({ inputSize: 16, classes: 4, nested: true, head: 'activation' }), size: 16, batch: 2, fused: { convolutions: 11, batchNorms: 11, activations: 8, paddings: 1 } },
  { name: 'Keras MobileNetV2 at 32', build: () => lib.mobileNetV2({ inputSize: 32, classes: 5 }), size: 32, batch: 2, fused: { convolutions: 52, batchNorms: 52, activations: 35, paddings: 4 } },
  { name: 'ResNet-20', build: () => lib.cifarResNet({ seed: 3, numClasses: 10 }).layersModel().model, size: 32, batch: 2, fused: { convolutions: 21, batchNorms: 21, activations: 10, paddings: 0 } },
];

const maxAbs = async (a: tf.Tensor, b: tf.Tensor) => {
  const [u, v] = [await a.data(), await b.data()];
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < u.length; i++) {
    worst = Math.max(worst, Math.abs(u[i] - v[i]));
    scale = Math.max(scale, Math.abs(v[i]));
  }
  return { worst, scale };
};

describe('inference plan: folded batch normalisation and fused activations', () => {
  test.each(cases)('plan $name: logits, input and weight gradients match the model on stock tfjs', async ({ build, size, batch, fused }) => {
    const model = build();
    const seed = runSeed ^ size;
    redraw(model, seed);
    const plan = lib.planInference(model)!;
    expect(plan).not.toBeNull();
    expect(plan.fused).toEqual(fused);
    const classifier = lib.classifierFromLayersModel(model);
    await gpuChecked(async () => {
      const random = lib.seededRandom(seed + 1);
      const x = tf.tensor4d(Float32Array.from({ length: batch * size * size * 3 }, () => random()), [batch, size, size, 3]);
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % classifier.numClasses), 'int32'), classifier.numClasses));
      const loss = (v: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, classifier.forward(v as tf.Tensor4D, false));
      const weightLoss = () => loss(x) as tf.Scalar;
      const run = () => ({ logits: classifier.forward(x, false), dx: tf.grad(loss)(x), dw: tf.variableGrads(weightLoss, classifier.variables as tf.Variable[]) });
      const ours = run();
      // The reference: the model's own forward (no plan) on tfjs's kernels and gradients.
      lib.useEngineKernels(false);
      const logitsOf = (v: tf.Tensor) => tf.tidy(() => {
        const p = model.apply(v, { training: false }) as tf.Tensor;
        // The model's softmax head (if any) undone with log: logits up to a per-row constant.
        return classifier.head ? tf.log(p) : p;
      });
      const theirs = {
        logits: logitsOf(x),
        dx: tf.grad((v: tf.Tensor) => (classifier.head ? tf.neg(tf.mean(tf.sum(tf.mul(y, logitsOf(v)), 1))) : tf.losses.softmaxCrossEntropy(y, logitsOf(v))))(x),
      };
      lib.useEngineKernels('auto');
      if (classifier.head) {
        // Compare log-softmax of our logits with the head's log-probabilities.
        const ls = tf.logSoftmax(ours.logits);
        const d = await maxAbs(ls, theirs.logits);
        expect(d.worst).toBeLessThan(2e-4 * Math.max(1, d.scale));
        ls.dispose();
      } else {
        const d = await maxAbs(ours.logits, theirs.logits);
        expect(d.worst).toBeLessThan(2e-4 * Math.max(1, d.scale));
      }
      const g = await maxAbs(ours.dx, theirs.dx);
      expect(g.scale).toBeGreaterThan(0);
      expect(g.worst).toBeLessThan(2e-3 * g.scale);
      // Gradients reach the variables through the folded weights: every trainable kernel gets a non-zero one.
      const names = Object.keys(ours.dw.grads);
      expect(names.length).toBe(classifier.variables.length);
      for (const name of names.filter((n) => /kernel/.test(n))) {
        const nonZero = tf.tidy(() => tf.any(tf.notEqual(ours.dw.grads[name], 0)));
        expect(Array.from(await nonZero.data()), name).toEqual([1]);
        nonZero.dispose();
      }
      tf.dispose([x, y, ours.logits, ours.dx, ours.dw.value, ...Object.values(ours.dw.grads), theirs.logits, theirs.dx]);
    });
    classifier.dispose();
    model.dispose();
  });

  test('plan Keras MobileNetV2 at 32: weight gradients equal the model\'s own training-free forward within float rounding', async () => {
    const model = lib.mobileNetV2({ inputSize: 32, classes: 3 });
    redraw(model, runSeed);
    const classifier = lib.classifierFromLayersModel(model);
    await gpuChecked(async () => {
      const random = lib.seededRandom(runSeed + 7);
      const x = tf.tensor4d(Float32Array.from({ length: 2 * 32 * 32 * 3 }, () => random()), [2, 32, 32, 3]);
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3));
      const vars = classifier.variables as tf.Variable[];
      const ours = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, classifier.forward(x, false)) as tf.Scalar, vars);
      lib.useEngineKernels(false);
      const theirs = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, tf.log(model.apply(x, { training: false }) as tf.Tensor)) as tf.Scalar, vars);
      lib.useEngineKernels('auto');
      for (const v of vars) {
        const d = await maxAbs(ours.grads[v.name], theirs.grads[v.name]);
        expect(d.worst, v.name).toBeLessThan(5e-3 * Math.max(d.scale, 1e-3));
      }
      tf.dispose([x, y, ours.value, theirs.value, ...Object.values(ours.grads), ...Object.values(theirs.grads)]);
    });
    classifier.dispose();
    model.dispose();
  });

  test('plan Keras MobileNetV2 at 32: the input gradient runs no batch normalisation, clip or pad kernel', async () => {
    const model = lib.mobileNetV2({ inputSize: 32, classes: 5 });
    const classifier = lib.classifierFromLayersModel(model);
    const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d([1, 3], 'int32'), 5));
    const before = lib.snapshotEngineKernelCounts();
    const profile = await tf.profile(() => tf.grad((v: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, classifier.forward(v as tf.Tensor4D, false)))(x));
    const names = new Set(profile.kernels.map((k) => k.name));
    for (const k of ['FusedBatchNorm', 'ClipByValue', 'Relu', 'PadV2', 'Slice', 'Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter']) expect(names.has(k), k).toBe(false);
    expect(lib.engineKernelCountsSince(before).EngineConvActivation).toEqual({ engine: 52, fallback: 0 });
    tf.dispose([x, y, profile.result as tf.Tensor]);
    classifier.dispose();
    model.dispose();
  });
});
