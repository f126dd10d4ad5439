// The models of the real-architecture benchmark (bench/real_models.ts), each twice with the same weights:
//   ours   the library's classifier (seedCnn, cifarResNet, classifierFromLayersModel over Keras'
//          MobileNetV2, the bench-local PreAct-ResNet-18): the engine's kernels, lazy conv gradients
//   stock  the same network as plain tfjs: a copy of the Layers model (from its JSON and weights) whose
//          forward is `model.apply`, run with the engine switched off (tfjs-webgpu's kernels and gradients);
//          the seed CNN's stock is a second seedCnn of the same seed, as the seed-CNN step benchmark has it
// and the forward pass's FLOPs per image, counted from the layers (multiply-adds x 2 of every Conv2D,
// DepthwiseConv2D and Dense; batch normalization, activations, pooling and adds not counted).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as lib from '../../dist/index.js';
import type { Classifier } from '../../dist/index.js';
import { preactResNet18 } from './preact_resnet';

export const REAL_MODEL_IDS = ['seed-cnn', 'resnet-20', 'preact-resnet-18', 'mobilenet-v2'] as const;
export type RealModelId = (typeof REAL_MODEL_IDS)[number];

/** One model of the table at one image size and batch. */
export interface RealModelSpec {
  model: RealModelId;
  /** Image side (seed CNN 28, the CIFAR ResNets 32, MobileNetV2 e.g. 224). */
  size: number;
  batch: number;
}

export interface RealModelPair {
  spec: RealModelSpec;
  /** e.g. 'MobileNetV2 224x224x3, 5 classes (Keras layout, lib.mobileNetV2)'. */
  title: string;
  classes: number;
  channels: number;
  ours: Classifier;
  stock: Classifier;
  /** Forward-pass FLOPs of one image (multiply-adds x 2 of the conv, depthwise and dense layers). */
  forwardFlops: number;
  parameters: number;
  dispose(): void;
}

/** Each model's classes and channels, its default image side, and its description. */
export const REAL_MODELS: Record<RealModelId, { classes: number; channels: number; size: number; fixedSize: boolean; title: (size: number) => string }> = {
  'seed-cnn': { classes: 10, channels: 1, size: 28, fixedSize: true, title: () => 'seed CNN 28x28x1, 10 classes (lib.seedCnn)' },
  'resnet-20': { classes: 10, channels: 3, size: 32, fixedSize: false, title: (s) => `ResNet-20 ${s}x${s}x3, 10 classes (lib.cifarResNet)` },
  'preact-resnet-18': { classes: 10, channels: 3, size: 32, fixedSize: false, title: (s) => `PreAct-ResNet-18 ${s}x${s}x3, 10 classes (bench/real/preact_resnet.ts)` },
  'mobilenet-v2': { classes: 5, channels: 3, size: 224, fixedSize: false, title: (s) => `MobileNetV2 ${s}x${s}x3, 5 classes (Keras layout, lib.mobileNetV2)` },
};

/** Every leaf layer of a Layers model, nested models opened. */
function leafLayers(model: tfl.LayersModel): tfl.layers.Layer[] {
  return model.layers.flatMap((l) => ((l as unknown as tfl.LayersModel).layers ? leafLayers(l as unknown as tfl.LayersModel) : [l]));
}

/**
 * Forward FLOPs of one image: 2 x the multiply-adds of each Conv2D (out h x out w x kh x kw x cin x cout),
 * DepthwiseConv2D (out h x out w x kh x kw x cin x multiplier) and Dense (in x units) layer.
 *
 * @example
 * forwardFlops(lib.mobileNetV2({ inputSize: 224, classes: 5 })); // ~0.6e9 (300M multiply-adds)
 */
