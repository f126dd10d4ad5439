// The kernel micro-benchmark, runtime-agnostic (Node through Dawn, or a Chromium page): fused FgsmStep,
// PgdStep and RandomStart against the same formulas composed of stock tfjs ops, and against a plain copy kernel (the
// adapter's bandwidth ceiling). Entries are named `case [shape]`; the first run (pipeline compile) is
// reported apart; then wall time with the GPU queue drained and GPU time from timestamp queries.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import { Copy } from '../kernels/names';
import { fgsmStep, pgdStep, randomStart } from '../kernels/ops/attack_ops';
import { fgsmStepComposed, pgdStepComposed } from '../kernels/composed/linf';
import { drainQueue, summarize, type Summary } from './timing';

export interface KernelBenchOptions {
  /** Element counts (default: 64x784 to 2^22). */
  sizes?: number[];
  /** Timed runs per entry after warm-up (default 30). */
  runs?: number;
  warmup?: number;
  /** Keep only entries whose name contains this. */
  filter?: string;
  onProgress?: (message: string) => void;
}

export interface BenchEntry {
  name: string;
  kernel: string;
  shape: number[];
  /** Bytes read plus written by one run. */
  bytes: number;
  /** The first run, pipeline compilation included. */
  firstRunMs: number;
  /** Per run: each sample times `batch` back-to-back runs and drains the queue, divided by `batch`. */
  wallMs: Summary;
  batch: number;
  /** Per run, from timestamp queries; null where the adapter has none. */
  gpuMs: Summary | null;
  /** bytes / median wall time. */
  gbPerSecond: number;
  /** The wall-time samples, one per round, in round order (rounds time every case once each). */
  rounds: number[];
}

export interface BenchRatio {
  name: string;
  value: number;
  /** What the value is, e.g. "composed median / fused median". */
  definition: string;
}

export interface KernelBenchResults {
  entries: BenchEntry[];
  ratios: BenchRatio[];
}

export const DEFAULT_SIZES = [64 * 784, 1 << 18, 1 << 20, 1 << 22];
export const QUICK_SIZES = [64 * 784, 1 << 20];

interface BenchCase {
  kernel: string;
  /** Bytes read plus written per element. */
  bytesPerElement: number;
  inputs: number;
  run(t: tf.Tensor[]): tf.Tensor;
}

const fgsmOptions = { epsilon: 0.1, clipMin: 0, clipMax: 1, targeted: false };
const pgdOptions = { stepSize: 0.01, epsilon: 0.1, clipMin: 0, clipMax: 1 };

const randomOptions = { epsilon: 0.1, seed: 1, clipMin: 0, clipMax: 1 };

const CASES: BenchCase[] = [
  { kernel: 'copy', bytesPerElement: 8, inputs: 1, run: ([x]) => tf.engine().runKernel(Copy, { x }) as tf.Tensor },
  { kernel: 'fgsm_step', bytesPerElement: 12, inputs: 2, run: ([x, g]) => fgsmStep(x, g, fgsmOptions) },
  { kernel: 'fgsm_step_composed', bytesPerElement: 12, inputs: 2, run: ([x, g]) => fgsmStepComposed(x, g, fgsmOptions, false) },
  { kernel: 'pgd_step', bytesPerElement: 16, inputs: 3, run: ([a, x, g]) => pgdStep(a, x, g, pgdOptions) },
  { kernel: 'pgd_step_composed', bytesPerElement: 16, inputs: 3, run: ([a, x, g]) => pgdStepComposed(a, x, g, pgdOptions, false) },
  { kernel: 'random_start', bytesPerElement: 8, inputs: 1, run: ([x]) => randomStart(x, randomOptions) },
  {
    kernel: 'random_start_composed',
    bytesPerElement: 8,
    inputs: 1,
    // The stock way: tfjs draws the noise on the CPU and uploads it.
    run: ([x]) => tf.tidy(() => tf.clipByValue(tf.add(x, tf.randomUniform(x.shape, -0.1, 0.1)), 0, 1)),
  },
];

/** Input sets rotated between runs, so no run reads what the previous one left in a cache. */
const ROTATION = 3;

/** Wall time per run of `batch` back-to-back runs, the queue drained once at the end. */
async function timeWall(backend: WebGPUBackend, c: BenchCase, sets: tf.Tensor[][], i: number, batch = 1): Promise<number> {
  const outs: tf.Tensor[] = [];
  const start = performance.now();
  for (let b = 0; b < batch; b++) outs.push(c.run(sets[(i + b) % sets.length]));
  await drainQueue(backend);
  const ms = (performance.now() - start) / batch;
  tf.dispose(outs);
  return ms;
}

/** Runs per wall-time sample: enough that small sizes are not all submit latency (about 2^20 elements). */
export const batchFor = (n: number): number => Math.min(32, Math.max(1, Math.round((1 << 20) / n)));

