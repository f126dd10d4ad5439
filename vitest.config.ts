// Vitest: the Node (Dawn) and Chromium (puppeteer) suites, two test files at a time, each in its own process.
// One file alone keeps about 1.5 of the 2 cores busy (waiting on child processes, Chromium's start, shader
// compiles); two keep about 1.9 busy, and the whole suite takes about 0.7 of its time one file at a time.
// Tests that import source files (the command line's flags) get WGSL files as text, as the build does.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [{ name: 'wgsl-as-text', transform: (code: string, id: string) => (id.endsWith('.wgsl') ? { code: `export default ${JSON.stringify(code)};`, map: null } : undefined) }],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: true,
    maxWorkers: 2,
    pool: 'forks',
  },
});
