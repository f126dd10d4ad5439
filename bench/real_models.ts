// A real architecture's attack step, three ways in one run: Keras' MobileNetV2 (lib.mobileNetV2, 5 classes,
// inference mode) on random images, the input gradient of the cross-entropy (what FGSM, PGD and APGD repeat)
//   ours     classifierFromLayersModel (engine kernels, lazy gradients), the policy 'auto'
//   stock    the same weights in a plain tfjs-layers model, useEngineKernels(false): tfjs-webgpu's kernels
//            and tfjs's gradients
//   PyTorch  torchvision's mobilenet_v2 on the same cores (bench/peer/torch_real.py), when python3 has torch
// ours and stock interleaved (a warm-up each, then the median of --runs), images per second, and the ratios.
// usage: npm run bench:real -- [--size 224] [--batch 8] [--runs 3] [--threads 2] [--no-peer] [--out FILE]
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import * as lib from '../dist/index.js';
import { findTorchPython } from './peer';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '224' },
    batch: { type: 'string', default: '8' },
    runs: { type: 'string', default: '3' },
    threads: { type: 'string', default: '2' },
    'no-peer': { type: 'boolean', default: false },
    out: { type: 'string', default: join('bench', 'results', 'real-models.json') },
  },
});
const positive = (flag: string, text: string): number => {
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${flag} must be a positive integer, got ${JSON.stringify(text)}`);
  return v;
};
const size = positive('size', values.size!);
const batch = positive('batch', values.batch!);
const runs = positive('runs', values.runs!);
const classes = 5;

await lib.initWebGPU();
await lib.ensureGradients();
const ours = lib.classifierFromLayersModel(lib.mobileNetV2({ inputSize: size, classes }), { owned: true });
const plain = lib.mobileNetV2({ inputSize: size, classes });
plain.setWeights(ours.layersModel().model.getWeights());
// The stock model's logits: the Dense softmax head's input, as ours takes them (the same function).
const x = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % classes), 'int32'), classes);
const probabilities = (v: tf.Tensor) => plain.apply(v, { training: false }) as tf.Tensor;
const steps = {
  ours: () => tf.grad((v: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, ours.forward(v as tf.Tensor4D)))(x),
  // Cross-entropy of the probabilities: -sum(y log p), the same gradient as through the logits.
  stock: () => tf.grad((v: tf.Tensor) => tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(probabilities(v))), 1))))(x),
};

async function time(impl: 'ours' | 'stock'): Promise<number> {
  lib.useEngineKernels(impl === 'ours' ? 'auto' : false);
  try {
    const t0 = performance.now();
    const g = steps[impl]();
    await g.data();
    g.dispose();
    return (performance.now() - t0) / 1000;
  } finally {
    lib.useEngineKernels('auto');
  }
}

const seconds: Record<'ours' | 'stock', number[]> = { ours: [], stock: [] };
for (const impl of ['ours', 'stock'] as const) {
  console.log(`warm-up ${impl} (MobileNetV2 ${size}x${size}, batch ${batch})`);
  await time(impl);
}
for (let r = 0; r < runs; r++) {
  for (const impl of ['ours', 'stock'] as const) {
    seconds[impl].push(await time(impl));
    console.log(`run ${r + 1}/${runs} ${impl}: ${seconds[impl][seconds[impl].length - 1].toFixed(2)} s`);
  }
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const rate = (impl: 'ours' | 'stock') => batch / median(seconds[impl]);

let torch: { torch: string; torchvision: string; threads: number; images_per_second: { input_gradient: number; forward: number } } | null = null;
const python = values['no-peer'] ? null : findTorchPython();
if (python) {
  const r = spawnSync(python, [join('bench', 'peer', 'torch_real.py'), '--threads', values.threads!, '--batch', String(batch), '--size', String(size), '--classes', String(classes), '--runs', String(runs)], { encoding: 'utf8', timeout: 1_800_000 });
  if (r.status !== 0) throw new Error(`the PyTorch peer failed (status ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  torch = JSON.parse(r.stdout.trim().split('\n').pop()!);
} else if (!values['no-peer']) console.log('no python3 with torch (TORCH_PYTHON, /usr/bin/python3, python3): no PyTorch peer');

const result = {
  schema: 'tfjs-adversarial/bench-real@1',
  created: new Date().toISOString(),
  model: `Keras MobileNetV2 ${size}x${size}x3, ${classes} classes, inference mode`,
  step: 'input gradient of the cross-entropy (an attack step)',
  batch,
  runs,
  adapter: lib.currentWebGPU()?.adapter ?? null,
  seconds,
  images_per_second: { ours: rate('ours'), stock: rate('stock'), torch: torch?.images_per_second.input_gradient ?? null },
  ratios: { ours_over_stock: rate('ours') / rate('stock'), ours_over_torch: torch ? rate('ours') / torch.images_per_second.input_gradient : null },
  torch: torch ? { version: torch.torch, torchvision: torch.torchvision, threads: torch.threads, forward_images_per_second: torch.images_per_second.forward } : null,
  engine_kernel_counts: lib.engineKernelCounts,
};
console.log(
  [
    '',
    `${result.model}, batch ${batch}, ${result.step}; median of ${runs}`,
    `  ours     ${rate('ours').toFixed(2).padStart(8)} images/s`,
    `  stock    ${rate('stock').toFixed(2).padStart(8)} images/s   ours / stock ${result.ratios.ours_over_stock.toFixed(2)}`,
    torch ? `  PyTorch  ${torch.images_per_second.input_gradient.toFixed(2).padStart(8)} images/s   ours / PyTorch ${result.ratios.ours_over_torch!.toFixed(3)} (torch ${torch.torch}, ${torch.threads} threads)` : '  PyTorch  (not run)',
  ].join('\n'),
);
mkdirSync(dirname(values.out!), { recursive: true });
const partial = `${values.out}.partial-${process.pid}`;
writeFileSync(partial, `${JSON.stringify(result, null, 2)}\n`);
renameSync(partial, values.out!);
console.log(`wrote ${values.out}`);
tf.dispose([x, y]);
ours.dispose();
plain.dispose();
