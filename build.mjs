// Builds the package: dist/index.js (one ESM bundle for browsers and Node, WGSL inlined as text,
// tfjs left external) and its type declarations (tsc).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import * as esbuild from 'esbuild';

/** Options shared by the package bundle and the test and benchmark pages. */
export const wgslLoader = { '.wgsl': 'text' };

export async function buildPackage() {
  rmSync('dist', { recursive: true, force: true });
  await esbuild.build({
    entryPoints: ['src/index.ts'],
    outfile: 'dist/index.js',
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    sourcemap: true,
    loader: wgslLoader,
    external: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-webgpu'],
    logLevel: 'warning',
  });
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildPackage();
  console.log('built dist/index.js and dist/*.d.ts');
}
