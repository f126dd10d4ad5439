// The engine-kernel benchmark: each engine kernel against the tfjs-backend-webgpu kernel it replaces, on
// the seed CNN's shapes at one batch size, run under its standard tfjs name with the engine switched on
// and off (the fused Adam step against tfjs's Adam, the fused softmax cross-entropy against tfjs's).
// Interleaved rounds; entries `Kernel engine|tfjs [shapes]`; the ratio is tfjs time / engine time.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import { adamStepWebGPU } from '../engine/optimizer/adam';
import { engineKernelPolicy, useEngineKernels } from '../engine/policy';
import { softmaxCrossEntropy } from '../engine/loss/softmax_cross_entropy';
import type { BenchEntry, BenchRatio } from './kernels';
import { drainQueue, summarize } from './timing';

export interface EngineBenchOptions {
  batch?: number;
  /** Timed rounds after one warm-up round (default 5; past three, only while the rounds have taken under 5 s). */
  runs?: number;
  filter?: string;
  onProgress?: (message: string) => void;
}

interface EngineBenchCase {
  kernel: string;
  shapes: number[][];
  /** Builds the inputs; `run(inputs, engine)` returns what it made (disposed by the bench). */
  inputs: () => tf.Tensor[];
  run: (t: tf.Tensor[], engine: boolean) => tf.Tensor | tf.Tensor[];
  /** Releases what the case kept between runs. */
  dispose?: () => void;
}

const attrsConv = { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] };
const attrsPool = { filterSize: [2, 2], strides: [2, 2], pad: 'valid' };
const run = (name: string, inputs: Record<string, tf.Tensor>, attrs: tf.NamedAttrMap = {}) => tf.engine().runKernel(name, inputs, attrs) as tf.Tensor;
const u = (shape: number[], lo = -1, hi = 1) => tf.randomUniform(shape, lo, hi);

