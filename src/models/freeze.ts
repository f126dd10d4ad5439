// Transfer learning on a tfjs-layers model: the layers before a given one frozen (their weights left out of
// what the trainers update), as Keras users do with `layer.trainable = false` for a pretrained base under a
// new head (Teachable Machine's MobileNet). A frozen BatchNormalization runs in inference mode even in
// the training forward, with its moving statistics (as Keras does from 2.1 on); tfjs-layers would
// otherwise normalise by the batch's statistics and update the moving ones.
import type * as tfl from '@tensorflow/tfjs-layers';
import { AdversarialArgumentError } from '../core/validate';
import { isLayersModel } from './layers_head';

type Layer = tfl.SymbolicTensor['sourceLayer'];
type Call = (inputs: unknown, kwargs: Record<string, unknown>) => unknown;

/** The leaf layers of `model` in order: nested models expanded, input layers left out. */
export function leafLayers(model: tfl.LayersModel): Layer[] {
  return model.layers.filter((l) => l.getClassName() !== 'InputLayer').flatMap((l) => (isLayersModel(l) ? leafLayers(l) : [l]));
}

/**
 * Freezes the leaf layers of `model` before `trainableFrom` (an index: the first N leaves; or a layer's
 * name) and returns how many it froze. Their `trainable` becomes false, and frozen BatchNormalization layers
 * run in inference mode from then on. Refuses an index past the last layer or an unknown name, naming
 * `argument`, before changing anything.
 *
 * @example
 * freezeLayersBefore(model, 'dense_head', 'classifierFromLayersModel', 'options.trainableFrom');  // 154
 */
export function freezeLayersBefore(model: tfl.LayersModel, trainableFrom: number | string, op: string, argument: string): number {
  const leaves = leafLayers(model);
  let count: number;
  if (typeof trainableFrom === 'number') {
    if (!Number.isInteger(trainableFrom) || trainableFrom < 0 || trainableFrom >= leaves.length) {
      throw new AdversarialArgumentError(op, argument, `must be a layer index in [0, ${leaves.length - 1}] (the model has ${leaves.length} layers, nested models counted by their layers), got ${trainableFrom}`);
    }
    count = trainableFrom;
  } else if (typeof trainableFrom === 'string') {
    count = leaves.findIndex((l) => l.name === trainableFrom);
    if (count < 0) {
      const names = leaves.map((l) => l.name);
      const shown = names.length > 12 ? [...names.slice(0, 6), '...', ...names.slice(-6)] : names;
      throw new AdversarialArgumentError(op, argument, `names no layer of the model: ${JSON.stringify(trainableFrom)} (its layers: ${shown.join(', ')})`);
    }
  } else {
    throw new AdversarialArgumentError(op, argument, `must be a layer index or a layer name, got ${typeof trainableFrom}`);
  }
  for (const layer of leaves.slice(0, count)) {
    layer.trainable = false;
    if (layer.getClassName() === 'BatchNormalization') {
      const held = layer as unknown as { call: Call };
      const call = held.call.bind(layer) as Call;
      held.call = (inputs, kwargs) => call(inputs, { ...kwargs, training: false });
    }
  }
  return count;
}
