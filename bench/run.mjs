// Launches a TypeScript script of bench/ in Node: bundles it with esbuild (packages left external) into
// bench/.build/ and imports it. usage: node bench/run.mjs bench/cli.ts [args...]
import { pathToFileURL } from 'node:url';
import { basename, join, resolve } from 'node:path';
import * as esbuild from 'esbuild';

const [entry, ...rest] = process.argv.slice(2);
const outfile = resolve('bench', '.build', basename(entry).replace(/\.ts$/, '.mjs'));
await esbuild.build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  loader: { '.wgsl': 'text' },
  logLevel: 'warning',
  // The built package stays external, each entry (index, engine, bench, queue) imported where it lies: they
  // share dist/chunks/, so there is one copy of its state (the engine policy, the registered kernels); a
  // bundled copy of an entry would be a second library whose policy the other's useEngineKernels misses.
  // (Its import.meta.url also finds dist/ files.)
  plugins: [
    {
      name: 'external-dist',
      setup(build) {
        build.onResolve({ filter: /\/dist\/(index|engine|bench|queue)\.js$/ }, (args) => ({ path: resolve(args.resolveDir, args.path), external: true }));
      },
    },
  ],
});
process.argv = [process.argv[0], join(process.cwd(), entry), ...rest];
await import(pathToFileURL(outfile).href);
