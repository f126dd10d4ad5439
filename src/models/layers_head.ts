// Softmax heads of tfjs-layers models: almost every deployed classifier ends in softmax (Keras' default,
// Teachable Machine's export, the converters' output), and the attacks and trainers need the logits
// before it. The head is found through nested models (a Sequential whose last layer is a model), and the
// logits are the model's own forward pass with that one softmax made the identity for the call: the same
// layers and variables, so training still updates the model, and the saved model keeps its softmax.
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

type Layer = tfl.SymbolicTensor['sourceLayer'];

/** A tfjs-layers model, by shape rather than `instanceof` (which fails across two copies of tfjs-layers). */
export function isLayersModel(value: unknown): value is tfl.LayersModel {
  const m = value as tfl.LayersModel;
  return typeof m === 'object' && m !== null && typeof m.apply === 'function' && typeof m.getClassName === 'function' && Array.isArray(m.inputs) && Array.isArray(m.outputs) && Array.isArray(m.layers);
}

/** The layer that computes `model`'s single output, looking into nested models. */
export function outputLayer(model: tfl.LayersModel): Layer {
  let layer = model.outputs[0].sourceLayer;
  while (isLayersModel(layer) && layer.outputs.length === 1) layer = layer.outputs[0].sourceLayer;
  return layer;
}

/** The softmax that ends a model: the layer, which of its fields applies it, and a sentence for reports. */
export interface SoftmaxHead {
  layer: Layer;
  /** The field holding the softmax: `activation` (Dense, Conv2D, Activation ... with softmax) or `softmax` (a Softmax layer). */
  field: 'activation' | 'softmax';
  head: string;
}

/** An activation that passes its input through, as tfjs-layers' 'linear' does. */
const IDENTITY = { getClassName: () => 'linear', apply: (x: tf.Tensor) => x, getConfig: () => ({}) };

/**
 * The softmax at the end of `model`, or null where its output layer applies none.
 *
 * @example
 * softmaxHead(model)?.head;  // "softmax removed: the attacks use the logits before layer 'predictions''s softmax"
 */
export function softmaxHead(model: tfl.LayersModel): SoftmaxHead | null {
  const layer = outputLayer(model);
  const config = layer.getConfig() as Record<string, unknown>;
  const held = layer as unknown as Record<string, unknown>;
  if (layer.getClassName() === 'Softmax' && typeof held.softmax === 'function') {
    return { layer, field: 'softmax', head: `softmax removed: the attacks use the logits that the Softmax layer '${layer.name}' takes` };
  }
  if (config.activation === 'softmax' && held.activation != null) {
    const what = layer.getClassName() === 'Activation' ? `the logits that the Activation layer '${layer.name}' takes` : `the logits of layer '${layer.name}' before its softmax`;
    return { layer, field: 'activation', head: `softmax removed: the attacks use ${what}` };
  }
  return null;
}

/**
 * `model.apply(x, {training})` with `head`'s softmax made the identity for the call (and put back, whatever
 * happens): the logits. Synchronous, so no other call can see the head changed.
 *
 * @example
 * const logits = applyWithoutSoftmax(model, softmaxHead(model)!, x, false);
 */
export function applyWithoutSoftmax(model: tfl.LayersModel, head: SoftmaxHead, x: tf.Tensor, training: boolean): tf.Tensor {
  return withoutSoftmax(head, () => {
    const y = model.apply(x, { training });
    return (Array.isArray(y) ? y[0] : y) as tf.Tensor;
  });
}

/**
 * `run()` with `head`'s softmax made the identity while it runs (and put back, whatever happens).
 *
 * @example
 * const logits = withoutSoftmax(head, () => plan.run(x));
 */
export function withoutSoftmax<T>(head: SoftmaxHead, run: () => T): T {
  const held = head.layer as unknown as Record<string, unknown>;
  const saved = held[head.field];
  held[head.field] = head.field === 'softmax' ? (t: tf.Tensor) => t : IDENTITY;
  try {
    return run();
  } finally {
    held[head.field] = saved;
  }
}
