// The real-architecture step benchmark's measurements, the same code in Node (bench/real_models.ts) and in
// a headless-Chromium page (bench/real/page.ts): for each model of the table (bench/real/models.ts), three
// step kinds, ours and stock interleaved (a warm-up each, then the median of the runs), images per second,
// achieved GFLOP/s, and the peak tensor bytes of one step (tf.profile's peakBytes: tf.memory().numBytes at
// its highest between kernels, the models' weights included):
//   input_gradient  d cross-entropy / d x of the batch (what FGSM, PGD and APGD repeat): 2F per image
//   pgd_step        one PGD step as the library's pgdAttack runs it (steps 1, no random start: the input
//                   gradient and the fused project-and-clip step); stock: the same with tfjs ops: 2F
//   fgsm_at         one step of the `fgsm` trainer (FGSM on the batch, then one Adam step on the clean and
//                   the adversarial loss, training mode); stock: tfjs ops and tf.train.adam: 2F + 2 x 3F
// ours: the library's classifier, trainer and attacks, the engine policy 'auto'; stock: the plain tfjs
// model with useEngineKernels(false). Beside them the engine's BatchMatMul on an n x n x n product: the
// matmul peak the achieved GFLOP/s compare with.
import * as tf from '@tensorflow/tfjs-core';
import * as lib from '../../dist/index.js';
import type { Classifier } from '../../dist/index.js';
import { measureFmaPeak, type FmaPeak } from '../../dist/bench.js';
import { buildRealModel, type RealModelPair, type RealModelSpec } from './models';

export const REAL_BENCH_SCHEMA = 'tfjs-adversarial/bench-real@2';
export const REAL_STEPS = ['input_gradient', 'pgd_step', 'fgsm_at'] as const;
export type RealStep = (typeof REAL_STEPS)[number];
/** FLOPs of a step per image of the batch, in forward passes F. */
export const STEP_FORWARDS: Record<RealStep, number> = { input_gradient: 2, pgd_step: 2, fgsm_at: 8 };

export interface RealBenchOptions {
  models: RealModelSpec[];
  steps?: RealStep[];
  /** Timed runs of ours after the warm-up (default 3); `stockRuns` of stock (default `runs`). */
  runs?: number;
  stockRuns?: number;
  /** Warm-up runs (default 1 each: the first run compiles the pipelines). */
  warmup?: number;
  stockWarmup?: number;
  /** Whether to time stock tfjs at all (default true). */
  stock?: boolean;
  /** One profiled run per side for the peak bytes: 'ours' (default), 'both' or 'none'. */
  peak?: 'ours' | 'both' | 'none';
  /** Side n of the engine BatchMatMul peak (default 1024), or false to skip it. */
  matmul?: number | false;
  onProgress?: (message: string) => void;
}

export interface ImplResult {
  /** Timed runs, seconds each (the warm-up not included). */
  seconds: number[];
  /** The first run, pipeline compilation included. */
  firstSeconds: number;
  /** batch / the median. */
  imagesPerSecond: number;
  /** Step FLOPs / the median, in GFLOP/s. */
  gflops: number;
  /** tf.profile's peakBytes of one step (tf.memory().numBytes at its highest), or null when not profiled. */
  peakBytes: number | null;
  /** tf.memory().numBytes before that step (the models, the batch). */
  bytesBefore: number | null;
}

export interface RealRow {
  model: string;
  title: string;
  size: number;
  batch: number;
  step: RealStep;
  forwardFlopsPerImage: number;
  stepFlopsPerImage: number;
  parameters: number;
  ours: ImplResult;
  stock: ImplResult | null;
}

export interface RealResults {
  schema: typeof REAL_BENCH_SCHEMA;
  date: string;
  runtime: 'node' | 'browser';
  runtimeVersion: string;
  adapter: lib.AdapterSummary;
  options: Omit<RealBenchOptions, 'onProgress'>;
  /** The engine's BatchMatMul on [n, n] x [n, n]: GFLOP/s at the median, and whether the engine ran it. */
  matmul: { n: number; seconds: number[]; gflops: number; onEngine: boolean } | null;
  /** The adapter's multiply-add ceiling (measureFmaPeak: registers only), measured with the matmul peak. */
  fma?: FmaPeak | null;
  rows: RealRow[];
  /** tf.memory() at the end: numBytesAllocatedInGPU is tfjs's WebGPU buffer pool, its high-water mark. */
  memory: { numBytes: number; numTensors: number; numBytesInGPU: number | null; numBytesAllocatedInGPU: number | null };
}

