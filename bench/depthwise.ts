// The MobileNet kernels of the engine on MobileNetV2's shapes (224x224, batch 4), interleaved in one run:
//   tap-skip   the depthwise input gradient at stride 2 visiting only the taps that hit (the default)
//   every-tap  the same kernel testing every tap with % (ADVERSARIAL_DEPTHWISE_TAP_SKIP false: before)
//   stock      tfjs-webgpu's kernel (useEngineKernels(false))
// and engine against stock for Mean (global average pooling), PadV2, Slice and the depthwise filter
// gradient; then the engine counts of a MobileNetV2 (96x96, 5 classes) input gradient and training
// gradient through classifierFromLayersModel, and the whole input gradient at --model-size (224, batch
// --batch) with this work's kernels off (before: tfjs's Mean, PadV2, Slice, every-tap depthwise input
// gradient) and on (after), interleaved. Median ms of --runs, and the ratios.
// usage: node bench/run.mjs bench/depthwise.ts [--runs 5] [--batch 4] [--model-size 224] [--no-model]
import { parseArgs } from 'node:util';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import * as lib from '../dist/index.js';
import * as engine from '../dist/engine.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, batch: { type: 'string', default: '4' }, 'no-model': { type: 'boolean', default: false }, 'model-size': { type: 'string', default: '224' } } });
const runs = Number(values.runs);
const batch = Number(values.batch);

await lib.initWebGPU();
await lib.ensureGradients();
const backend = tf.backend() as WebGPUBackend;

type Way = 'tap-skip' | 'every-tap' | 'engine' | 'stock';
function setWay(way: Way): void {
  lib.useEngineKernels(way !== 'stock');
  tf.env().set(engine.FLAG_DEPTHWISE_TAP_SKIP, way !== 'every-tap');
}

/** ms of one call, the GPU work waited for (no read-back). */
async function timeOnce(run: () => tf.Tensor): Promise<number> {
  const t0 = performance.now();
  const out = run();
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.submitQueue();
  await backend.device.queue.onSubmittedWorkDone();
  const ms = performance.now() - t0;
  out.dispose();
  return ms;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function compare(name: string, ways: Way[], inputs: tf.Tensor[], run: () => tf.Tensor): Promise<Record<string, number>> {
  const ms: Record<string, number[]> = Object.fromEntries(ways.map((w) => [w, []]));
  for (const w of ways) {
    setWay(w);
    await timeOnce(run); // warm-up: pipeline built
  }
  for (let r = 0; r < runs; r++)
    for (const w of ways) {
      setWay(w);
      ms[w].push(await timeOnce(run));
    }
  setWay('engine');
  lib.useEngineKernels('auto');
  const med = Object.fromEntries(ways.map((w) => [w, median(ms[w])]));
  const base = med[ways[0]];
  console.log(`${name.padEnd(62)} ${ways.map((w) => `${w} ${med[w].toFixed(1).padStart(7)} ms`).join('  ')}  ${ways.slice(1).map((w) => `${w}/${ways[0]} ${(med[w] / base).toFixed(2)}`).join('  ')}`);
  tf.dispose(inputs);
  return med;
}

const u = (shape: number[]) => tf.randomUniform(shape, -1, 1, 'float32', 7);
const b = batch;
// MobileNetV2's depthwise layers at 224: stride 2 after ZeroPadding2D ('valid'), stride 1 'same'.
const depthwise: [number[], number, 'valid' | 'same'][] = [
  [[b, 113, 113, 96], 2, 'valid'],
  [[b, 57, 57, 144], 2, 'valid'],
  [[b, 29, 29, 192], 2, 'valid'],
  [[b, 15, 15, 576], 2, 'valid'],
  [[b, 56, 56, 144], 1, 'same'],
  [[b, 112, 112, 32], 1, 'same'],
];
for (const [xShape, s, pad] of depthwise) {
  const c = xShape[3];
  const info = tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], [3, 3, c, 1], s, 1, pad, undefined, true);
  const dy = u(info.outShape);
  const w = u([3, 3, c, 1]);
  const ways: Way[] = s > 1 ? ['tap-skip', 'every-tap', 'stock'] : ['engine', 'stock'];
  await compare(`DepthwiseBackpropInput dy [${info.outShape}] 3x3 s${s} ${pad}`, ways, [dy, w], () =>
    tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, { strides: s, pad, dilations: 1, inputShape: xShape }) as tf.Tensor,
  );
}
for (const [xShape, s, pad] of [depthwise[0], depthwise[4]]) {
  const c = xShape[3];
  const x = u(xShape);
  const w = u([3, 3, c, 1]);
  await compare(`Depthwise forward x [${xShape}] 3x3 s${s} ${pad}`, ['engine', 'stock'], [x, w], () =>
    tf.engine().runKernel('DepthwiseConv2dNative', { x, filter: w }, { strides: s, pad, dilations: 1, dataFormat: 'NHWC' }) as tf.Tensor,
  );
}
for (const [xShape, s, pad] of depthwise.slice(0, 2)) {
  const c = xShape[3];
  const info = tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], [3, 3, c, 1], s, 1, pad, undefined, true);
  const x = u(xShape);
  const dy = u(info.outShape);
  await compare(`DepthwiseBackpropFilter x [${xShape}] 3x3 s${s} ${pad}`, ['engine', 'stock'], [x, dy], () =>
    tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { strides: s, pad, dilations: 1, filterShape: [3, 3, c, 1] }) as tf.Tensor,
  );
}
// The scalar kernels: channels not a multiple of 4, channel multiplier 2 (MobileNetV1 variants).
for (const [c, m] of [[30, 1], [16, 2]]) {
  const xShape = [b, 56, 56, c] as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(xShape, [3, 3, c, m], 1, 1, 'same', undefined, true);
  const x = u(xShape);
  const w = u([3, 3, c, m]);
  const dy = u(info.outShape);
  await compare(`Depthwise forward x [${xShape}] 3x3 m=${m} (scalar)`, ['engine', 'stock'], [], () => tf.engine().runKernel('DepthwiseConv2dNative', { x, filter: w }, { strides: 1, pad: 'same', dilations: 1, dataFormat: 'NHWC' }) as tf.Tensor);
  await compare(`DepthwiseBackpropInput dy [${info.outShape}] 3x3 m=${m} (scalar)`, ['engine', 'stock'], [], () =>
    tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, { strides: 1, pad: 'same', dilations: 1, inputShape: xShape }) as tf.Tensor,
  );
  await compare(`DepthwiseBackpropFilter x [${xShape}] 3x3 m=${m} (scalar)`, ['engine', 'stock'], [x, w, dy], () =>
    tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dilations: 1, filterShape: [3, 3, c, m] }) as tf.Tensor,
  );
}
{
  const x = u([b, 7, 7, 1280]);
  await compare(`Mean [${b},7,7,1280] axes 1,2`, ['engine', 'stock'], [x], () => tf.engine().runKernel('Mean', { x }, { axis: [1, 2], keepDims: false }) as tf.Tensor);
}
{
  const x = u([b, 112, 112, 96]);
  await compare(`PadV2 [${b},112,112,96] bottom/right 1`, ['engine', 'stock'], [x], () => tf.engine().runKernel('PadV2', { x }, { paddings: [[0, 0], [0, 1], [0, 1], [0, 0]], constantValue: 0 }) as tf.Tensor);
}
{
  const x = u([b, 113, 113, 96]);
  await compare(`Slice [${b},113,113,96] to [${b},112,112,96]`, ['engine', 'stock'], [x], () => tf.engine().runKernel('Slice', { x }, { begin: [0, 0, 0, 0], size: [b, 112, 112, 96] }) as tf.Tensor);
}