function cases(b: number): EngineBenchCase[] {
  const image = [b, 28, 28, 1];
  const filter = [3, 3, 1, 32];
  const act = [b, 26, 26, 32];
  const pooled = [b, 13, 13, 32];
  const flat = [b, 5408];
  const dense = [5408, 128];
  const hidden = [b, 128];
  const adamState = new Map<string, tf.Optimizer>();
  return [
    { kernel: 'Conv2D', shapes: [image, filter], inputs: () => [u(image, 0, 1), u(filter)], run: ([x, w]) => run('Conv2D', { x, filter: w }, attrsConv) },
    {
      kernel: 'FusedConv2D',
      shapes: [image, filter, [32]],
      inputs: () => [u(image, 0, 1), u(filter), u([32])],
      run: ([x, w, bias]) => run('FusedConv2D', { x, filter: w, bias }, { ...attrsConv, activation: 'relu', leakyreluAlpha: 0 }),
    },
    { kernel: 'Conv2DBackpropInput', shapes: [act, filter], inputs: () => [u(act), u(filter)], run: ([dy, w]) => run('Conv2DBackpropInput', { dy, filter: w }, { ...attrsConv, inputShape: image }) },
    { kernel: 'Conv2DBackpropFilter', shapes: [image, act], inputs: () => [u(image, 0, 1), u(act)], run: ([x, dy]) => run('Conv2DBackpropFilter', { x, dy }, { ...attrsConv, filterShape: filter }) },
    { kernel: 'MaxPool', shapes: [act], inputs: () => [u(act)], run: ([x]) => run('MaxPool', { x }, attrsPool) },
    {
      kernel: 'MaxPoolGrad',
      shapes: [pooled, act],
      inputs: () => {
        const x = u(act);
        return [u(pooled), x, tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid')];
      },
      run: ([dy, input, output]) => run('MaxPoolGrad', { dy, input, output }, attrsPool),
    },
    { kernel: 'BatchMatMul', shapes: [flat, dense], inputs: () => [u(flat), u(dense)], run: ([a, m]) => run('BatchMatMul', { a, b: m }, { transposeA: false, transposeB: false }) },
    { kernel: 'BatchMatMul', shapes: [hidden, [5408, 128], [0, 1]], inputs: () => [u(hidden), u(dense)], run: ([a, m]) => run('BatchMatMul', { a, b: m }, { transposeA: false, transposeB: true }) },
    { kernel: 'BatchMatMul', shapes: [[1, 0], flat, hidden], inputs: () => [u(flat), u(hidden)], run: ([a, m]) => run('BatchMatMul', { a, b: m }, { transposeA: true, transposeB: false }) },
    {
      kernel: '_FusedMatMul',
      shapes: [flat, dense, [128]],
      inputs: () => [u(flat), u(dense), u([128])],
      run: ([a, m, bias]) => run('_FusedMatMul', { a, b: m, bias }, { transposeA: false, transposeB: false, activation: 'relu', leakyreluAlpha: 0 }),
    },
    { kernel: 'Add', shapes: [act, [32]], inputs: () => [u(act), u([32])], run: ([a, bias]) => run('Add', { a, b: bias }) },
    { kernel: 'Relu', shapes: [act], inputs: () => [u(act)], run: ([x]) => run('Relu', { x }) },
    { kernel: 'Step', shapes: [act], inputs: () => [u(act)], run: ([x]) => run('Step', { x }, { alpha: 0 }) },
    { kernel: 'Multiply', shapes: [act, act], inputs: () => [u(act), u(act)], run: ([a, m]) => run('Multiply', { a, b: m }) },
    { kernel: 'Sum', shapes: [act], inputs: () => [u(act)], run: ([x]) => run('Sum', { x }, { axis: [0, 1, 2], keepDims: false }) },
    {
      kernel: 'SoftmaxCrossEntropy+grad',
      shapes: [[b, 10]],
      inputs: () => [u([b, 10], -4, 4), tf.cast(tf.oneHot(tf.tensor1d(Array.from({ length: b }, (_, i) => i % 10), 'int32'), 10), 'float32')],
      run: ([logits, labels]) => tf.valueAndGrad((l: tf.Tensor) => softmaxCrossEntropy(l as tf.Tensor2D, labels as tf.Tensor2D))(logits).grad,
    },
    {
      kernel: 'AdamStep',
      shapes: [dense],
      inputs: () => {
        const start = u(dense);
        const value = tf.variable(start);
        start.dispose();
        return [value, u(dense, -0.01, 0.01)];
      },
      dispose: () => adamState.forEach((optimizer) => optimizer.dispose()),
      run: ([value, grad], engine) => {
        // One optimizer per implementation, so moments and step counts stay their own.
        const key = `${engine}`;
        let optimizer = adamState.get(key);
        if (!optimizer) adamState.set(key, (optimizer = tf.train.adam(1e-3)));
        if (engine) {
          const backend = tf.backend() as WebGPUBackend;
          const zeros = tf.zerosLike(value);
          const out = adamStepWebGPU(backend, value, grad, zeros, zeros, {
            learningRate: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            oneMinusBeta1: Math.fround(0.1),
            oneMinusBeta2: Math.fround(0.001),
            epsilon: 1e-7,
            biasCorrection1: Math.fround(0.1),
            biasCorrection2: Math.fround(0.001),
          }).map((info) => tf.engine().makeTensorFromTensorInfo(info));
          return [zeros, ...out];
        }
        optimizer.applyGradients({ [(value as tf.Variable).name]: grad });
        return [];
      },
    },
  ];
}

/** The time after which a case's timed rounds stop, once it has three. */
const ROUNDS_BUDGET_MS = 5000;

const shapeText = (shapes: number[][]) => shapes.map((s) => `[${s.join(',')}]`).join('x');

/** Runs each engine kernel and the tfjs kernel it replaces on the seed CNN's shapes at one batch size. */
export async function runEngineKernelBench(options: EngineBenchOptions = {}): Promise<{ entries: BenchEntry[]; ratios: BenchRatio[] }> {
  const backend = tf.backend() as WebGPUBackend;
  const batch = options.batch ?? 64;
  const runs = options.runs ?? 5;
  const policy = engineKernelPolicy();
  const entries: BenchEntry[] = [];
  const ratios: BenchRatio[] = [];
  try {
    for (const c of cases(batch)) {
      const base = `${c.kernel} %s ${shapeText(c.shapes)}`;
      if (options.filter && !base.replace('%s', 'engine').includes(options.filter) && !base.replace('%s', 'tfjs').includes(options.filter)) continue;
      const inputs = c.inputs();
      const time = async (engine: boolean) => {
        useEngineKernels(engine);
        const start = performance.now();
        const out = c.run(inputs, engine);
        await drainQueue(backend);
        const ms = performance.now() - start;
        tf.dispose(out);
        return ms;
      };
      const first = { engine: await time(true), tfjs: await time(false) };
      await time(true);
      await time(false);
      const rounds = { engine: [] as number[], tfjs: [] as number[] };
      const started = performance.now();
      // At least three rounds, then no more once they took ROUNDS_BUDGET_MS (tfjs's Conv2D here: 2 s a call).
      for (let i = 0; i < runs && (i < Math.min(runs, 3) || performance.now() - started < ROUNDS_BUDGET_MS); i++) {
        rounds.engine.push(await time(true));
        rounds.tfjs.push(await time(false));
      }
      for (const impl of ['engine', 'tfjs'] as const) {
        const wallMs = summarize(rounds[impl]);
        entries.push({
          name: base.replace('%s', impl),
          kernel: `${c.kernel} ${impl}`,
          shape: c.shapes.flat(),
          bytes: 0,
          firstRunMs: first[impl],
          wallMs,
          batch: 1,
          gpuMs: null,
          gbPerSecond: 0,
          rounds: rounds[impl],
        });
      }
      const perRound = summarize(rounds.engine.map((e, i) => rounds.tfjs[i] / e)).median;
      ratios.push({ name: `${c.kernel} engine/tfjs ${shapeText(c.shapes)}`, value: perRound, definition: 'median over rounds of tfjs kernel wall time / engine kernel wall time' });
      options.onProgress?.(`${base.replace(' %s', '')}: engine ${summarize(rounds.engine).median.toFixed(1)} ms, tfjs ${summarize(rounds.tfjs).median.toFixed(1)} ms, ${perRound.toFixed(2)}x`);
      tf.dispose(inputs);
      c.dispose?.();
    }
  } finally {
    useEngineKernels(policy);
  }
  return { entries, ratios };
}
