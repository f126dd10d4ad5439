// conv2dBiasReluPool (the seed CNN's conv + bias + ReLU + max pool as one op, its gradient one MaxPoolGrad
// with the ReLU's mask in it) against the two ops it replaces, conv2dBiasRelu then tf.maxPool on the same
// engine kernels: the value and the gradients of x, the filter and the bias compared bit for bit, on named
// cases with windows that are all zero after the ReLU (the mask then matters), a NaN input, windows whose
// values tie (the gradient goes to the last maximum), 3x3 windows, odd sizes, and the fallback where the
// pool's windows do not tile the activation. Node and Chromium run the same cases.
import * as tf from '@tensorflow/tfjs-core';
import * as lib from '../../dist/index.js';
import * as engine from '../../dist/engine.js';
import { withGpuErrorScope } from './kernel_suite';

export interface ConvReluPoolCase {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  /** Bias of every channel (negative: many windows all zero after the ReLU). */
  bias: number;
  nan?: boolean;
  /** Every input value the same (the windows' values tie: the gradient goes to the last maximum). */
  constant?: boolean;
  /** The pool's window side (default 2). */
  pool?: number;
  /** Whether the fused op runs (the pool's windows tile the activation). */
  fused: boolean;
}

export const convReluPoolCases: ConvReluPoolCase[] = [
  { name: 'conv_relu_pool seed x=[5,28,28,1] filter=[3,3,1,32]', x: [5, 28, 28, 1], filter: [3, 3, 1, 32], bias: 0.01, fused: true },
  { name: 'conv_relu_pool zero windows x=[3,10,10,3] filter=[3,3,3,8] bias=-1', x: [3, 10, 10, 3], filter: [3, 3, 3, 8], bias: -1, fused: true },
  { name: 'conv_relu_pool NaN input x=[2,8,8,2] filter=[3,3,2,4]', x: [2, 8, 8, 2], filter: [3, 3, 2, 4], bias: 0, nan: true, fused: true },
  { name: 'conv_relu_pool ties (constant input) x=[2,12,12,1] filter=[3,3,1,8]', x: [2, 12, 12, 1], filter: [3, 3, 1, 8], bias: 0.3, constant: true, fused: true },
  { name: 'conv_relu_pool 3x3 windows x=[3,11,17,4] filter=[3,3,4,12] pool=3', x: [3, 11, 17, 4], filter: [3, 3, 4, 12], bias: 0, pool: 3, fused: true },
  { name: 'conv_relu_pool 5 input channels x=[2,10,10,5] filter=[3,3,5,8]', x: [2, 10, 10, 5], filter: [3, 3, 5, 8], bias: 0, fused: true },
  { name: 'conv_relu_pool odd activation (fallback) x=[2,9,9,1] filter=[3,3,1,4]', x: [2, 9, 9, 1], filter: [3, 3, 1, 4], bias: 0, fused: false },
];

export interface ConvReluPoolReport {
  errors: string[];
  /** Whether the fused kernel ran. */
  fused: boolean;
  /** Indices of the outputs (value, dx, dfilter, dbias) whose bits differ from the two ops'. */
  differing: string[];
  /** Some x gradient is 0 (the mask at work), where the case's bias is negative. */
  someMasked: boolean;
  /** Some filter gradient is NaN (the case's NaN input reaches it). */
  nanInFilterGradient: boolean;
  leakedTensors: number;
}

const bits = async (t: tf.Tensor) => Array.from(new Uint32Array(new Float32Array(await t.data()).buffer));

/** Runs one named case (seeded by `seed`) inside GPU error scopes. */
export async function runConvReluPoolCase(name: string, seed: number): Promise<ConvReluPoolReport> {
  const c = convReluPoolCases.find((k) => k.name === name);
  if (!c) throw new Error(`no conv_relu_pool case ${name}`);
  const random = lib.seededRandom(seed ^ c.x[1]);
  const values = (shape: number[], scale: number) => Float32Array.from({ length: shape.reduce((p, q) => p * q, 1) }, () => (random() * 2 - 1) * scale);
  const before = tf.memory().numTensors;
  const { value, errors } = await withGpuErrorScope(lib.currentWebGPU()!.device, async () => {
    const xData = c.constant ? new Float32Array(c.x.reduce((p, q) => p * q, 1)).fill(0.5) : values(c.x, 1);
    if (c.nan) xData[7] = NaN;
    const k = c.pool ?? 2;
    const x = tf.tensor4d(xData, c.x);
    const filter = tf.tensor4d(values(c.filter, 0.5), c.filter);
    const bias = tf.fill([c.filter[3]], c.bias) as tf.Tensor1D;
    const dyShape = [c.x[0], Math.floor((c.x[1] - c.filter[0] + 1) / k), Math.floor((c.x[2] - c.filter[1] + 1) / k), c.filter[3]];
    const dy = tf.tensor(values(dyShape, 1), dyShape);
    const grads = (f: (x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D) => tf.Tensor) =>
      tf.grads((a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor4D, b as tf.Tensor4D, d as tf.Tensor1D), dy)))([x, filter, bias]);
    const countsBefore = lib.snapshotEngineKernelCounts();
    const one = [engine.conv2dBiasReluPool(x, filter, bias, k), ...grads((a, b, d) => engine.conv2dBiasReluPool(a, b, d, k))];
    const fused = (lib.engineKernelCountsSince(countsBefore)[engine.Conv2DBiasReluPool]?.engine ?? 0) > 0;
    const two = [tf.tidy(() => tf.maxPool(engine.conv2dBiasRelu(x, filter, bias), k, k, 'valid')), ...grads((a, b, d) => tf.maxPool(engine.conv2dBiasRelu(a, b, d), k, k, 'valid'))];
    const differing: string[] = [];
    for (const [i, n] of ['value', 'dx', 'dfilter', 'dbias'].entries()) if (JSON.stringify(await bits(one[i]!)) !== JSON.stringify(await bits(two[i]!))) differing.push(n);
    const someMasked = (await two[1]!.data()).some((v) => v === 0);
    const nanInFilterGradient = (await one[2]!.data()).some(Number.isNaN);
    tf.dispose([x, filter, bias, dy, ...one, ...two]);
    return { fused, differing, someMasked, nanInFilterGradient };
  });
  return { ...value, errors, leakedTensors: tf.memory().numTensors - before };
}
