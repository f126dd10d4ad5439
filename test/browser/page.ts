// The page the Chromium suite drives: the built package (dist/index.js) and the shared suites, bundled,
// exposed as `window.suite` for puppeteer's page.evaluate.
import * as tf from '@tensorflow/tfjs-core';
import * as lib from '../../dist/index.js';
import { runArgumentCase } from '../suite/argument_suite';
import { runEngineCase } from '../suite/engine_suite';
import { runGatherCase } from '../suite/dataset_suite';
import { randomStartBits, runKernelCase, withGpuErrorScope } from '../suite/kernel_suite';

const suite = {
  async init() {
    const { adapter } = await lib.initWebGPU();
    await lib.ensureGradients();
    return { adapter, backend: tf.getBackend(), userAgent: navigator.userAgent };
  },
  runKernelCase,
  runEngineCase,
  runGatherCase,
  async runArgumentCase(name: string) {
    return withGpuErrorScope(lib.currentWebGPU()!.device, async () => runArgumentCase(name));
  },
  randomStartBits,
};

declare global {
  interface Window {
    suite: typeof suite;
  }
}
window.suite = suite;
