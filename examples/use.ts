import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initWebGPU, ensureGradients, loadEmbeddedDigits, fgsmStep, pgdStep, randomStart } from 'tfjs-adversarial';

const { adapter } = await initWebGPU(); // browser: navigator.gpu; Node: Dawn, SwiftShader found by itself
await ensureGradients(); // tfjs-core registers no gradients by itself
console.log(adapter.vendor, adapter.architecture, adapter.software ? 'software' : 'hardware');

// A model (logits, no softmax) and 64 of the embedded digits, images in [0, 1], labels one-hot.
const model = tfl.sequential({
  layers: [tfl.layers.flatten({ inputShape: [28, 28, 1] }), tfl.layers.dense({ units: 64, activation: 'relu' }), tfl.layers.dense({ units: 10 })],
});
const digits = await loadEmbeddedDigits(); // Node; in a page: loadEmbeddedDigits(packageUrl)
const images = tf.tensor4d(Float32Array.from(digits.images.subarray(0, 64 * 784), (v) => v / 255), [64, 28, 28, 1]);
const labels = tf.oneHot(tf.tensor1d(digits.labels.subarray(0, 64), 'int32'), 10);

// The gradient of the loss with respect to the images.
const lossGrad = tf.grad((x: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, model.predict(x) as tf.Tensor));

// FGSM: x' = clip(x + eps * sign(grad_x loss), 0, 1), one fused pass
const grad = lossGrad(images);
const adversarial = fgsmStep(images, grad, { epsilon: 0.1 });

// PGD: random start, then steps projected onto the eps-ball around the clean images and clipped
let xAdv = randomStart(images, { epsilon: 0.1, seed: 7 });
for (let i = 0; i < 20; i++) {
  const g = lossGrad(xAdv);
  const next = pgdStep(xAdv, images, g, { stepSize: 0.0125, epsilon: 0.1 });
  tf.dispose([xAdv, g]);
  xAdv = next;
}

const moved = async (a: tf.Tensor) => {
  const largest = tf.tidy(() => tf.max(tf.abs(tf.sub(a, images))));
  const [value] = await largest.data(); // read back asynchronously: WebGPU has no fast synchronous read
  largest.dispose();
  return value;
};
console.log(`FGSM moved the images by at most ${(await moved(adversarial)).toFixed(3)}, PGD-20 by ${(await moved(xAdv)).toFixed(3)} (eps 0.1)`);
tf.dispose([images, labels, grad, adversarial, xAdv]);
model.dispose();