if (!values['no-model']) {
  // Which kernels a MobileNetV2 input gradient runs on the engine and which it hands to tfjs.
  const model = lib.classifierFromLayersModel(lib.mobileNetV2({ inputSize: 96, classes: 5 }), { owned: true });
  const x = tf.randomUniform([2, 96, 96, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const y = tf.oneHot(tf.tensor1d([0, 3], 'int32'), 5);
  lib.useEngineKernels('auto');
  const before = lib.snapshotEngineKernelCounts();
  const g = tf.grad((v: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, model.forward(v as tf.Tensor4D)))(x);
  await g.data();
  const counts = lib.engineKernelCountsSince(before);
  const mid = lib.snapshotEngineKernelCounts();
  const weights = model.layersModel().model.trainableWeights.map((w) => w.read());
  const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.forward(x)) as tf.Scalar, weights as unknown as tf.Variable[]);
  await Promise.all(Object.values(grads).map((t) => t.data()));
  const trainCounts = lib.engineKernelCountsSince(mid);
  console.log('\nMobileNetV2 96x96, 5 classes, batch 2: engine kernel counts (engine / fallback)');
  console.log(`  ${'kernel'.padEnd(40)} input gradient   weight gradients`);
  for (const name of new Set([...Object.keys(counts), ...Object.keys(trainCounts)])) {
    const f = (c?: { engine: number; fallback: number }) => (c ? `${String(c.engine).padStart(4)} / ${c.fallback}` : '       -').padEnd(17);
    console.log(`  ${name.padEnd(40)} ${f(counts[name])}${f(trainCounts[name])}`);
  }
  tf.dispose([g, x, y, ...Object.values(grads)]);
  model.dispose();

  // The whole input gradient at 224, this work's kernels off (before) and on (after), interleaved.
  const size = Number(values['model-size']);
  const big = lib.classifierFromLayersModel(lib.mobileNetV2({ inputSize: size, classes: 5 }), { owned: true });
  const bx = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const by = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 5), 'int32'), 5);
  const step = async (way: 'before' | 'after'): Promise<number> => {
    lib.useEngineKernels(way === 'after' ? 'auto' : { Mean: false, MeanGrad: false, PadV2: false, Slice: false });
    tf.env().set(engine.FLAG_DEPTHWISE_TAP_SKIP, way === 'after');
    const t0 = performance.now();
    const gx = tf.grad((v: tf.Tensor) => tf.losses.softmaxCrossEntropy(by, big.forward(v as tf.Tensor4D)))(bx);
    await gx.data();
    gx.dispose();
    return performance.now() - t0;
  };
  const ms: Record<'before' | 'after', number[]> = { before: [], after: [] };
  await step('before');
  await step('after');
  for (let r = 0; r < runs; r++) for (const way of ['before', 'after'] as const) ms[way].push(await step(way));
  lib.useEngineKernels('auto');
  tf.env().set(engine.FLAG_DEPTHWISE_TAP_SKIP, true);
  const [mb, ma] = [median(ms.before), median(ms.after)];
  console.log(`\nMobileNetV2 ${size}x${size}, batch ${batch}, input gradient: before ${mb.toFixed(0)} ms, after ${ma.toFixed(0)} ms, before/after ${(mb / ma).toFixed(2)} (median of ${runs}, interleaved)`);
  tf.dispose([bx, by]);
  big.dispose();
}
