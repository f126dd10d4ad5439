// runBenchmarks: the kernel and training-step benchmarks in one run, with the ratios the regression check
// compares, usable from Node, headless Chrome or a user's own page.
import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients, initWebGPU } from '../engine/init';
import { currentWebGPU, type AdapterSummary } from '../platform/device';
import { detectRuntime } from '../platform/runtime';
import { DEFAULT_SIZES, kernelRatios, QUICK_SIZES, runKernelBench, type BenchEntry, type BenchRatio, type KernelBenchOptions } from './kernels';
import { runEngineKernelBench, type EngineBenchOptions } from './engine_kernels';
import { runStepBench, STEP_KINDS, type StepBenchOptions, type StepEntry } from './steps';
import { runAttackIterationBench, type AttackIterationEntry, type AttackIterationOptions } from './attack_iterations';

export const BENCH_SCHEMA = 'tfjs-adversarial/bench@1';

export interface BenchmarkOptions {
  /** The quick set: fewer sizes and runs, training steps at batch 64 only. */
  quick?: boolean;
  /** Keep only entries whose name contains this. */
  filter?: string;
  /** Override the kernel benchmark's options, or false to skip it. */
  kernels?: KernelBenchOptions | false;
  /** Override the training-step benchmark's options, or false to skip it. */
  steps?: StepBenchOptions | false;
  /** Override the attack-iteration benchmark's options (an iteration of each attack beside a PGD step), or false to skip it. */
  attacks?: AttackIterationOptions | false;
  /** Override the engine-kernel benchmark's options (engine vs the tfjs kernel it replaces), or false to skip it. */
  engine?: EngineBenchOptions | false;
  /** Called with each entry's name as it finishes. */
  onProgress?: (message: string) => void;
}

export interface BenchmarkResults {
  schema: typeof BENCH_SCHEMA;
  date: string;
  runtime: 'node' | 'browser';
  /** Node's version or the browser's user agent. */
  runtimeVersion: string;
  adapter: AdapterSummary;
  versions: Record<string, string>;
  options: { quick: boolean; filter?: string };
  kernels: BenchEntry[];
  /** Engine kernels and the tfjs kernels they replace, `Kernel engine|tfjs [shapes]`. */
  engineKernels: BenchEntry[];
  steps: StepEntry[];
  /** An iteration of each attack per image, beside a PGD step. */
  attackIterations: AttackIterationEntry[];
  /** Fused over composed, fraction of copy bandwidth, ours over stock: what the regression check compares. */
  ratios: BenchRatio[];
}

/** Ours over stock images per second, per step kind and batch. */
export function stepRatios(entries: StepEntry[]): BenchRatio[] {
  const ratios: BenchRatio[] = [];
  for (const ours of entries.filter((e) => e.impl === 'ours')) {
    const stock = entries.find((e) => e.impl === 'stock' && e.step === ours.step && e.batch === ours.batch);
    if (stock) {
      ratios.push({
        name: `${ours.step} ours/stock [${ours.batch}]`,
        value: ours.imagesPerSecond / stock.imagesPerSecond,
        definition: 'images per second, this library / stock tfjs written the plain way',
      });
    }
  }
  return ratios;
}

/**
 * Runs the benchmarks on tfjs's webgpu backend (set up by initWebGPU if needed) and returns one results
 * object (schema `tfjs-adversarial/bench@1`).
 *
 * @example
 * const results = await runBenchmarks({quick: true, onProgress: console.log});
 * console.table(results.ratios);
 */
export async function runBenchmarks(options: BenchmarkOptions = {}): Promise<BenchmarkResults> {
  const context = currentWebGPU() ?? (await initWebGPU());
  await ensureGradients();
  const quick = options.quick ?? false;
  const progress = options.onProgress ?? (() => {});
  const kernels =
    options.kernels === false
      ? []
      : (
          await runKernelBench({
            sizes: quick ? QUICK_SIZES : DEFAULT_SIZES,
            runs: quick ? 30 : 40,
            filter: options.filter,
            onProgress: progress,
            ...options.kernels,
          })
        ).entries;
  const engine =
    options.engine === false
      ? { entries: [], ratios: [] }
      : await runEngineKernelBench({ batch: 64, runs: quick ? 5 : 10, filter: options.filter, onProgress: progress, ...options.engine });
  const steps =
    options.steps === false
      ? []
      : await runStepBench({
          batchSizes: quick ? [64] : [64, 128],
          runs: 3,
          warmup: 1,
          stockRuns: quick ? 1 : 3,
          stockWarmup: quick ? 0 : 1,
          // PGD-7's stock step (70 s here) runs the kernels of FGSM's seven times over, FGSM-RS's (16 s) FGSM's
          // and a random start: the quick set's train_fgsm ours/stock and random_start fused/composed watch them.
          ...(quick ? { stockSteps: STEP_KINDS.filter((k) => k !== 'train_pgd7' && k !== 'train_fgsm_rs') } : {}),
          filter: options.filter,
          onProgress: progress,
          ...options.steps,
        });
  const attacks =
    options.attacks === false
      ? { entries: [], ratios: [] }
      : await runAttackIterationBench({ batch: quick ? 64 : 128, rounds: quick ? 1 : 3, quick, filter: options.filter, onProgress: progress, ...options.attacks });
  const runtime = detectRuntime();
  return {
    schema: BENCH_SCHEMA,
    date: new Date().toISOString(),
    runtime,
    runtimeVersion: runtime === 'node' ? process.version : navigator.userAgent,
    adapter: context.adapter,
    versions: { '@tensorflow/tfjs-core': tf.version_core },
    options: { quick, filter: options.filter },
    kernels,
    engineKernels: engine.entries,
    steps,
    attackIterations: attacks.entries,
    ratios: [...kernelRatios(kernels), ...engine.ratios, ...stepRatios(steps), ...attacks.ratios],
  };
}