async function timeGpu(c: BenchCase, sets: tf.Tensor[][], i: number): Promise<number | null> {
  let out: tf.Tensor | undefined;
  const info = await tf.time(() => {
    out = c.run(sets[i % sets.length]);
  });
  out?.dispose();
  return typeof info.kernelMs === 'number' ? info.kernelMs : null;
}

/** Runs the kernel micro-benchmark on the active webgpu backend. */
export async function runKernelBench(options: KernelBenchOptions = {}): Promise<KernelBenchResults> {
  const backend = tf.backend() as WebGPUBackend;
  if (tf.getBackend() !== 'webgpu') throw new Error('runKernelBench: the active tfjs backend must be webgpu');
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  const runs = options.runs ?? 30;
  const warmup = options.warmup ?? 3;
  const hasTimestamps = backend.device.features.has('timestamp-query');
  const entries: BenchEntry[] = [];
  for (const n of options.sizes ?? DEFAULT_SIZES) {
    const sets = Array.from({ length: ROTATION }, () => [
      tf.randomUniform([n], -0.1, 1.1),
      tf.randomUniform([n], 0, 1),
      tf.randomUniform([n], -1, 1),
    ]);
    await drainQueue(backend);
    const cases = CASES.filter((c) => !options.filter || `${c.kernel} [${n}]`.includes(options.filter));
    const caseSets = (c: BenchCase) => sets.map((s) => s.slice(3 - c.inputs));
    // Interleaved: each round times every case once, so drift and noise fall on all of them alike.
    const firstRunMs = new Map<BenchCase, number>();
    for (const c of cases) firstRunMs.set(c, await timeWall(backend, c, caseSets(c), 0));
    const batch = batchFor(n);
    for (let i = 0; i < warmup; i++) for (const c of cases) await timeWall(backend, c, caseSets(c), i + 1, batch);
    const wall = new Map<BenchCase, number[]>(cases.map((c) => [c, []]));
    for (let i = 0; i < runs; i++) for (const c of cases) wall.get(c)!.push(await timeWall(backend, c, caseSets(c), i, batch));
    const gpu = new Map<BenchCase, number[]>(cases.map((c) => [c, []]));
    if (hasTimestamps) {
      for (let i = 0; i < Math.min(runs, 10); i++) {
        for (const c of cases) {
          const ms = await timeGpu(c, caseSets(c), i);
          if (ms != null && ms > 0) gpu.get(c)!.push(ms);
        }
      }
    }
    for (const c of cases) {
      options.onProgress?.(`${c.kernel} [${n}]`);
      const wallMs = summarize(wall.get(c)!);
      const gpuMs = gpu.get(c)!;
      entries.push({
        name: `${c.kernel} [${n}]`,
        kernel: c.kernel,
        shape: [n],
        bytes: c.bytesPerElement * n,
        firstRunMs: firstRunMs.get(c)!,
        wallMs,
        batch,
        gpuMs: gpuMs.length ? summarize(gpuMs) : null,
        gbPerSecond: (c.bytesPerElement * n) / (wallMs.median * 1e6),
        rounds: wall.get(c)!,
      });
    }
    tf.dispose(sets.flat());
  }
  return { entries, ratios: kernelRatios(entries) };
}

/** The median over rounds of a per-round ratio: each round timed both cases back to back, so drift cancels. */
function medianOfRounds(a: BenchEntry, b: BenchEntry, ratio: (ta: number, tb: number) => number): number {
  const n = Math.min(a.rounds.length, b.rounds.length);
  return summarize(Array.from({ length: n }, (_, i) => ratio(a.rounds[i], b.rounds[i]))).median;
}

/** Fused over composed (speed-up) and fraction of the copy kernel's bandwidth, per size. */
export function kernelRatios(entries: BenchEntry[]): BenchRatio[] {
  const byName = new Map(entries.map((e) => [e.name, e]));
  const ratios: BenchRatio[] = [];
  for (const e of entries) {
    if (!['fgsm_step', 'pgd_step', 'random_start'].includes(e.kernel)) continue;
    const shape = `[${e.shape.join(',')}]`;
    const composed = byName.get(`${e.kernel}_composed ${shape}`);
    const copy = byName.get(`copy ${shape}`);
    if (composed) {
      ratios.push({
        name: `${e.kernel} fused/composed ${shape}`,
        value: medianOfRounds(composed, e, (tc, tf) => tc / tf),
        definition: 'median over rounds of composed wall time / fused wall time',
      });
    }
    if (copy) {
      ratios.push({
        name: `${e.kernel} fraction of copy bandwidth ${shape}`,
        value: medianOfRounds(e, copy, (tf, tc) => e.bytes / tf / (copy.bytes / tc)),
        definition: 'median over rounds of (bytes read + written) per second, fused / copy kernel',
      });
    }
  }
  return ratios;
}
