// The real-architecture benchmark's page for headless Chromium: runRealBench as `window.realBench`, the
// same measuring code as in Node (bench/real/measure.ts), on the page's WebGPU.
import { runRealBench, type RealBenchOptions } from './measure';

declare global {
  interface Window {
    realBench: { run(options: Omit<RealBenchOptions, 'onProgress'>): ReturnType<typeof runRealBench> };
    /** Exposed by puppeteer: progress lines to the terminal. */
    reportProgress?: (message: string) => Promise<void>;
  }
}
window.realBench = {
  run: (options) => runRealBench({ ...options, onProgress: (m) => void window.reportProgress?.(m) }),
};
