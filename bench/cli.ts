// `npm run bench -- [--quick] [--runtime node|chrome|node,chrome] [--filter NAME] [--out FILE]`: runs the
// kernel and training-step benchmarks in Node (Dawn), headless Chromium or both, prints a table, writes JSON
// and an HTML page of charts next to it; with the training steps, the PyTorch peer's same steps (bench/peer.ts).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { runBenchmarks, type BenchmarkOptions, type BenchmarkResults } from '../dist/bench.js';
import { openChromiumPage } from '../tools/chromium_page';
import { peerRatios, runTorchPeer, type TorchPeer } from './peer';
import { formatHtml, formatTable } from './results';

const USAGE = `usage: npm run bench -- [--quick] [--runtime node|chrome|node,chrome] [--filter NAME] [--only kernels|engine|steps|attacks] [--no-peer] [--out FILE]
  --quick          the quick set (2 kernel sizes, engine kernels at batch 64, training steps at batch 64: ours 3 timed steps, stock 1, PGD-7 not on stock)
  --runtime        node (Dawn, default), chrome (headless Chromium through puppeteer), or node,chrome: both, one after
                   the other, and the training steps side by side
  --no-peer        without the PyTorch peer (run by default with the training steps when a python3 with torch is found)
  --filter NAME    only entries whose name contains NAME
  --only PART      kernels, engine, steps or attacks (an iteration of each attack beside a PGD step): run only that part
  --out FILE       results JSON (default bench/results/bench-RUNTIME.json; with two runtimes, -RUNTIME is added to
                   the name); the HTML goes next to it`;

function packageVersions(): Record<string, string> {
  const read = (p: string) => (JSON.parse(readFileSync(p, 'utf8')) as { version: string }).version;
  return {
    'tfjs-adversarial': read('package.json'),
    '@tensorflow/tfjs-core': read('node_modules/@tensorflow/tfjs-core/package.json'),
    '@tensorflow/tfjs-backend-webgpu': read('node_modules/@tensorflow/tfjs-backend-webgpu/package.json'),
    webgpu: read('node_modules/webgpu/package.json'),
    puppeteer: read('node_modules/puppeteer/package.json'),
  };
}

const progress = (m: string) => console.log(`  ${m}`);

/** Runs the benchmarks in `runtime` and returns the results with package versions filled in. */
export async function benchmark(runtime: 'node' | 'chrome', options: BenchmarkOptions): Promise<BenchmarkResults> {
  let results: BenchmarkResults;
  if (runtime === 'node') {
    results = await runBenchmarks({ ...options, onProgress: progress });
  } else {
    const chrome = await openChromiumPage(join(process.cwd(), 'bench', 'page.ts'), 'bench');
    try {
      await chrome.page.exposeFunction('reportProgress', progress);
      results = await chrome.page.evaluate((o) => window.bench.run(o), options as Record<string, unknown>);
      if (chrome.pageErrors.length) console.warn(`page errors: ${chrome.pageErrors.join(' | ')}`);
    } finally {
      await chrome.close();
    }
  }
  return { ...results, versions: { ...packageVersions(), ...results.versions } };
}

export function parseRuntime(value: string | undefined): 'node' | 'chrome' {
  if (value !== 'node' && value !== 'chrome') throw new Error(`--runtime must be node or chrome, got ${value}`);
  return value;
}

