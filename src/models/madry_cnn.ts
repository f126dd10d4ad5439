// The MNIST-challenge network of Madry et al. ("Towards Deep Learning Models Resistant to Adversarial
// Attacks"): conv 32 5x5 same ReLU, max-pool 2, conv 64 5x5 same ReLU, max-pool 2, flatten, dense 1024 ReLU,
// dense numClasses (logits). A tfjs-layers Sequential with seeded Glorot-uniform kernels and zero biases,
// trained through classifierFromLayersModel (tfjs-layers' own forward pass).
import * as tfl from '@tensorflow/tfjs-layers';
import type { Classifier } from './classifier';
import { classifierFromLayersModel, describeLayers } from './layers_classifier';

/** Options of `madryCnn`. */
export interface MadryCnnOptions {
  /** Seed of the Glorot-uniform initial kernels (default 0; layer i's kernel draws from seed + i). */
  seed?: number;
  /** Image shape [height, width, channels] (default [28, 28, 1]). */
  inputShape?: [number, number, number];
  /** Classes, the number of logits (default 10). */
  numClasses?: number;
}

/**
 * Builds the Madry et al. MNIST-challenge CNN for 28x28x1 images and 10 classes (or `inputShape` and
 * `numClasses`): a tfjs-layers Sequential (layers conv1, pool1, conv2, pool2, flatten, fc1, logits) that
 * the classifier owns. Its `layersModel()` is that Sequential; `dispose()` disposes it.
 *
 * @example
 * const model = madryCnn({seed: 0});
 * const logits = model.forward(images);  // [batch, 10]
 * await trainModel(model, engineAdam(1e-4), data, split.train, {trainer: 'pgd', epsilon: 0.3,
 *   epochs: 10, batchSize: 50, learningRate: 1e-4, seed: 0});
 * model.dispose();
 */
export function madryCnn(options: MadryCnnOptions = {}): Classifier {
  const seed = options.seed ?? 0;
  const inputShape = options.inputShape ?? [28, 28, 1];
  const numClasses = options.numClasses ?? 10;
  const init = (i: number) => ({ kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + i }), biasInitializer: 'zeros' as const });
  const layers = tfl.sequential({
    name: 'madry_cnn',
    layers: [
      tfl.layers.conv2d({ name: 'conv1', filters: 32, kernelSize: 5, padding: 'same', activation: 'relu', inputShape, ...init(0) }),
      tfl.layers.maxPooling2d({ name: 'pool1', poolSize: 2, strides: 2, padding: 'same' }),
      tfl.layers.conv2d({ name: 'conv2', filters: 64, kernelSize: 5, padding: 'same', activation: 'relu', ...init(1) }),
      tfl.layers.maxPooling2d({ name: 'pool2', poolSize: 2, strides: 2, padding: 'same' }),
      tfl.layers.flatten({ name: 'flatten' }),
      tfl.layers.dense({ name: 'fc1', units: 1024, activation: 'relu', ...init(2) }),
      tfl.layers.dense({ name: 'logits', units: numClasses, activation: 'linear', ...init(3) }),
    ],
  });
  const model = classifierFromLayersModel(layers, { owned: true });
  return { ...model, architecture: 'madry-cnn', description: `madry-cnn: ${describeLayers(layers)}` };
}
