// The inference plan (models/inference_plan.ts) against the model's own forward pass on stock tfjs kernels
// (the engine off), shared by the Node (Dawn) and the Chromium tests: on models with non-trivial statistics
// (every weight redrawn from the case seed, variances positive), the logits, the input gradient of the
// cross-entropy and every trainable variable's gradient through the folded weights. One named case runs in
// GPU error scopes and reports what it saw (plan_check.ts asserts on the report); nothing may be left over.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import * as lib from '../../dist/index.js';
import { caseSeed } from './cases';
import { withGpuErrorScope } from './kernel_suite';
import { mobileNetV2Like } from './mobilenet_like';
import { oddLayersModel, stockTwin } from './odd_layers';

export interface Fused {
  convolutions: number;
  batchNorms: number;
  activations: number;
  paddings: number;
  /** ReLU6s handed to the convolution that reads them (inference_plan.ts relu6Pairs). */
  relu6Pairs: number;
}

export interface PlanCase {
  name: string;
  build: () => tfl.LayersModel;
  /** The same network in a form stock tfjs can differentiate, where the model itself is not (odd_layers.ts). */
  twin?: () => tfl.LayersModel;
  size: number;
  batch: number;
  fused: Fused;
}

/** The largest |a - b| and the largest |b|. */
export interface Difference {
  worst: number;
  scale: number;
}

export interface PlanCaseReport {
  name: string;
  /** The run's seed (ADVERSARIAL_TEST_SEED replays it) and the case's, derived from it. */
  runSeed: number;
  seed: number;
  /** planInference's counts (null: no plan). */
  fused: Fused | null;
  logits: Difference;
  dx: Difference;
  /** Every trainable variable: our gradient against the stock one (missing: no gradient on our side or theirs). */
  grads: { name: string; worst: number; scale: number; oursNonZero: boolean; missing: boolean }[];
  /** Where the reference is a twin: its forward against the model's own predict, both on stock tfjs (null: no twin). */
  twin: Difference | null;
  variables: number;
  leakedTensors: number;
  gpuErrors: string[];
}

export const planCases: PlanCase[] = [
  { name: 'mobilenetv2-like softmax head', build: () => mobileNetV2Like({ inputSize: 17, classes: 5 }), size: 17, batch: 3, fused: { convolutions: 11, batchNorms: 11, activations: 8, paddings: 1, relu6Pairs: 6 } },
  { name: 'mobilenetv2-like nested (Teachable Machine)', build: () => mobileNetV2Like({ inputSize: 16, classes: 4, nested: true, head: 'activation' }), size: 16, batch: 2, fused: { convolutions: 11, batchNorms: 11, activations: 8, paddings: 1, relu6Pairs: 6 } },
  { name: 'Keras MobileNetV2 at 32', build: () => lib.mobileNetV2({ inputSize: 32, classes: 5 }), size: 32, batch: 2, fused: { convolutions: 52, batchNorms: 52, activations: 35, paddings: 4, relu6Pairs: 34 } },
  { name: 'ResNet-20', build: () => lib.cifarResNet({ seed: 3, numClasses: 10 }).layersModel().model, size: 32, batch: 2, fused: { convolutions: 21, batchNorms: 21, activations: 10, paddings: 0, relu6Pairs: 0 } },
  {
    // Conv2D's own relu6 is its op's activation (not a folded layer); the ZeroPadding2D before the 'same'
    // Conv2D runs as its own layer (paddings 0).
    name: 'odd layers (own relu6, depthwise, scale-free BN, Activation relu, pad before same, 1x1 + BN, scale-free BN after pooling)',
    build: () => oddLayersModel({ inputSize: 11, classes: 4 }),
    twin: () => oddLayersModel({ inputSize: 11, classes: 4, explicitBatchNorm: true }),
    size: 11,
    batch: 3,
    fused: { convolutions: 4, batchNorms: 2, activations: 1, paddings: 0, relu6Pairs: 0 },
  },
];

/** Every weight of `model` redrawn from `seed`: kernels and biases around 0, variances in [0.5, 2], gammas in [0.5, 1.5]. */
export function redraw(model: tfl.LayersModel, seed: number): void {
  const random = lib.seededRandom(seed);
  const values = model.weights.map((w) => {
    const dims = w.shape as number[];
    const n = dims.reduce((a, b) => a * b, 1);
    const fanIn = dims.length > 1 ? dims.slice(0, -1).reduce((a, b) => a * b, 1) : 1;
    const [lo, hi] = /moving_variance/.test(w.name) ? [0.5, 2] : /gamma/.test(w.name) ? [0.5, 1.5] : dims.length > 1 ? [-1.7 / Math.sqrt(fanIn), 1.7 / Math.sqrt(fanIn)] : [-0.3, 0.3];
    return tf.tensor(Float32Array.from({ length: n }, () => lo + (hi - lo) * random()), dims);
  });
  model.setWeights(values);
  tf.dispose(values);
}

