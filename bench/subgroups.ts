// The engine kernels with and without subgroup sharing (FLAG_SUBGROUPS, program/subgroups.ts: each lane of
// four loads a share of the values all four need and takes the rest by subgroupBroadcast), interleaved in
// one run: the matrix products on the seed CNN's dense layer and MobileNetV2's pointwise shapes (nn:
// forward, nt: input gradient, tn: weight gradient; A's rows shared), the convolutions of the seed CNN,
// MobileNetV2's first layer and ResNet-20 (forward and input gradient; the filter's values shared), then a
// MobileNetV2 input gradient (--model-size, --batch). Median ms of --runs, off/on, and the largest
// difference of the outputs (0: the same sums).
// usage: node bench/run.mjs bench/subgroups.ts [--runs 7] [--batch 4] [--model-size 224] [--no-model]
import { parseArgs } from 'node:util';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import * as lib from '../dist/index.js';
import * as engine from '../dist/engine.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' }, batch: { type: 'string', default: '4' }, 'model-size': { type: 'string', default: '224' }, 'no-model': { type: 'boolean', default: false } } });
const runs = Number(values.runs);

await lib.initWebGPU();
await lib.ensureGradients();
const backend = tf.backend() as WebGPUBackend;
if (!engine.subgroupsOfFour(backend)) throw new Error('bench/subgroups.ts: this adapter has no subgroups of four (the subgroup tiles are for SwiftShader)');

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const setSubgroups = (on: boolean) => tf.env().set(engine.FLAG_SUBGROUPS, on);

async function waitGpu(): Promise<void> {
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.submitQueue();
  await backend.device.queue.onSubmittedWorkDone();
}

/** off and on interleaved: median ms of `calls` calls per run (after a warm-up each), and max |off - on|. */
async function compare(name: string, run: () => tf.Tensor, calls: number): Promise<void> {
  const out: Record<string, Float32Array> = {};
  const ms: Record<string, number[]> = { off: [], on: [] };
  for (const way of ['off', 'on']) {
    setSubgroups(way === 'on');
    const o = run();
    out[way] = (await o.data()) as Float32Array;
    o.dispose();
  }
  for (let r = 0; r < runs; r++)
    for (const way of ['off', 'on']) {
      setSubgroups(way === 'on');
      await waitGpu();
      const t0 = performance.now();
      const outs = Array.from({ length: calls }, run);
      await waitGpu();
      ms[way].push((performance.now() - t0) / calls);
      tf.dispose(outs);
    }
  setSubgroups(true);
  let diff = 0;
  for (let i = 0; i < out.off.length; i++) diff = Math.max(diff, Math.abs(out.off[i] - out.on[i]));
  const [off, on] = [median(ms.off), median(ms.on)];
  console.log(`${name.padEnd(46)} off ${off.toFixed(1).padStart(7)} ms  on ${on.toFixed(1).padStart(7)} ms  off/on ${(off / on).toFixed(2)}  max difference ${diff}`);
}

const u = (shape: number[]) => tf.randomUniform(shape, -1, 1, 'float32', 5);
// [m, k, n]: the seed CNN's dense layer at batch 256, MobileNetV2 224's pointwise layers at batch 4.
for (const [m, k, n] of [[256, 5408, 128], [784, 96, 576], [50176, 16, 96], [196, 960, 160]]) {
  const a = u([m, k]);
  const b = u([k, n]);
  const dy = u([m, n]);
  const at = u([k, m]);
  await compare(`nn [${m},${k}] x [${k},${n}]`, () => tf.matMul(a, b), 3);
  await compare(`nt [${m},${n}] x [${k},${n}]^T`, () => tf.matMul(dy, b, false, true), 3);
  await compare(`tn [${k},${m}]^T x [${k},${n}]`, () => tf.matMul(at, b, true, false), 3);
  tf.dispose([a, b, dy, at]);
}

// [x shape, filter shape, stride, padding]: the seed CNN at batch 256, MobileNetV2 224's first layer at batch 4, ResNet-20's 3x3s at batch 16.
const convs: [[number, number, number, number], [number, number, number, number], number, 'same' | 'valid'][] = [
  [[256, 28, 28, 1], [3, 3, 1, 32], 1, 'valid'],
  [[4, 224, 224, 3], [3, 3, 3, 32], 2, 'same'],
  [[16, 32, 32, 16], [3, 3, 16, 16], 1, 'same'],
  [[16, 16, 16, 32], [3, 3, 32, 32], 1, 'same'],
];
for (const [xShape, wShape, stride, pad] of convs) {
  const x = u(xShape) as tf.Tensor4D;
  const w = u(wShape) as tf.Tensor4D;
  const info = tf.backend_util.computeConv2DInfo(xShape, wShape, stride, 1, pad);
  const dy = u(info.outShape);
  const name = `[${xShape}] * [${wShape}] s${stride}`;
  await compare(`conv ${name}`, () => tf.conv2d(x, w, stride, pad), 3);
  await compare(`conv input gradient ${name}`, () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { strides: stride, pad, dilations: 1, dataFormat: 'NHWC', inputShape: xShape }) as tf.Tensor, 3);
  tf.dispose([x, w, dy]);
}

if (!values['no-model']) {
  const size = Number(values['model-size']);
  const batch = Number(values.batch);
  const model = lib.classifierFromLayersModel(lib.mobileNetV2({ inputSize: size, classes: 5 }), { owned: true });
  const x = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 5), 'int32'), 5);
  lib.useEngineKernels('auto');
  await compare(`MobileNetV2 ${size} batch ${batch}: input gradient`, () => tf.grad((v: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, model.forward(v as tf.Tensor4D)))(x), 1);
  tf.dispose([x, y]);
  model.dispose();
}