/** Submits what tfjs has recorded and waits until the GPU has run it. */
async function drain(): Promise<void> {
  const backend = tf.backend() as unknown as { ensureCommandEncoderReady(): void; endComputePassEncoder(): void; submitQueue(): void; device: GPUDevice };
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.submitQueue();
  await backend.device.queue.onSubmittedWorkDone();
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/** One step of `kind` on a model; returns what it computed (disposed by the caller). */
type StepFn = (i: number) => tf.Tensor | tf.Tensor[];

function oursStep(kind: RealStep, m: Classifier, x: tf.Tensor4D, y: tf.Tensor2D, epsilon: number): { run: StepFn; dispose(): void } {
  if (kind === 'input_gradient') return { run: () => tf.grad((v: tf.Tensor) => lib.ATTACK_LOSSES.ce.mean(m.forward(v as tf.Tensor4D), y))(x), dispose: () => {} };
  if (kind === 'pgd_step') return { run: () => lib.pgdAttack(m, x, y, { epsilon, steps: 1, randomStart: false, stepSize: epsilon / 4 }), dispose: () => {} };
  const optimizer = lib.engineAdam(1e-3);
  const trainer = lib.resolveTrainerById('fgsm');
  return { run: (i) => trainer.definition.step({ model: m, optimizer, x, onehot: y, epsilon, seed: i }, trainer.params), dispose: () => optimizer.dispose() };
}

function stockStep(kind: RealStep, m: Classifier, x: tf.Tensor4D, y: tf.Tensor2D, epsilon: number): { run: StepFn; dispose(): void } {
  const ce = (images: tf.Tensor, training = false) => tf.losses.softmaxCrossEntropy(y, m.forward(images as tf.Tensor4D, training)) as tf.Scalar;
  const grad = tf.grad((v: tf.Tensor) => ce(v));
  if (kind === 'input_gradient') return { run: () => grad(x), dispose: () => {} };
  if (kind === 'pgd_step') {
    return {
      run: () => tf.tidy(() => tf.clipByValue(tf.minimum(tf.maximum(tf.add(x, tf.mul(tf.sign(grad(x)), epsilon / 4)), tf.sub(x, epsilon)), tf.add(x, epsilon)), 0, 1)),
      dispose: () => {},
    };
  }
  const optimizer = tf.train.adam(1e-3);
  return {
    run: () => {
      const adv = tf.tidy(() => tf.clipByValue(tf.add(x, tf.mul(tf.sign(grad(x)), epsilon)), 0, 1));
      try {
        return optimizer.minimize(() => tf.add(tf.mul(ce(x, true), 0.5), tf.mul(ce(adv, true), 0.5)) as tf.Scalar, true, m.variables)!;
      } finally {
        adv.dispose();
      }
    },
    dispose: () => optimizer.dispose(),
  };
}

/** Runs `fn` once with the engine policy of `impl`, and waits for the GPU; seconds. */
async function timed(impl: 'ours' | 'stock', fn: StepFn, i: number): Promise<number> {
  lib.useEngineKernels(impl === 'ours' ? 'auto' : false);
  try {
    const t0 = performance.now();
    tf.dispose(fn(i));
    await drain();
    return (performance.now() - t0) / 1000;
  } finally {
    lib.useEngineKernels('auto');
  }
}

/** tf.profile's peak bytes of one step, and the bytes held before it. */
async function peakOf(impl: 'ours' | 'stock', fn: StepFn, i: number): Promise<{ peakBytes: number; bytesBefore: number }> {
  lib.useEngineKernels(impl === 'ours' ? 'auto' : false);
  try {
    const bytesBefore = tf.memory().numBytes;
    let out: tf.Tensor | tf.Tensor[] = [];
    const profile = await tf.profile(() => {
      out = fn(i);
      return out as tf.Tensor;
    });
    tf.dispose(out);
    await drain();
    return { peakBytes: Math.max(profile.peakBytes, bytesBefore), bytesBefore };
  } finally {
    lib.useEngineKernels('auto');
  }
}

async function matmulPeak(n: number): Promise<RealResults['matmul']> {
  const a = tf.randomUniform([n, n], -1, 1, 'float32', 1) as tf.Tensor2D;
  const b = tf.randomUniform([n, n], -1, 1, 'float32', 2) as tf.Tensor2D;
  lib.useEngineKernels('auto');
  const before = lib.snapshotEngineKernelCounts();
  const once = async () => {
    const t0 = performance.now();
    tf.matMul(a, b).dispose();
    await drain();
    return (performance.now() - t0) / 1000;
  };
  await once();
  const seconds = [await once(), await once(), await once()];
  const counts = lib.engineKernelCountsSince(before).BatchMatMul;
  tf.dispose([a, b]);
  return { n, seconds, gflops: (2 * n ** 3) / median(seconds) / 1e9, onEngine: !!counts && counts.engine > 0 && counts.fallback === 0 };
}

async function measureRow(pair: RealModelPair, kind: RealStep, o: Required<Omit<RealBenchOptions, 'onProgress' | 'models' | 'steps' | 'matmul'>>, progress: (m: string) => void): Promise<RealRow> {
  const { spec } = pair;
  const epsilon = spec.model === 'seed-cnn' ? 0.1 : 8 / 255;
  const x = tf.randomUniform([spec.batch, spec.size, spec.size, pair.channels], 0, 1, 'float32', 1) as tf.Tensor4D;
  const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Array.from({ length: spec.batch }, (_, i) => i % pair.classes), 'int32'), pair.classes), 'float32') as tf.Tensor2D);
  const sides = { ours: oursStep(kind, pair.ours, x, y, epsilon), stock: o.stock ? stockStep(kind, pair.stock, x, y, epsilon) : null };
  const stepFlops = STEP_FORWARDS[kind] * pair.forwardFlops * spec.batch;
  const label = `${spec.model} ${spec.size} [${spec.batch}] ${kind}`;
  try {
    const impls = (['ours', 'stock'] as const).filter((impl) => sides[impl]);
    const seconds: Record<string, number[]> = { ours: [], stock: [] };
    const first: Record<string, number> = {};
    let i = 0;
    for (const impl of impls) {
      first[impl] = await timed(impl, sides[impl]!.run, i++);
      for (let w = 1; w < (impl === 'ours' ? o.warmup : o.stockWarmup); w++) await timed(impl, sides[impl]!.run, i++);
      progress(`${label} ${impl}: first run ${first[impl].toFixed(2)} s`);
    }
    for (let r = 0; r < Math.max(o.runs, o.stockRuns); r++) {
      for (const impl of impls) {
        if (r >= (impl === 'ours' ? o.runs : o.stockRuns)) continue;
        seconds[impl].push(await timed(impl, sides[impl]!.run, i++));
      }
    }
    const result = async (impl: 'ours' | 'stock'): Promise<ImplResult> => {
      const s = seconds[impl].length > 0 ? seconds[impl] : [first[impl]];
      const profiled = o.peak === 'both' || (o.peak === 'ours' && impl === 'ours') ? await peakOf(impl, sides[impl]!.run, i++) : null;
      const t = median(s);
      const r = { seconds: seconds[impl], firstSeconds: first[impl], imagesPerSecond: spec.batch / t, gflops: stepFlops / t / 1e9, peakBytes: profiled?.peakBytes ?? null, bytesBefore: profiled?.bytesBefore ?? null };
      progress(`${label} ${impl}: ${r.imagesPerSecond.toFixed(2)} images/s, ${r.gflops.toFixed(2)} GFLOP/s${r.peakBytes !== null ? `, peak ${(r.peakBytes / 2 ** 20).toFixed(0)} MiB` : ''}`);
      return r;
    };
    const ours = await result('ours');
    const stock = sides.stock ? await result('stock') : null;
    return { model: spec.model, title: pair.title, size: spec.size, batch: spec.batch, step: kind, forwardFlopsPerImage: pair.forwardFlops, stepFlopsPerImage: STEP_FORWARDS[kind] * pair.forwardFlops, parameters: pair.parameters, ours, stock };
  } finally {
    sides.ours.dispose();
    sides.stock?.dispose();
    tf.dispose([x, y]);
  }
}

