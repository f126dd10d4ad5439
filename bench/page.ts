// The benchmark page for headless Chromium: the built package's runBenchmarks, as `window.bench`.
import { runBenchmarks, type BenchmarkOptions } from '../dist/bench.js';

declare global {
  interface Window {
    bench: { run(options: BenchmarkOptions): ReturnType<typeof runBenchmarks> };
    /** Exposed by puppeteer: progress lines to the terminal. */
    reportProgress?: (message: string) => Promise<void>;
  }
}
window.bench = {
  run: (options) => runBenchmarks({ ...options, onProgress: (m) => void window.reportProgress?.(m) }),
};
