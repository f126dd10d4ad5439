// `npm run bench:real`: real architectures' attack and training steps, three ways in one run: the seed
// CNN, ResNet-20 (lib.cifarResNet), PreAct-ResNet-18 (bench-local) and Keras' MobileNetV2 (lib.mobileNetV2,
// 5 classes), each an input gradient, a PGD step and an FGSM-AT step (bench/real/measure.ts):
//   ours     the library's classifier, attacks and trainer (engine kernels, the policy 'auto')
//   stock    the same weights in a plain tfjs-layers model, useEngineKernels(false): tfjs-webgpu's kernels
//   PyTorch  the same architectures and steps on the same cores (bench/peer/torch_real.py), when python3
//            has torch and torchvision
// with achieved GFLOP/s beside the engine's BatchMatMul peak and each step's peak tensor bytes. In Node
// (Dawn) or in headless Chromium (--runtime chrome: the same code in a page, bench/real/page.ts).
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { openChromiumPage } from '../tools/chromium_page';
import { findTorchPython } from './peer';
import { REAL_STEPS, runRealBench, type RealBenchOptions, type RealResults, type RealStep } from './real/measure';
import { REAL_MODEL_IDS, REAL_MODELS, type RealModelId, type RealModelSpec } from './real/models';
import { formatRealTable, realKey, realRatios, type TorchReal } from './real/table';

const USAGE = `usage: npm run bench:real -- [--models LIST] [--size N] [--batch N] [--steps LIST] [--runs N] [--stock-runs N]
    [--warmup N] [--runtime node|chrome] [--no-stock] [--peak ours|both|none] [--no-peer] [--threads N] [--quick] [--out FILE]
  --models LIST   id[:size[:batch]],... of ${REAL_MODEL_IDS.join(', ')} (default ${'seed-cnn,resnet-20,mobilenet-v2'};
                  batches: seed CNN 64, ResNets 32, MobileNetV2 --batch)
  --size, --batch MobileNetV2's image side and batch where --models does not give them (default 224 and 4)
  --steps LIST    of ${REAL_STEPS.join(', ')} (default all)
  --quick         the set bench:check runs: ${'mobilenet-v2:96:2 and resnet-20:32:8, input_gradient, ours 3 runs, stock 1, no peak'}`;

/** What bench:check runs (about a minute and a half): a depthwise and a residual network's attack step. */
export const QUICK_REAL: Omit<RealBenchOptions, 'onProgress'> = {
  models: [
    { model: 'mobilenet-v2', size: 96, batch: 2 },
    { model: 'resnet-20', size: 32, batch: 8 },
  ],
  steps: ['input_gradient'],
  runs: 3,
  stockRuns: 1,
  peak: 'none',
  matmul: false,
};

/** Runs the table in Node or in a headless-Chromium page. */
export async function realBenchmark(runtime: 'node' | 'chrome', options: Omit<RealBenchOptions, 'onProgress'>): Promise<RealResults> {
  const progress = (m: string) => console.log(`  ${m}`);
  if (runtime === 'node') return runRealBench({ ...options, onProgress: progress });
  const chrome = await openChromiumPage(join(process.cwd(), 'bench', 'real', 'page.ts'), 'realBench');
  try {
    await chrome.page.exposeFunction('reportProgress', progress);
    const results = await chrome.page.evaluate((o) => window.realBench.run(o as Omit<RealBenchOptions, 'onProgress'>), options as Record<string, unknown>);
    if (chrome.pageErrors.length) console.warn(`page errors: ${chrome.pageErrors.join(' | ')}`);
    return results;
  } finally {
    await chrome.close();
  }
}

/** `id[:size[:batch]],...` with each model's default side and batch. */
export function parseModels(text: string, mobileSize: number, mobileBatch: number): RealModelSpec[] {
  return text.split(',').map((item) => {
    const [id, size, batch] = item.trim().split(':');
    if (!(REAL_MODEL_IDS as readonly string[]).includes(id)) throw new Error(`--models: unknown model ${JSON.stringify(id)} (${REAL_MODEL_IDS.join(', ')})`);
    const model = id as RealModelId;
    const defaults = { 'seed-cnn': 64, 'resnet-20': 32, 'preact-resnet-18': 32, 'mobilenet-v2': mobileBatch }[model];
    const side = size ? positive('models size', size) : model === 'mobilenet-v2' ? mobileSize : REAL_MODELS[model].size;
    return { model, size: side, batch: batch ? positive('models batch', batch) : defaults };
  });
}

