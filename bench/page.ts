// The benchmark page for headless Chromium: the built package and the kernel benchmark, as `window.bench`.
import * as tf from '@tensorflow/tfjs-core';
import * as lib from '../dist/index.js';
import { runKernelBench, type KernelBenchOptions } from '../dist/index.js';

const bench = {
  async run(options: KernelBenchOptions) {
    const { adapter } = await lib.initWebGPU();
    const results = await runKernelBench(options);
    return { adapter, userAgent: navigator.userAgent, tfjsVersion: tf.version_core, results };
  },
};

declare global {
  interface Window {
    bench: typeof bench;
  }
}
window.bench = bench;
