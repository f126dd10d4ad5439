// The inference plan of a Layers model on Dawn (models/inference_plan.ts): batch normalisations folded into
// the convolutions, ZeroPadding2D into their padding, ReLU / ReLU6 into one fused op. The shared cases
// (test/suite/plan_suite.ts, also run in Chromium): against the model's own forward pass on stock tfjs
// kernels, the logits, the input gradient and every variable's gradient; and here, which kernels the
// input gradient of Keras' MobileNetV2 runs.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { expectPlanCaseOk } from '../suite/plan_check';
import { planCases, runPlanCase } from '../suite/plan_suite';
import { runSeed } from '../suite/run_seed';

beforeAll(async () => {
  await lib.initWebGPU();
  await lib.ensureGradients();
});
afterEach(() => lib.useEngineKernels('auto'));

describe('inference plan: folded batch normalisation and fused activations', () => {
  for (const c of planCases) {
    test(`plan ${c.name}: logits, input and every variable's gradient match the model on stock tfjs`, async () => {
      expectPlanCaseOk(c, await runPlanCase(c.name, runSeed));
    });
  }

  test('plan Keras MobileNetV2 at 32: the input gradient runs no batch normalisation, clip or pad kernel', async () => {
    const model = lib.mobileNetV2({ inputSize: 32, classes: 5 });
    const classifier = lib.classifierFromLayersModel(model);
    const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d([1, 3], 'int32'), 5));
    const before = lib.snapshotEngineKernelCounts();
    const profile = await tf.profile(() => tf.grad((v: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, classifier.forward(v as tf.Tensor4D, false)))(x));
    const names = new Set(profile.kernels.map((k) => k.name));
    for (const k of ['FusedBatchNorm', 'ClipByValue', 'Relu', 'PadV2', 'Slice', 'Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter']) expect(names.has(k), k).toBe(false);
    expect(lib.engineKernelCountsSince(before).EngineConvActivation).toEqual({ engine: 52, fallback: 0 });
    tf.dispose([x, y, profile.result as tf.Tensor]);
    classifier.dispose();
    model.dispose();
  });
});
