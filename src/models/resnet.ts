// He et al.'s CIFAR ResNet ("Deep Residual Learning for Image Recognition", section 4.2), ResNet-20 by
// default: depth 6n+2, a 3x3 conv 16 + BN + ReLU stem, three stages of n basic blocks (3x3 conv, BN, ReLU,
// 3x3 conv, BN, add, ReLU) at widths 16, 32 and 64 (times `width`), stride 2 at the first block of stages 2
// and 3 with a 1x1 conv + BN projection shortcut where the shape changes, global average pooling and Dense
// logits. A tfjs-layers functional model with seeded He-normal kernels, trained through
// classifierFromLayersModel (tfjs-layers' own forward pass; batch normalization's moving statistics as
// stateVariables).
import * as tfl from '@tensorflow/tfjs-layers';
import { AdversarialArgumentError } from '../core/validate';
import type { Classifier } from './classifier';
import { classifierFromLayersModel, describeLayers } from './layers_classifier';

/** Options of `cifarResNet`. */
export interface CifarResNetOptions {
  /** Seed of the He-normal initial kernels (default 0; the i-th kernel in build order draws from seed + i). */
  seed?: number;
  /** Image shape [height, width, channels] (default [32, 32, 3]). */
  inputShape?: [number, number, number];
  /** Classes, the number of logits (default 10). */
  numClasses?: number;
  /** Depth 6n+2: 20, 32, 44, 56, 110, ... (default 20, n = 3 blocks per stage). */
  depth?: number;
  /** Width multiplier of the stages' 16, 32 and 64 filters (default 1; a positive integer). */
  width?: number;
}

type SymbolicTensor = tfl.SymbolicTensor;

/**
 * Builds He et al.'s CIFAR ResNet (ResNet-20 by default: 0.27M weights at 10 classes) for 32x32x3 images
 * and 10 classes (or `inputShape` and `numClasses`): a tfjs-layers functional model (layers `conv1`, `bn1`,
 * `relu1`, then `s{stage}b{block}_conv1|bn1|relu1|conv2|bn2|add|relu`, `s{stage}b{block}_proj|proj_bn` for
 * the projection shortcuts, `pool`, `logits`) that the classifier owns. Its `layersModel()` is that model;
 * `dispose()` disposes it. A depth that is not 6n+2 is refused naming `depth`.
 *
 * @example
 * const model = cifarResNet({seed: 0});            // ResNet-20, [b, 32, 32, 3] -> [b, 10] logits
 * const logits = model.forward(images);
 * await trainModel(model, engineAdam(1e-3), data, split.train, {trainer: 'fgsm-rs', epsilon: 8 / 255,
 *   epochs: 10, batchSize: 128, learningRate: 1e-3, seed: 0});
 * model.dispose();
 */
export function cifarResNet(options: CifarResNetOptions = {}): Classifier {
  const op = 'cifarResNet';
  if (typeof options !== 'object' || options === null) throw new AdversarialArgumentError(op, 'options', `must be an object, got ${options === null ? 'null' : typeof options}`);
  const seed = options.seed ?? 0;
  const inputShape = options.inputShape ?? [32, 32, 3];
  const numClasses = options.numClasses ?? 10;
  const depth = options.depth ?? 20;
  const width = options.width ?? 1;
  if (!Number.isInteger(seed)) throw new AdversarialArgumentError(op, 'seed', `must be an integer, got ${seed}`);
  if (!Array.isArray(inputShape) || inputShape.length !== 3 || inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new AdversarialArgumentError(op, 'inputShape', `must be [height, width, channels] of positive integers, got ${JSON.stringify(inputShape)}`);
  }
  if (!Number.isInteger(numClasses) || numClasses < 2) throw new AdversarialArgumentError(op, 'numClasses', `must be an integer >= 2, got ${numClasses}`);
  if (!Number.isInteger(depth) || depth < 8 || (depth - 2) % 6 !== 0) {
    throw new AdversarialArgumentError(op, 'depth', `must be 6n+2 for a positive integer n (20, 32, 44, 56, 110, ...), got ${depth}`);
  }
  if (!Number.isInteger(width) || width < 1) throw new AdversarialArgumentError(op, 'width', `must be a positive integer, got ${width}`);
  const n = (depth - 2) / 6;

  let kernels = 0;
  const he = () => tfl.initializers.heNormal({ seed: seed + kernels++ });
  const conv = (name: string, filters: number, kernelSize: number, strides: number) =>
    tfl.layers.conv2d({ name, filters, kernelSize, strides, padding: 'same', useBias: false, kernelInitializer: he() });
  const bn = (name: string) => tfl.layers.batchNormalization({ name, momentum: 0.9, epsilon: 1e-5 });
  const relu = (name: string) => tfl.layers.activation({ name, activation: 'relu' });
  const apply = (layer: tfl.layers.Layer, x: SymbolicTensor | SymbolicTensor[]) => layer.apply(x) as SymbolicTensor;

  const input = tfl.input({ name: 'images', shape: inputShape });
  let x = apply(relu('relu1'), apply(bn('bn1'), apply(conv('conv1', 16 * width, 3, 1), input)));
  let channels = 16 * width;
  for (let stage = 1; stage <= 3; stage++) {
    const filters = 16 * width * 2 ** (stage - 1);
    for (let block = 1; block <= n; block++) {
      const name = `s${stage}b${block}`;
      const strides = stage > 1 && block === 1 ? 2 : 1;
      let y = apply(relu(`${name}_relu1`), apply(bn(`${name}_bn1`), apply(conv(`${name}_conv1`, filters, 3, strides), x)));
      y = apply(bn(`${name}_bn2`), apply(conv(`${name}_conv2`, filters, 3, 1), y));
      const shortcut = strides !== 1 || channels !== filters ? apply(bn(`${name}_proj_bn`), apply(conv(`${name}_proj`, filters, 1, strides), x)) : x;
      x = apply(relu(`${name}_relu`), apply(tfl.layers.add({ name: `${name}_add` }), [y, shortcut]));
      channels = filters;
    }
  }
  x = apply(tfl.layers.globalAveragePooling2d({ name: 'pool' }), x);
  const logits = apply(tfl.layers.dense({ name: 'logits', units: numClasses, activation: 'linear', kernelInitializer: he(), biasInitializer: 'zeros' }), x);
  const layers = tfl.model({ name: `resnet_${depth}`, inputs: input, outputs: logits });
  const model = classifierFromLayersModel(layers, { owned: true });
  const id = `resnet-${depth}`;
  return { ...model, architecture: id, description: `${id}${width !== 1 ? ` x${width}` : ''}: ${describeLayers(layers)}` };
}
