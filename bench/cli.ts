// `npm run bench -- [--quick] [--runtime node|chrome|both] [--filter NAME] [--runs N] [--out DIR]`:
// runs the kernel benchmark in Node (Dawn) and/or headless Chromium, prints tables, writes JSON.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import * as lib from '../dist/index.js';
import { openChromiumPage } from '../test/browser/chromium';
import { DEFAULT_SIZES, QUICK_SIZES, runKernelBench, type KernelBenchOptions } from '../dist/index.js';
import { formatTable, SCHEMA, type BenchFile } from './results';

const USAGE = 'usage: npm run bench -- [--quick] [--runtime node|chrome|both] [--filter NAME] [--runs N] [--out DIR]';

function versions(): Record<string, string> {
  const read = (p: string) => (JSON.parse(readFileSync(p, 'utf8')) as { version: string }).version;
  return {
    'tfjs-adversarial': read('package.json'),
    '@tensorflow/tfjs-core': read('node_modules/@tensorflow/tfjs-core/package.json'),
    '@tensorflow/tfjs-backend-webgpu': read('node_modules/@tensorflow/tfjs-backend-webgpu/package.json'),
    webgpu: read('node_modules/webgpu/package.json'),
  };
}

async function inNode(options: KernelBenchOptions): Promise<BenchFile> {
  const { adapter } = await lib.initWebGPU();
  const results = await runKernelBench(options);
  return { schema: SCHEMA, date: new Date().toISOString(), runtime: 'node', runtimeVersion: process.version, adapter, versions: versions(), options: { ...options }, ...results };
}

async function inChrome(options: KernelBenchOptions): Promise<BenchFile> {
  const chrome = await openChromiumPage(join(process.cwd(), 'bench', 'page.ts'), 'bench');
  try {
    const r = await chrome.page.evaluate((o) => window.bench.run(o), options as Record<string, unknown>);
    if (chrome.pageErrors.length) console.warn(`page errors: ${chrome.pageErrors.join(' | ')}`);
    return { schema: SCHEMA, date: new Date().toISOString(), runtime: 'chrome', runtimeVersion: r.userAgent, adapter: r.adapter, versions: versions(), options: { ...options }, ...r.results };
  } finally {
    await chrome.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      runtime: { type: 'string', default: 'both' },
      filter: { type: 'string' },
      runs: { type: 'string' },
      out: { type: 'string', default: 'bench/results' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!['node', 'chrome', 'both'].includes(values.runtime!)) throw new Error(`--runtime must be node, chrome or both, got ${values.runtime}\n${USAGE}`);
  const runs = values.runs === undefined ? (values.quick ? 15 : 30) : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`);
  const options: KernelBenchOptions = { sizes: values.quick ? QUICK_SIZES : DEFAULT_SIZES, runs, filter: values.filter };
  mkdirSync(values.out!, { recursive: true });
  const runtimes = values.runtime === 'both' ? ['node', 'chrome'] : [values.runtime!];
  for (const runtime of runtimes) {
    const file = runtime === 'node' ? await inNode(options) : await inChrome(options);
    const path = join(values.out!, `kernels-${runtime}.json`);
    writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
    console.log(`\n${formatTable(file)}\n\nwrote ${path}`);
  }
  tf.disposeVariables();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
