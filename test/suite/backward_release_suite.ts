// The backward pass's early release (src/platform/backward_memory.ts) as named cases, shared by the Node
// test and the Chromium page: each case's gradients with ADVERSARIAL_RELEASE_GRADIENTS off and on, their
// values, tf.profile's peak bytes, tensors left over, whether the inputs and a user's dy survived, and the
// GPU errors. Cases: a deep chain, a tensor read by three ops (accumulated gradients), custom gradients
// handing their dy on (once, and for both inputs), second order (nested: tfjs's behaviour), ResNet-20 in
// training mode. test/suite/backward_release_check.ts asserts on the report.
import * as tf from '@tensorflow/tfjs-core';
import * as lib from '../../dist/index.js';
import { FLAG_RELEASE_GRADIENTS } from '../../dist/engine.js';
import { withGpuErrorScope } from './kernel_suite';

type Inputs = { x: tf.Tensor; w: tf.Variable[]; dy: tf.Tensor; model?: lib.Classifier };
/** A case: what it builds (kept across both runs) and the gradients it asks for. */
interface Case {
  name: string;
  build: (seed: number) => Inputs;
  grads: (i: Inputs) => tf.Tensor[];
  /** Whether release must lower tf.profile's peak bytes (deep graphs). */
  lowerPeak: boolean;
}

const u = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);
const variables = (seed: number, ...shapes: number[][]) => shapes.map((s, k) => tf.variable(u(s, seed + k + 1)));

/** dy unchanged as an input's gradient (once, and for both inputs), beside a saved tensor: the holder counts. */
type CustomGradient = Parameters<typeof tf.customGrad>[0];
const passOn = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  const y = tf.mul(a, b);
  save([b]);
  return { value: y, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [dy, tf.mul(dy, saved[0])] };
}) as CustomGradient);
const passBoth = tf.customGrad(((a: tf.Tensor, b: tf.Tensor) => ({ value: tf.add(a, b), gradFunc: (dy: tf.Tensor) => [dy, dy] })) as CustomGradient);

const CASES: Case[] = [
  {
    name: 'chain of 12 dense layers, relu (x and every variable)',
    build: (seed) => ({ x: u([16, 33], seed), w: variables(seed, ...Array.from({ length: 12 }, () => [33, 33])), dy: tf.scalar(1) }),
    grads: ({ x, w }) => tf.grads((x0: tf.Tensor, ...ws: tf.Tensor[]) => tf.mean(tf.square(ws.reduce((h, wk) => tf.relu(tf.matMul(h, wk)), x0))))([x, ...w]),
    lowerPeak: true,
  },
  {
    name: 'residual: one tensor read by three ops (accumulated gradients)',
    build: (seed) => ({ x: u([3, 7, 5], seed), w: variables(seed, [5]), dy: u([3, 7, 5], seed + 9) }),
    grads: ({ x, w, dy }) => [tf.grad((v: tf.Tensor) => tf.add(tf.mul(tf.sigmoid(v), w[0]), tf.add(tf.exp(tf.mul(v, 0.3)), v)))(x, dy)],
    lowerPeak: false,
  },
  {
    name: 'custom gradients handing on their dy, once and for both inputs',
    build: (seed) => ({ x: u([2, 9], seed), w: variables(seed, [2, 9]), dy: tf.scalar(1) }),
    grads: ({ x, w }) => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.tanh(passBoth(passOn(tf.sin(a), b) as tf.Tensor, tf.cos(a)) as tf.Tensor)))([x, w[0]]),
    lowerPeak: false,
  },
  {
    name: 'second order (nested gradients keep tfjs behaviour)',
    build: (seed) => ({ x: u([11], seed), w: [], dy: tf.scalar(1) }),
    grads: ({ x }) => [tf.grad((v: tf.Tensor) => tf.grad((z: tf.Tensor) => tf.sum(tf.mul(tf.sin(z), tf.square(z))))(v))(x)],
    lowerPeak: false,
  },
  {
    name: 'ResNet-20 on 16x16 in training mode (batch statistics, every trainable variable)',
    build: (seed) => {
      const model = lib.cifarResNet({ seed: seed % 1000, inputShape: [16, 16, 3], numClasses: 10 });
      return { x: tf.randomUniform([2, 16, 16, 3], 0, 1, 'float32', seed), w: model.variables.filter((v) => v.trainable) as tf.Variable[], dy: tf.scalar(1), model };
    },
    grads: ({ x, w, model }) => {
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(model!.forward(x as tf.Tensor4D, true))) as tf.Scalar, w);
      value.dispose();
      return w.map((v) => grads[v.name]);
    },
    lowerPeak: true,
  },
];


/** The cases' names, in order. */
export const backwardReleaseCases: { name: string; lowerPeak: boolean }[] = CASES.map((c) => ({ name: c.name, lowerPeak: c.lowerPeak }));

export interface BackwardReleaseReport {
  /** Each gradient's values with the flag off and on. */
  off: number[][];
  on: number[][];
  peakOff: number;
  peakOn: number;
  /** Tensors left after each run, beyond those before it. */
  leaked: number[];
  /** Whether the inputs, the variables and the dy were still there after both runs. */
  inputsKept: boolean;
  errors: string[];
}

/** Runs case `name` with the flag off, then on (the flag is left on, its default). */
export async function runBackwardReleaseCase(name: string, seed: number): Promise<BackwardReleaseReport> {
  const c = CASES.find((k) => k.name === name);
  if (!c) throw new Error(`no backward release case ${name}`);
  const inputs = c.build(seed);
  const snapshot = inputs.w.map((v) => v.clone());
  const leaked: number[] = [];
  const errors: string[] = [];
  const run = async (on: boolean) => {
    tf.env().set(FLAG_RELEASE_GRADIENTS, on);
    inputs.w.forEach((v, k) => v.assign(snapshot[k]));
    const before = tf.memory().numTensors;
    const { value, errors: scoped } = await withGpuErrorScope(lib.currentWebGPU()!.device, async () => {
      let out: tf.Tensor[] = [];
      const profile = await tf.profile(() => {
        out = c.grads(inputs);
        return out;
      });
      const values = await Promise.all(out.map(async (t) => Array.from(await t.data())));
      tf.dispose(out);
      return { values, peak: profile.peakBytes };
    });
    leaked.push(tf.memory().numTensors - before);
    errors.push(...scoped);
    return value;
  };
  try {
    const off = await run(false);
    const on = await run(true);
    const inputsKept = [inputs.x, inputs.dy, ...inputs.w].every((t) => !t.isDisposed);
    return { off: off.values, on: on.values, peakOff: off.peak, peakOn: on.peak, leaked, inputsKept, errors };
  } finally {
    tf.env().set(FLAG_RELEASE_GRADIENTS, true);
    tf.dispose([inputs.x, inputs.dy, ...snapshot]);
    if (inputs.model) inputs.model.dispose();
    else tf.dispose(inputs.w);
  }
}
