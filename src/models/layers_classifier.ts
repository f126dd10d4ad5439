// Users' own `tf.LayersModel`s as models this library trains and attacks: a `Classifier` from any
// single-input image classifier, its logits taken before a softmax head where it has one (layers_head.ts),
// layers frozen for transfer learning on request; the seed CNN's exact topology comes back as `seedCnn`,
// this library's own forward pass.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { AdversarialArgumentError } from '../core/validate';
import type { Classifier } from './classifier';
import { freezeLayersBefore } from './freeze';
import { applyWithoutSoftmax, isLayersModel, softmaxHead, withoutSoftmax } from './layers_head';
import { planInference } from './inference_plan';
import { seedCnn } from './seed_cnn';
import { lazyConvGradients } from './lazy_conv_gradients';

type ConfigDict = Record<string, unknown>;
type Layer = tfl.SymbolicTensor['sourceLayer'];

function sameArray(value: unknown, expected: number[]): boolean {
  return Array.isArray(value) && tf.util.arraysEqual(value, expected);
}

/** The seed CNN's weights where `model` is exactly its topology (a chain of its five layers), else null. */
function seedCnnWeights(model: tfl.LayersModel, inputShape: [number, number, number], numClasses: number): tf.Tensor[] | null {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const classes = ['Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'Dense'];
  if (layers.length !== classes.length || layers.some((l, i) => l.getClassName() !== classes[i])) return null;
  // A chain: each layer used once, fed by the one before it.
  for (let i = 0; i < layers.length; i++) {
    if (layers[i].inboundNodes.length !== 1) return null;
    const inbound = layers[i].inboundNodes[0].inboundLayers;
    if (inbound.length !== 1) return null;
    if (i > 0 ? inbound[0] !== layers[i - 1] : inbound[0].getClassName() !== 'InputLayer') return null;
  }
  const [conv, pool, flatten, dense, logits] = layers.map((l) => l.getConfig() as ConfigDict);
  const floatLayer = (c: ConfigDict) => c.dtype == null || c.dtype === 'float32';
  const ok =
    conv.filters === 32 &&
    sameArray(conv.kernelSize, [3, 3]) &&
    sameArray(conv.strides, [1, 1]) &&
    conv.padding === 'valid' &&
    conv.dataFormat === 'channelsLast' &&
    sameArray(conv.dilationRate, [1, 1]) &&
    conv.activation === 'relu' &&
    conv.useBias === true &&
    sameArray(pool.poolSize, [2, 2]) &&
    sameArray(pool.strides, [2, 2]) &&
    pool.padding === 'valid' &&
    pool.dataFormat === 'channelsLast' &&
    (flatten.dataFormat == null || flatten.dataFormat === 'channelsLast') &&
    dense.units === 128 &&
    dense.activation === 'relu' &&
    dense.useBias === true &&
    logits.units === numClasses &&
    logits.activation === 'linear' &&
    logits.useBias === true &&
    [conv, dense, logits].every(floatLayer);
  if (!ok) return null;
  const [h, w, c] = inputShape;
  const pooled = Math.floor((h - 2) / 2) * Math.floor((w - 2) / 2) * 32;
  const shapes = [[3, 3, c, 32], [32], [pooled, 128], [128], [128, numClasses], [numClasses]];
  const weights = model.weights;
  if (weights.length !== shapes.length || weights.some((v, i) => !v.trainable || v.dtype !== 'float32' || !sameArray(v.shape, shapes[i]))) return null;
  return weights.map((v) => v.read());
}

/** Options of `classifierFromLayersModel`. */
export interface FromLayersModelOptions {
  /** The classifier owns `model`: its `dispose()` disposes the layers model too (default false). */
  owned?: boolean;
  /**
   * Transfer learning: train only from this layer on (an index: the first N layers frozen, nested models
   * counted by their layers; or a layer's name). Frozen layers keep their weights, and a frozen
   * BatchNormalization its moving statistics (it runs in inference mode). Default: every layer trains.
   */
  trainableFrom?: number | string;
}

/** The layers of `model` in order with their main config, e.g. 'Conv2D 16 3x3 s2 same relu, BatchNormalization'. */
export function describeLayers(model: tfl.LayersModel): string {
  return model.layers
    .filter((l) => l.getClassName() !== 'InputLayer')
    .map((l) => (isLayersModel(l) ? `${l.getClassName()} [${describeLayers(l)}]` : describeLayer(l)))
    .join(', ');
}

function describeLayer(layer: Layer): string {
  const name = layer.getClassName();
  const c = layer.getConfig() as ConfigDict;
  const pair = (v: unknown) => (Array.isArray(v) ? (v.every((d) => d === v[0]) ? `${v[0]}` : v.join('x')) : `${v}`);
  const square = (v: unknown) => (Array.isArray(v) ? v.join('x') : `${v}x${v}`);
  const activation = c.activation != null && c.activation !== 'linear' ? ` ${c.activation}` : '';
  const strides = c.strides != null && pair(c.strides) !== '1' ? ` s${pair(c.strides)}` : '';
  if (c.filters != null && c.kernelSize != null) return `${name} ${c.filters} ${square(c.kernelSize)}${strides} ${c.padding}${activation}`;
  if (c.kernelSize != null) return `${name} ${square(c.kernelSize)}${strides} ${c.padding}${activation}`;
  if (c.units != null) return `${name} ${c.units}${activation}`;
  if (c.poolSize != null) {
    const poolStrides = c.strides != null && pair(c.strides) !== pair(c.poolSize) ? ` s${pair(c.strides)}` : '';
    return `${name} ${pair(c.poolSize)}${poolStrides}${c.padding === 'same' ? ' same' : ''}`;
  }
  if (name === 'Activation') return `Activation ${c.activation}`;
  if (c.rate != null) return `${name} ${c.rate}`;
  if (Array.isArray(c.targetShape)) return `${name} [${c.targetShape}]`;
  return name;
}

/**
 * A `Classifier` (what `trainModel`, `evaluateModel` and the attacks take) from a tfjs-layers model with one
 * NHWC image input and one [batch, classes] output of logits.
 *
 * A model with exactly the seed CNN's topology (as `seedCnnToLayersModel` writes it, whatever its layer
 * names) comes back as `seedCnn` with copies of its weights: this library's own forward pass,
 * bit-identical to the classifier that was saved; training it leaves `model` as it is until `layersModel()`,
 * which writes the current weights into `model` and returns it (saved, it keeps the user's topology and
 * layer names).
 *
 * Any other model is wrapped (architecture 'layers-model'): `forward(x, training)` is
 * `model.apply(x, {training})` (dropout and batch statistics, and batch normalization's moving-average
 * update, in the optimizer step's loss only; attacks and evaluation run in inference mode), `variables` are
 * the model's own trainable variables, so training updates `model`, and `stateVariables` its non-trainable
 * ones (batch normalization's moving mean and variance); `layersModel()` is `model` itself. Regularizers and
 * weight constraints of the layers are not applied by this library's trainers. A model ending in softmax
 * (a Softmax or Activation layer, or a last layer with a softmax activation, also inside a nested model)
 * gives the logits before it (layers_head.ts; `head` says so); `layersModel()` keeps the softmax.
 *
 * `dispose()` releases the classifier's own variables (a seed CNN's copies) and, with `owned: true`,
 * `model`; without it `model` stays the caller's.
 *
 * @example
 * const layersModel = tf.sequential({layers: [
 *   tf.layers.conv2d({filters: 8, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1]}),
 *   tf.layers.flatten(), tf.layers.dense({units: 10})]});  // logits: no softmax
 * const model = classifierFromLayersModel(layersModel, {owned: true});
 * await trainModel(model, engineAdam(1e-3), data, split.train, {trainer: 'fgsm-rs', epsilon: 0.1,
 *   epochs: 5, batchSize: 64, learningRate: 1e-3, seed: 0});
 * await saveClassifier(model, (name, bytes) => writeFile(`out/model/${name}`, bytes));
 * model.dispose();  // and layersModel with it
 */
export function classifierFromLayersModel(model: tfl.LayersModel, options: FromLayersModelOptions = {}): Classifier {
  const op = 'classifierFromLayersModel';
  if (!isLayersModel(model)) throw new AdversarialArgumentError(op, 'model', 'must be a tf.LayersModel');
  if (typeof options !== 'object' || options === null) throw new AdversarialArgumentError(op, 'options', `must be an object, got ${options === null ? 'null' : typeof options}`);
  if (options.owned !== undefined && typeof options.owned !== 'boolean') throw new AdversarialArgumentError(op, 'options.owned', `must be a boolean, got ${typeof options.owned}`);
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new AdversarialArgumentError(op, 'model', `must have one input and one output, has ${model.inputs.length} and ${model.outputs.length}`);
  }
  const inShape = model.inputs[0].shape;
  if (inShape.length !== 4 || inShape.slice(1).some((d) => d == null || d < 1)) {
    throw new AdversarialArgumentError(op, 'model', `must take NHWC images [batch, height, width, channels] of a fixed size, takes [${inShape.map((d) => d ?? 'null')}]`);
  }
  const outShape = model.outputs[0].shape;
  if (outShape.length !== 2 || outShape[1] == null || outShape[1] < 1) {
    throw new AdversarialArgumentError(op, 'model', `must output logits [batch, classes], outputs [${outShape.map((d) => d ?? 'null')}]`);
  }
  const head = softmaxHead(model);
  const inputShape = inShape.slice(1) as [number, number, number];
  const numClasses = outShape[1];
  const owned = options.owned === true;
  let disposed = false;
  const frozen = options.trainableFrom === undefined ? 0 : freezeLayersBefore(model, options.trainableFrom, op, 'options.trainableFrom');
  const weights = frozen === 0 ? seedCnnWeights(model, inputShape, numClasses) : null;
  if (weights) {
    const seed = seedCnn({ inputShape, numClasses, weights });
    return {
      ...seed,
      // The user's own model, its weights set to the seed CNN's current ones (setWeights checks each shape
      // and shares the variables' immutable data: later training leaves it as it is until the next call).
      layersModel: () => {
        model.setWeights(seed.variables);
        return { model, release: () => {} };
      },
      dispose: () => {
        if (disposed) return;
        disposed = true;
        seed.dispose();
        if (owned) model.dispose();
      },
    };
  }
  // Under a gradient, bias-free linear convolutions compute only the gradients asked for (an attack's: the input's).
  lazyConvGradients(model);
  // Inference (attacks, evaluation): batch normalisations folded into the convolutions, fused activations.
  const plan = planInference(model);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  if (variables.length === 0) throw new AdversarialArgumentError(op, 'model', 'has no trainable weights');
  return {
    architecture: 'layers-model',
    description: `layers-model: ${describeLayers(model)}${frozen > 0 ? `; the first ${frozen} layers frozen` : ''}`,
    ...(head ? { head: head.head } : {}),
    numClasses,
    inputShape,
    variables,
    stateVariables: model.nonTrainableWeights.map((w) => w.read() as tf.Variable),
    forward: (x, training = false) =>
      tf.tidy(() => {
        if (!training && plan) return (head ? withoutSoftmax(head, () => plan.run(x)) : plan.run(x)) as tf.Tensor2D;
        if (head) return applyWithoutSoftmax(model, head, x, training) as tf.Tensor2D;
        const y = model.apply(x, { training });
        return (Array.isArray(y) ? y[0] : y) as tf.Tensor2D;
      }),
    layersModel: () => ({ model, release: () => {} }),
    dispose: () => {
      if (disposed) return;
      disposed = true;
      if (owned) model.dispose();
    },
  };
}

