// The article's network on tfjs-core alone: Conv2D 32 3x3 ReLU, MaxPool 2, Flatten, Dense 128 ReLU,
// Dense 10 (logits). Weights are Glorot-uniform (as Keras initialises them), biases zero. Also the same
// network as a tfjs-layers Sequential with stable layer names (seedCnnToLayersModel), for the Layers format.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { conv2dBiasReluPool } from '../engine/conv/conv_bias_relu';
import { matMulBiasRelu } from '../engine/matmul/matmul_bias_relu';
import { AdversarialArgumentError } from '../core/validate';
import type { Classifier } from './classifier';

export type { Classifier } from './classifier';

/** A trainable variable from a fresh initial tensor, which is released (the variable holds its data). */
function variableOf(initial: tf.Tensor, name: string): tf.Variable {
  const v = tf.variable(initial, true, name);
  initial.dispose();
  return v;
}

function glorot(shape: number[], fanIn: number, fanOut: number, seed: number, name: string): tf.Variable {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return variableOf(tf.randomUniform(shape, -limit, limit, 'float32', seed), name);
}

/** Options of `seedCnn`. */
export interface SeedCnnOptions {
  /** Seed of the Glorot-uniform initial weights (default 0); unused where `weights` is given. */
  seed?: number;
  /** Image shape [height, width, channels] (default [28, 28, 1]). */
  inputShape?: [number, number, number];
  /** Classes, the number of logits (default 10). */
  numClasses?: number;
  /**
   * Initial values, in the order of `variables`: conv kernel [3, 3, c, 32], conv bias [32], dense kernel
   * [pooled, 128], dense bias [128], logits kernel [128, numClasses], logits bias [numClasses] (pooled =
   * floor((h - 2) / 2) * floor((w - 2) / 2) * 32). The variables start from copies; the tensors stay the
   * caller's.
   */
  weights?: tf.Tensor[];
}

/**
 * Builds the seed CNN (the article's network) for 28x28x1 images and 10 classes (or `inputShape` and `numClasses`), from
 * Glorot-uniform weights drawn from `seed`, or from `weights`.
 *
 * @example
 * const model = seedCnn({seed: 0});
 * const logits = model.forward(images);  // [batch, 10]
 * const copy = seedCnn({weights: model.variables});  // same logits, its own variables
 * model.dispose();  // its six variables; `copy` keeps working
 */
export function seedCnn(options: SeedCnnOptions = {}): Classifier {
  const seed = options.seed ?? 0;
  const [h, w, c] = options.inputShape ?? [28, 28, 1];
  const numClasses = options.numClasses ?? 10;
  const pooled = Math.floor((h - 2) / 2) * Math.floor((w - 2) / 2) * 32;
  const uid = Math.random().toString(36).slice(2, 8);
  const shapes = [[3, 3, c, 32], [32], [pooled, 128], [128], [128, numClasses], [numClasses]];
  const given = options.weights;
  if (given !== undefined) checkWeights(given, shapes);
  const names = ['conv_kernel', 'conv_bias', 'dense_kernel', 'dense_bias', 'logits_kernel', 'logits_bias'].map((n) => `seed_cnn_${uid}/${n}`);
  // tf.variable shares the tensor's (immutable) data until the first assign: a copy, no GPU work.
  const fromGiven = (i: number) => tf.variable(given![i], true, names[i]);
  const conv = given ? fromGiven(0) : glorot(shapes[0], 9 * c, 9 * 32, seed, names[0]);
  const convBias = given ? fromGiven(1) : variableOf(tf.zeros([32]), names[1]);
  const dense = given ? fromGiven(2) : glorot(shapes[2], pooled, 128, seed + 1, names[2]);
  const denseBias = given ? fromGiven(3) : variableOf(tf.zeros([128]), names[3]);
  const out = given ? fromGiven(4) : glorot(shapes[4], 128, numClasses, seed + 2, names[4]);
  const outBias = given ? fromGiven(5) : variableOf(tf.zeros([numClasses]), names[5]);
  const variables = [conv, convBias, dense, denseBias, out, outBias];
  let disposed = false;
  const model: Classifier = {
    architecture: 'seed-cnn',
    description: `seed-cnn: Conv2D 32 3x3 ReLU, MaxPool 2, Flatten, Dense 128 ReLU, Dense ${numClasses} (logits)`,
    numClasses,
    inputShape: [h, w, c],
    variables,
    stateVariables: [],
    forward: (x) =>
      tf.tidy(() => {
        // One op for conv + bias + ReLU + max pooling (one conv kernel and one pool kernel forward; one pool
        // gradient with the ReLU's mask in it, then gradients only where needed; tfjs's fused.conv2d and
        // maxPool where the engine is off); the dense layer's matmul + bias + ReLU likewise.
        const features = conv2dBiasReluPool(x, conv as tf.Tensor4D, convBias as tf.Tensor1D, 2, 1, 'valid');
        const flat = tf.reshape(features, [x.shape[0], pooled]);
        const hidden = matMulBiasRelu(flat as tf.Tensor2D, dense as tf.Tensor2D, denseBias as tf.Tensor1D);
        return tf.fused.matMul({ a: hidden, b: out as tf.Tensor2D, bias: outBias }) as tf.Tensor2D;
      }),
    layersModel: () => {
      const layers = seedCnnToLayersModel(model);
      return { model: layers, release: () => layers.dispose() };
    },
    dispose: () => {
      if (disposed) return;
      disposed = true;
      disposeVariables(variables);
    },
  };
  return model;
}