function positive(flag: string, text: string): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${flag} must be a positive integer, got ${JSON.stringify(text)}`);
  return v;
}

/** The PyTorch peer on each model of the table (one process per model); null without a python3 with torch. */
export function runTorchReal(specs: RealModelSpec[], steps: RealStep[], runs: number, threads: number): TorchReal {
  const python = findTorchPython();
  if (!python) {
    console.log('no python3 with torch (TORCH_PYTHON, /usr/bin/python3, python3): no PyTorch peer');
    return null;
  }
  let versions = { torch: '', torchvision: '', threads };
  const imagesPerSecond: Record<string, number> = {};
  for (const spec of specs) {
    const args = [join('bench', 'peer', 'torch_real.py'), '--model', spec.model, '--size', String(spec.size), '--batch', String(spec.batch), '--classes', String(REAL_MODELS[spec.model].classes), '--steps', steps.join(','), '--runs', String(runs), '--threads', String(threads)];
    console.log(`  PyTorch peer: ${python} ${args.join(' ')}`);
    const r = spawnSync(python, args, { encoding: 'utf8', timeout: 1_800_000 });
    if (r.status !== 0) throw new Error(`the PyTorch peer failed (status ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { torch: string; torchvision: string; threads: number; images_per_second: Record<string, number> };
    versions = { torch: out.torch, torchvision: out.torchvision, threads: out.threads };
    for (const [step, v] of Object.entries(out.images_per_second)) imagesPerSecond[realKey(spec.model, spec.size, spec.batch, step)] = v;
  }
  return { ...versions, imagesPerSecond };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      models: { type: 'string', default: 'seed-cnn,resnet-20,mobilenet-v2' },
      size: { type: 'string', default: '224' },
      batch: { type: 'string', default: '4' },
      steps: { type: 'string', default: REAL_STEPS.join(',') },
      runs: { type: 'string', default: '3' },
      'stock-runs': { type: 'string' },
      warmup: { type: 'string', default: '1' },
      runtime: { type: 'string', default: 'node' },
      'no-stock': { type: 'boolean', default: false },
      peak: { type: 'string', default: 'ours' },
      matmul: { type: 'string', default: '1024' },
      'no-peer': { type: 'boolean', default: false },
      threads: { type: 'string', default: '2' },
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return void console.log(USAGE);
  if (values.runtime !== 'node' && values.runtime !== 'chrome') throw new Error(`--runtime must be node or chrome, got ${values.runtime}`);
  if (!['ours', 'both', 'none'].includes(values.peak)) throw new Error(`--peak must be ours, both or none, got ${values.peak}`);
  const steps = values.steps.split(',').map((s) => {
    if (!(REAL_STEPS as readonly string[]).includes(s)) throw new Error(`--steps: unknown step ${JSON.stringify(s)} (${REAL_STEPS.join(', ')})`);
    return s as RealStep;
  });
  const runs = positive('runs', values.runs);
  const options: Omit<RealBenchOptions, 'onProgress'> = values.quick
    ? QUICK_REAL
    : {
        models: parseModels(values.models, positive('size', values.size), positive('batch', values.batch)),
        steps,
        runs,
        stockRuns: values['stock-runs'] ? positive('stock-runs', values['stock-runs']) : runs,
        warmup: Number(values.warmup),
        stockWarmup: Number(values.warmup),
        stock: !values['no-stock'],
        peak: values.peak as 'ours' | 'both' | 'none',
        matmul: values.matmul === '0' ? false : positive('matmul', values.matmul),
      };
  console.log(`bench:real in ${values.runtime}: ${options.models.map((m) => `${m.model} ${m.size}x${m.size} [${m.batch}]`).join(', ')}; ${(options.steps ?? REAL_STEPS).join(', ')}`);
  const results = await realBenchmark(values.runtime, options);
  const torch = values['no-peer'] ? null : runTorchReal(options.models, options.steps ?? [...REAL_STEPS], Math.max(1, options.runs ?? 3), positive('threads', values.threads));
  const out = values.out ?? join('bench', 'results', `real-models-${values.runtime}.json`);
  console.log(`\n${formatRealTable(results, torch)}`);
  mkdirSync(dirname(out), { recursive: true });
  const partial = `${out}.partial-${process.pid}`;
  writeFileSync(partial, `${JSON.stringify({ ...results, ratios: realRatios(results), torch }, null, 2)}\n`);
  renameSync(partial, out);
  console.log(`\nwrote ${out}`);
}

if (process.argv[1]?.endsWith('real_models.ts')) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      console.error(USAGE);
      process.exit(1);
    },
  );
}
