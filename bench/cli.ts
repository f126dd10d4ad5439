// `npm run bench -- [--quick] [--runtime node|chrome] [--filter NAME] [--out FILE]`: runs the kernel and
// training-step benchmarks in Node (Dawn) or headless Chromium, prints a table, writes JSON and an HTML
// page of charts next to it.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { runBenchmarks, type BenchmarkOptions, type BenchmarkResults } from '../dist/bench.js';
import { openChromiumPage } from '../test/browser/chromium';
import { formatHtml, formatTable } from './results';

const USAGE = `usage: npm run bench -- [--quick] [--runtime node|chrome] [--filter NAME] [--only kernels|engine|steps|attacks] [--out FILE]
  --quick          the quick set (2 kernel sizes, engine kernels at batch 64, training steps at batch 64: ours 3 timed steps, stock 1)
  --runtime        node (Dawn, default) or chrome (headless Chromium through puppeteer)
  --filter NAME    only entries whose name contains NAME
  --only PART      kernels, engine, steps or attacks (an iteration of each attack beside a PGD step): run only that part
  --out FILE       results JSON (default bench/results/bench-RUNTIME.json); the HTML goes next to it`;

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

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      runtime: { type: 'string', default: 'node' },
      filter: { type: 'string' },
      only: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const runtime = parseRuntime(values.runtime);
  const out = values.out ?? `bench/results/bench-${runtime}.json`;
  console.log(`benchmarking in ${runtime}${values.quick ? ' (quick set)' : ''}`);
  if (values.only !== undefined && !['kernels', 'engine', 'steps', 'attacks'].includes(values.only)) {
    throw new Error(`--only must be kernels, engine, steps or attacks, got ${values.only}`);
  }
  const results = await benchmark(runtime, {
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
  });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  const html = out.replace(/\.json$/, '') + '.html';
  writeFileSync(html, formatHtml(results));
  console.log(`\n${formatTable(results)}\n\nwrote ${out} and ${html}`);
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