/** The training steps of two runtimes side by side, each against the PyTorch peer when there is one. */
export function formatRuntimes(byRuntime: [string, BenchmarkResults][], peer: TorchPeer | null): string {
  const [a, b] = byRuntime;
  const ours = (r: BenchmarkResults) => new Map(r.steps.filter((e) => e.impl === 'ours').map((e) => [`${e.step} [${e.batch}]`, e.imagesPerSecond]));
  const [ma, mb] = [ours(a[1]), ours(b[1])];
  const head = ['training step, ours'.padEnd(26), `${a[0]} img/s`.padStart(12), `${b[0]} img/s`.padStart(12), `${a[0]}/${b[0]}`.padStart(12)];
  if (peer) head.push('PyTorch'.padStart(9), `${a[0]}/PyTorch`.padStart(14), `${b[0]}/PyTorch`.padStart(14));
  const lines = [`ours in ${a[0]} and ${b[0]}${peer ? `, PyTorch ${peer.torch} on ${peer.threads} threads` : ''}`, '', head.join('  ')];
  for (const [key, va] of ma) {
    const vb = mb.get(key);
    if (vb === undefined) continue;
    const row = [key.padEnd(26), va.toFixed(1).padStart(12), vb.toFixed(1).padStart(12), (va / vb).toFixed(2).padStart(12)];
    const step = key.split(' ')[0];
    const t = peer && key.endsWith(`[${peer.batch}]`) ? peer.imagesPerSecond[step] : undefined;
    if (peer) row.push(...(t === undefined ? ['-', '-', '-'].map((x, i) => x.padStart(i === 0 ? 9 : 14)) : [t.toFixed(1).padStart(9), (va / t).toFixed(2).padStart(14), (vb / t).toFixed(2).padStart(14)]));
    lines.push(row.join('  '));
  }
  return lines.join('\n');
}

/** ours / PyTorch per training step, as lines for the table. */
function formatPeer(results: BenchmarkResults, peer: TorchPeer): string {
  const rows = peerRatios(results.steps, peer);
  const lines = [`ours / PyTorch ${peer.torch} (${peer.threads} threads, batch ${peer.batch}, bench/peer/torch_steps.py; not checked by bench:check)`, ''];
  lines.push(['training step'.padEnd(16), 'ours img/s'.padStart(10), 'PyTorch'.padStart(9), 'ours/PyTorch'.padStart(12)].join('  '));
  for (const r of rows) lines.push([r.step.padEnd(16), r.ours.toFixed(1).padStart(10), r.torch.toFixed(1).padStart(9), r.ratio.toFixed(2).padStart(12)].join('  '));
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      runtime: { type: 'string', default: 'node' },
      filter: { type: 'string' },
      only: { type: 'string' },
      out: { type: 'string' },
      'no-peer': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const runtimes = [...new Set(values.runtime.split(','))].map(parseRuntime);
  if (values.only !== undefined && !['kernels', 'engine', 'steps', 'attacks'].includes(values.only)) {
    throw new Error(`--only must be kernels, engine, steps or attacks, got ${values.only}`);
  }
  const options: BenchmarkOptions = {
    quick: values.quick,
    filter: values.filter,
    ...(values.only === undefined
      ? {}
      : {
          kernels: values.only === 'kernels' ? undefined : false,
          engine: values.only === 'engine' ? undefined : false,
          steps: values.only === 'steps' ? undefined : false,
          attacks: values.only === 'attacks' ? undefined : false,
        }),
  };
  const byRuntime: [string, BenchmarkResults][] = [];
  for (const runtime of runtimes) {
    console.log(`benchmarking in ${runtime}${values.quick ? ' (quick set)' : ''}`);
    byRuntime.push([runtime, await benchmark(runtime, options)]);
  }
  const stepBatches = [...new Set(byRuntime.flatMap(([, r]) => r.steps.map((e) => e.batch)))];
  const peer = values['no-peer'] || stepBatches.length === 0 ? null : runTorchPeer(stepBatches.includes(64) ? 64 : stepBatches[0]);
  for (const [runtime, results] of byRuntime) {
    const base = values.out ?? `bench/results/bench-${runtime}.json`;
    const out = values.out && runtimes.length > 1 ? base.replace(/(\.json)?$/, `-${runtime}.json`) : base;
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(peer ? { ...results, peer } : results, null, 2)}\n`);
    const html = out.replace(/\.json$/, '') + '.html';
    writeFileSync(html, formatHtml(results));
    console.log(`\n${formatTable(results)}${peer ? `\n\n${formatPeer(results, peer)}` : ''}\n\nwrote ${out} and ${html}`);
  }
  if (byRuntime.length === 2) console.log(`\n${formatRuntimes(byRuntime, peer)}`);
}

if (process.argv[1]?.endsWith('cli.ts')) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      console.error(USAGE);
      process.exit(1);
    },
  );
}
