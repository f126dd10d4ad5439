// The inference plan's ReLU6 pairs (models/inference_plan.ts relu6Pairs: the reader of a ReLU6
// convolution's output masks its input gradient as it writes it, no ReLU6-gradient pass) on and off
// (ADVERSARIAL_RELU6_INPUT), interleaved in one run: a MobileNetV2's input gradient (lib.mobileNetV2 via
// the real-architecture bench's model, 5 classes), median ms of --runs each way, and the largest difference
// between the two gradients (the pairs give the same values).
// usage: node bench/run.mjs bench/relu6_pair.ts [--size 224] [--batch 4] [--runs 5]
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import * as lib from '../dist/index.js';
import * as engine from '../dist/engine.js';
import { buildRealModel } from './real/models';

const { values } = parseArgs({ options: { size: { type: 'string', default: '224' }, batch: { type: 'string', default: '4' }, runs: { type: 'string', default: '5' } } });
const [S, B, runs] = [Number(values.size), Number(values.batch), Number(values.runs)];
await lib.initWebGPU();
await lib.ensureGradients();
const pair = await buildRealModel({ model: 'mobilenet-v2', size: S, batch: B });
const x = tf.randomUniform([B, S, S, 3]) as tf.Tensor4D;
const y = tf.cast(tf.oneHot(tf.randomUniform([B], 0, 5, 'int32') as tf.Tensor1D, 5), 'float32') as tf.Tensor2D;
const inputGradient = () => tf.tidy(() => tf.grad((v: tf.Tensor) => lib.softmaxCrossEntropy(pair.ours.forward(v as tf.Tensor4D, false), y))(x));
const times: Record<'on' | 'off', number[]> = { on: [], off: [] };
const last: Partial<Record<'on' | 'off', Float32Array>> = {};
// One warm-up each way, then runs interleaved.
for (let rep = 0; rep < 2 * (runs + 1); rep++) {
  const way = rep % 2 === 0 ? 'on' : 'off';
  tf.env().set(engine.FLAG_RELU6_INPUT, way === 'on');
  const t0 = performance.now();
  const g = inputGradient();
  last[way] = (await g.data()) as Float32Array;
  if (rep >= 2) times[way].push(performance.now() - t0);
  g.dispose();
}
tf.env().set(engine.FLAG_RELU6_INPUT, true);
const median = (v: number[]) => [...v].sort((p, q) => p - q)[v.length >> 1]!;
let worst = 0;
for (let i = 0; i < last.on!.length; i++) worst = Math.max(worst, Math.abs(last.on![i]! - last.off![i]!));
console.log(`MobileNetV2 ${S}x${S} batch ${B} input gradient, median of ${runs}:`);
for (const way of ['off', 'on'] as const) console.log(`  ReLU6 pairs ${way.padEnd(3)} ${median(times[way]).toFixed(0)} ms  ${((B / median(times[way])) * 1000).toFixed(2)} images/s`);
console.log(`  off / on: ${(median(times.off) / median(times.on)).toFixed(3)}; largest |difference| of the gradients: ${worst}`);
pair.dispose();