async function difference(a: tf.Tensor, b: tf.Tensor): Promise<Difference> {
  const [u, v] = [await a.data(), await b.data()];
  let worst = u.length === v.length ? 0 : Infinity;
  let scale = 0;
  for (let i = 0; i < v.length; i++) {
    worst = Math.max(worst, Number.isNaN(u[i] - v[i]) ? Infinity : Math.abs(u[i] - v[i]));
    scale = Math.max(scale, Math.abs(v[i]));
  }
  return { worst, scale };
}

/** Runs the named case (from `planCases`) with the seed it derives from `runSeed`. */
export async function runPlanCase(name: string, runSeed: number): Promise<PlanCaseReport> {
  const c = planCases.find((p) => p.name === name);
  if (!c) throw new Error(`no plan case ${name}`);
  const seed = caseSeed(runSeed, c.name);
  lib.useEngineKernels('auto');
  const model = c.build();
  redraw(model, seed);
  const reference = c.twin ? stockTwin(model, c.twin()) : null;
  const refModel = reference?.twin ?? model;
  const fused = lib.planInference(model)?.fused ?? null;
  const classifier = lib.classifierFromLayersModel(model);
  const vars = classifier.variables as tf.Variable[];
  const before = tf.memory().numTensors;
  const { value, errors } = await withGpuErrorScope(lib.currentWebGPU()!.device, async () => {
    const random = lib.seededRandom(seed + 1);
    const x = tf.tensor4d(Float32Array.from({ length: c.batch * c.size * c.size * 3 }, () => random()), [c.batch, c.size, c.size, 3]);
    const logitsOurs = classifier.forward(x, false);
    // Labels that are not the predicted class: a confident correct prediction's gradient (p - 1 with p near
    // 1) is below the float32 rounding of the softmax head's log-probabilities that the reference goes through.
    const predicted = tf.tidy(() => tf.argMax(logitsOurs, 1));
    const labels = Array.from(await predicted.data(), (k) => (k + 1) % classifier.numClasses);
    predicted.dispose();
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), classifier.numClasses));
    const ourLoss = (v: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, classifier.forward(v as tf.Tensor4D, false)) as tf.Scalar;
    const ours = { logits: logitsOurs, dx: tf.grad(ourLoss)(x), dw: tf.variableGrads(() => ourLoss(x), vars) };
    // The reference: the model's own forward (no plan) on tfjs's kernels and gradients; a softmax head
    // undone with log (logits up to a per-row constant, and log p is its own log-softmax).
    lib.useEngineKernels(false);
    const theirs = (() => {
      try {
        const logitsOf = (v: tf.Tensor) => tf.tidy(() => (classifier.head ? tf.log(refModel.apply(v, { training: false }) as tf.Tensor) : (refModel.apply(v, { training: false }) as tf.Tensor)));
        const loss = (v: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, logitsOf(v)) as tf.Scalar;
        const refVars = vars.map((v) => reference?.variableOf.get(v.name) ?? v);
        const own = reference ? (model.predict(x) as tf.Tensor) : null;
        const twinOutput = reference ? (refModel.apply(x, { training: false }) as tf.Tensor) : null;
        return { logits: logitsOf(x), dx: tf.grad(loss)(x), dw: tf.variableGrads(() => loss(x), refVars), refVars, own, twinOutput };
      } finally {
        lib.useEngineKernels('auto');
      }
    })();
    const ourLogits = classifier.head ? tf.logSoftmax(ours.logits) : ours.logits;
    const logits = await difference(ourLogits, theirs.logits);
    const dx = await difference(ours.dx, theirs.dx);
    const twin = theirs.own && theirs.twinOutput ? await difference(theirs.twinOutput, theirs.own) : null;
    const grads: PlanCaseReport['grads'] = [];
    for (const [i, v] of vars.entries()) {
      const [g, h] = [ours.dw.grads[v.name], theirs.dw.grads[theirs.refVars[i].name]];
      if (!g || !h) {
        grads.push({ name: v.name, worst: Infinity, scale: 0, oursNonZero: false, missing: true });
        continue;
      }
      const nonZero = tf.tidy(() => tf.any(tf.notEqual(g, 0)));
      grads.push({ name: v.name, ...(await difference(g, h)), oursNonZero: (await nonZero.data())[0] === 1, missing: false });
      nonZero.dispose();
    }
    tf.dispose([x, y, ours.logits, ourLogits, ours.dx, ours.dw.value, ...Object.values(ours.dw.grads), theirs.logits, theirs.dx, theirs.dw.value, ...Object.values(theirs.dw.grads)]);
    tf.dispose([theirs.own, theirs.twinOutput].filter((t): t is tf.Tensor => t != null));
    return { logits, dx, grads, twin };
  });
  const leakedTensors = tf.memory().numTensors - before;
  classifier.dispose();
  model.dispose();
  reference?.twin.dispose();
  return { name: c.name, runSeed, seed, fused, ...value, variables: vars.length, leakedTensors, gpuErrors: errors };
}