export function forwardFlops(model: tfl.LayersModel): number {
  let flops = 0;
  for (const layer of leafLayers(model)) {
    const name = layer.getClassName();
    if (name !== 'Conv2D' && name !== 'DepthwiseConv2D' && name !== 'Dense') continue;
    const kernel = layer.getWeights()[0].shape;
    const out = (Array.isArray(layer.outputShape[0]) ? layer.outputShape[0] : layer.outputShape) as (number | null)[];
    const positions = name === 'Dense' ? 1 : (out[1] ?? 0) * (out[2] ?? 0);
    flops += 2 * positions * kernel.reduce((a, b) => a * b, 1);
  }
  return flops;
}

/** Whether the model's last layer ends in a softmax (Keras' MobileNetV2 does). */
function endsInSoftmax(model: tfl.LayersModel): boolean {
  const last = leafLayers(model).at(-1)!;
  const config = last.getConfig() as { activation?: string };
  return last.getClassName() === 'Softmax' || config.activation === 'softmax';
}

/**
 * The stock side: a copy of `model` (its JSON topology and current weights) as a plain Classifier whose
 * forward is tfjs-layers' own `apply` (log of the probabilities where the model ends in softmax: logits up
 * to a constant per row, the same cross-entropy and gradients).
 */
export async function plainClassifier(model: tfl.LayersModel, description: string): Promise<Classifier> {
  const copy = await tfl.models.modelFromJSON({ modelTopology: model.toJSON(null, false) as tf.io.ModelJSON['modelTopology'] });
  copy.setWeights(model.getWeights());
  const softmax = endsInSoftmax(copy);
  const shape = copy.inputs[0].shape.slice(1) as [number, number, number];
  const classes = copy.outputs[0].shape[1]!;
  return {
    architecture: 'plain-tfjs-layers',
    description,
    numClasses: classes,
    inputShape: shape,
    variables: copy.trainableWeights.map((w) => w.read() as tf.Variable),
    stateVariables: copy.nonTrainableWeights.map((w) => w.read() as tf.Variable),
    forward: (x, training = false) =>
      tf.tidy(() => {
        const y = copy.apply(x, { training }) as tf.Tensor2D;
        return softmax ? tf.log(y) : y;
      }),
    layersModel: () => ({ model: copy, release: () => {} }),
    dispose: () => copy.dispose(),
  };
}

/** Builds one model of the table, ours and stock with the same weights. */
export async function buildRealModel(spec: RealModelSpec): Promise<RealModelPair> {
  const info = REAL_MODELS[spec.model];
  if (info.fixedSize && spec.size !== info.size) throw new Error(`${spec.model} takes ${info.size}x${info.size} images, got --size ${spec.size}`);
  const shape: [number, number, number] = [spec.size, spec.size, info.channels];
  let ours: Classifier;
  let stock: Classifier;
  if (spec.model === 'seed-cnn') {
    ours = lib.seedCnn({ seed: 1 });
    stock = lib.seedCnn({ seed: 1 });
  } else {
    ours =
      spec.model === 'resnet-20'
        ? lib.cifarResNet({ seed: 0, inputShape: shape, numClasses: info.classes })
        : spec.model === 'preact-resnet-18'
          ? lib.classifierFromLayersModel(preactResNet18({ inputShape: shape, classes: info.classes, seed: 0 }), { owned: true })
          : lib.classifierFromLayersModel(lib.mobileNetV2({ inputSize: spec.size, classes: info.classes }), { owned: true });
    const held = ours.layersModel();
    try {
      stock = await plainClassifier(held.model, `plain tfjs-layers copy of ${ours.architecture}`);
    } finally {
      held.release();
    }
  }
  const held = ours.layersModel();
  let flops: number;
  try {
    flops = forwardFlops(held.model);
  } finally {
    held.release();
  }
  return {
    spec,
    title: info.title(spec.size),
    classes: info.classes,
    channels: info.channels,
    ours,
    stock,
    forwardFlops: flops,
    parameters: ours.variables.reduce((a, v) => a + v.size, 0),
    dispose: () => {
      ours.dispose();
      stock.dispose();
    },
  };
}
