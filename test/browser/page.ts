// The page the Chromium suite drives: the built package (dist/index.js) and the shared suites, bundled,
// exposed as `window.suite` for puppeteer's page.evaluate.
import * as tf from '@tensorflow/tfjs-core';
import * as lib from '../../dist/index.js';
import { runApgdStepCase, runDlrCase } from '../suite/apgd_suite';
import { runBackwardReleaseCase } from '../suite/backward_release_suite';
import { runArgumentCase } from '../suite/argument_suite';
import { runApgdUpdateCase } from '../suite/apgd_update_suite';
import { runDlrTargetedCase } from '../suite/dlr_targeted_suite';
import { randomStartL2Bits, runL2Case } from '../suite/l2_suite';
import { runEngineCase } from '../suite/engine_suite';
import { runGatherCase } from '../suite/dataset_suite';
import { runFabCase } from '../suite/fab_suite';
import { runPlanCase } from '../suite/plan_suite';
import { runConvReluPoolCase } from '../suite/conv_relu_pool_suite';
import { randomStartBits, runKernelCase, withGpuErrorScope } from '../suite/kernel_suite';
import { runSquareCase } from '../suite/square_suite';
import { runTrainerCase } from '../suite/trainer_suite';

const suite = {
  async init() {
    const { adapter } = await lib.initWebGPU();
    await lib.ensureGradients();
    return { adapter, backend: tf.getBackend(), userAgent: navigator.userAgent };
  },
  runKernelCase,
  runEngineCase,
  runGatherCase,
  runDlrCase,
  runApgdStepCase,
  runL2Case,
  runApgdUpdateCase,
  runDlrTargetedCase,
  randomStartL2Bits,
  runSquareCase,
  runFabCase,
  runTrainerCase,
  runPlanCase,
  runBackwardReleaseCase,
  runConvReluPoolCase,
  async runArgumentCase(name: string) {
    return withGpuErrorScope(lib.currentWebGPU()!.device, async () => runArgumentCase(name));
  },
  randomStartBits,
  /** The IDX loader on blob URLs: a gzipped images file (DecompressionStream), plain labels, a truncated gzip. */
  async idxRoundTrip() {
    const images = Uint8Array.from({ length: 60 }, (_, i) => (i * 29) % 256);
    const labels = Uint8Array.from([7, 0, 9]);
    const gzip = async (b: Uint8Array) =>
      new Uint8Array(await new Response(new Blob([b as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer());
    const url = (b: Uint8Array) => URL.createObjectURL(new Blob([b as Uint8Array<ArrayBuffer>]));
    const gzImages = await gzip(lib.writeIdx([3, 5, 4], images));
    const set = await lib.loadIdxImageSet(url(gzImages), url(lib.writeIdx([3], labels)));
    let truncated = '';
    try {
      await lib.loadIdx(url(gzImages.subarray(0, 20)), 3);
    } catch (error) {
      truncated = String(error);
    }
    return { images: Array.from(set.images), labels: Array.from(set.labels), dims: [set.count, set.height, set.width], truncated, expected: Array.from(images) };
  },
};

declare global {
  interface Window {
    suite: typeof suite;
  }
}
window.suite = suite;