/** Disposes those of `variables` that are not disposed yet (a second dispose would miscount tfjs's tensors). */
function disposeVariables(variables: tf.Variable[]): void {
  for (const v of variables) if (!v.isDisposed) v.dispose();
}

/** Layer names of the seed CNN in the Layers format; its weights are `<layer>/kernel` and `<layer>/bias`. */
const SEED_LAYER_NAMES = ['conv2d', 'max_pooling2d', 'flatten', 'dense', 'logits'] as const;

/**
 * The seed CNN (`seedCnn`) as a tfjs-layers Sequential: conv2d (32 3x3, ReLU, valid) → max_pooling2d (2, 2)
 * → flatten → dense (128, ReLU) → logits (numClasses, linear), its weights set to the classifier's current
 * values (a snapshot: later training of either leaves the other as it is).
 *
 * @example
 * const model = seedCnn({seed: 0});
 * const layersModel = seedCnnToLayersModel(model);
 * layersModel.predict(images);  // the same logits as model.forward(images), to float32 rounding
 */
export function seedCnnToLayersModel(model: Classifier): tfl.LayersModel {
  const op = 'seedCnnToLayersModel';
  if (model?.architecture !== 'seed-cnn') {
    throw new AdversarialArgumentError(op, 'model', `must be a seedCnn classifier (architecture 'seed-cnn'), got architecture ${JSON.stringify(model?.architecture)}`);
  }
  const [conv, name1, name2, dense, logits] = SEED_LAYER_NAMES;
  const init = { kernelInitializer: 'glorotUniform', biasInitializer: 'zeros' } as const;
  const sequential = tfl.sequential({
    name: 'seed_cnn',
    layers: [
      tfl.layers.conv2d({ name: conv, filters: 32, kernelSize: 3, strides: 1, padding: 'valid', activation: 'relu', inputShape: model.inputShape, ...init }),
      tfl.layers.maxPooling2d({ name: name1, poolSize: 2, strides: 2, padding: 'valid' }),
      tfl.layers.flatten({ name: name2 }),
      tfl.layers.dense({ name: dense, units: 128, activation: 'relu', ...init }),
      tfl.layers.dense({ name: logits, units: model.numClasses, activation: 'linear', ...init }),
    ],
  });
  try {
    // Checks every shape; the layers' variables then share the classifier's (immutable) tensor data.
    sequential.setWeights(model.variables);
  } catch (error) {
    sequential.dispose();
    throw new AdversarialArgumentError(op, 'model', `has variables that do not fit the seed CNN: ${(error as Error).message}`);
  }
  return sequential;
}

function checkWeights(weights: unknown, shapes: number[][]): asserts weights is tf.Tensor[] {
  const op = 'seedCnn';
  if (!Array.isArray(weights) || weights.length !== shapes.length) {
    throw new AdversarialArgumentError(op, 'options.weights', `must be an array of ${shapes.length} tensors, got ${Array.isArray(weights) ? `${weights.length} entries` : typeof weights}`);
  }
  weights.forEach((t, i) => {
    if (!(t instanceof tf.Tensor)) throw new AdversarialArgumentError(op, 'options.weights', `entry ${i} must be a tf.Tensor`);
    if (t.isDisposed) throw new AdversarialArgumentError(op, 'options.weights', `entry ${i} is disposed`);
    if (t.dtype !== 'float32') throw new AdversarialArgumentError(op, 'options.weights', `entry ${i} must have dtype float32, got ${t.dtype}`);
    if (!tf.util.arraysEqual(t.shape, shapes[i])) {
      throw new AdversarialArgumentError(op, 'options.weights', `entry ${i} has shape [${t.shape}], expected [${shapes[i]}]`);
    }
  });
}
