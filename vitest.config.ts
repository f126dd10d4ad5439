// Vitest: the Node (Dawn) and Chromium (puppeteer) suites, one after the other (both load the 2 CPU cores).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
