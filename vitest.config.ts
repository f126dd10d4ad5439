// Vitest: the Node (Dawn) and Chromium (puppeteer) suites, one after the other (both load the 2 CPU cores).
// Tests that import source files (the command line's flags) get WGSL files as text, as the build does.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [{ name: 'wgsl-as-text', transform: (code: string, id: string) => (id.endsWith('.wgsl') ? { code: `export default ${JSON.stringify(code)};`, map: null } : undefined) }],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