/**
 * Runs the real-architecture step table on tfjs's webgpu backend (set up if needed).
 *
 * @example
 * const r = await runRealBench({ models: [{ model: 'resnet-20', size: 32, batch: 16 }], steps: ['input_gradient'] });
 * console.log(r.rows[0].ours.imagesPerSecond / r.rows[0].stock!.imagesPerSecond);
 */
export async function runRealBench(options: RealBenchOptions): Promise<RealResults> {
  const context = lib.currentWebGPU() ?? (await lib.initWebGPU());
  await lib.ensureGradients();
  const progress = options.onProgress ?? (() => {});
  const runs = options.runs ?? 3;
  const o = { runs, stockRuns: options.stockRuns ?? runs, warmup: options.warmup ?? 1, stockWarmup: options.stockWarmup ?? options.warmup ?? 1, stock: options.stock ?? true, peak: options.peak ?? 'ours' };
  const matmul = options.matmul === false ? null : await matmulPeak(options.matmul ?? 1024);
  if (matmul) progress(`engine BatchMatMul ${matmul.n}^3: ${matmul.gflops.toFixed(2)} GFLOP/s${matmul.onEngine ? '' : ' (NOT on the engine)'}`);
  const fma = options.matmul === false ? null : await measureFmaPeak();
  if (fma) progress(`multiply-add ceiling (${fma.chains} vec4 chains per invocation, registers only): ${fma.gflops.toFixed(2)} GFLOP/s`);
  const rows: RealRow[] = [];
  for (const spec of options.models) {
    const pair = await buildRealModel(spec);
    try {
      for (const kind of options.steps ?? REAL_STEPS) rows.push(await measureRow(pair, kind, o, progress));
    } finally {
      pair.dispose();
    }
  }
  const memory = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number; numBytesAllocatedInGPU?: number };
  const runtime = typeof process !== 'undefined' && !!process.versions?.node ? 'node' : 'browser';
  const { onProgress: _, ...kept } = options;
  return {
    schema: REAL_BENCH_SCHEMA,
    date: new Date().toISOString(),
    runtime,
    runtimeVersion: runtime === 'node' ? process.version : navigator.userAgent,
    adapter: context.adapter,
    options: kept,
    matmul,
    fma,
    rows,
    memory: { numBytes: memory.numBytes, numTensors: memory.numTensors, numBytesInGPU: memory.numBytesInGPU ?? null, numBytesAllocatedInGPU: memory.numBytesAllocatedInGPU ?? null },
  };
}
