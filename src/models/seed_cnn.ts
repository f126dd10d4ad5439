// The seed article's network on tfjs-core alone: Conv2D 32 3x3 ReLU, MaxPool 2, Flatten, Dense 128 ReLU,
// Dense 10 (logits). Weights are Glorot-uniform (as Keras initialises them), biases zero.
import * as tf from '@tensorflow/tfjs-core';
import { conv2dBiasRelu } from '../engine/conv_bias_relu';

/** A model as this library trains it: logits from images, and the variables to train. */
export interface Classifier {
  /** Logits [batch, numClasses] from images [batch, height, width, channels]. */
  forward(x: tf.Tensor4D): tf.Tensor2D;
  variables: tf.Variable[];
  numClasses: number;
  inputShape: [number, number, number];
}

function glorot(shape: number[], fanIn: number, fanOut: number, seed: number, name: string): tf.Variable {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return tf.variable(tf.randomUniform(shape, -limit, limit, 'float32', seed), true, name);
}

/**
 * Builds the seed's CNN for 28x28x1 images and 10 classes.
 *
 * @example
 * const model = seedCnn({seed: 0});
 * const logits = model.forward(images);  // [batch, 10]
 */
export function seedCnn(options: { seed?: number; inputShape?: [number, number, number]; numClasses?: number } = {}): Classifier {
  const seed = options.seed ?? 0;
  const [h, w, c] = options.inputShape ?? [28, 28, 1];
  const numClasses = options.numClasses ?? 10;
  const pooled = Math.floor((h - 2) / 2) * Math.floor((w - 2) / 2) * 32;
  const uid = Math.random().toString(36).slice(2, 8);
  const conv = glorot([3, 3, c, 32], 9 * c, 9 * 32, seed, `seed_cnn_${uid}/conv_kernel`);
  const convBias = tf.variable(tf.zeros([32]), true, `seed_cnn_${uid}/conv_bias`);
  const dense = glorot([pooled, 128], pooled, 128, seed + 1, `seed_cnn_${uid}/dense_kernel`);
  const denseBias = tf.variable(tf.zeros([128]), true, `seed_cnn_${uid}/dense_bias`);
  const out = glorot([128, numClasses], 128, numClasses, seed + 2, `seed_cnn_${uid}/logits_kernel`);
  const outBias = tf.variable(tf.zeros([numClasses]), true, `seed_cnn_${uid}/logits_bias`);
  return {
    numClasses,
    inputShape: [h, w, c],
    variables: [conv, convBias, dense, denseBias, out, outBias],
    forward: (x) =>
      tf.tidy(() => {
        // One engine kernel for conv + bias + ReLU, with gradients only where needed (tfjs's fused.conv2d
        // where the engine is off); bias and ReLU fused into the dense layer as tfjs-layers runs it.
        const activated = conv2dBiasRelu(x, conv as tf.Tensor4D, convBias as tf.Tensor1D, 1, 'valid');
        const features = tf.maxPool(activated, 2, 2, 'valid');
        const flat = tf.reshape(features, [x.shape[0], pooled]);
        const hidden = tf.fused.matMul({ a: flat as tf.Tensor2D, b: dense as tf.Tensor2D, bias: denseBias, activation: 'relu' });
        return tf.fused.matMul({ a: hidden, b: out as tf.Tensor2D, bias: outBias }) as tf.Tensor2D;
      }),
  };
}
