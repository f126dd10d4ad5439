// Input gradients through a Layers model's convolutions without their filter gradients. Keras' Conv2D
// with no bias and a linear activation (the convolutions before a batch normalization: all of
// MobileNetV2's and ResNet's) calls tf.fused.conv2d, which under a gradient runs through tf.customGrad and
// computes the input, filter and bias gradients together, whichever are asked for: an attack on
// MobileNetV2 paid 35 Conv2DBackpropFilter for nothing. Under a gradient such a layer here calls
// tf.conv2d, whose registered gradient computes each input's only when it is asked for. The values are
// the same: both run the same Conv2D kernel forward and the same backprop kernels. Elsewhere (no gradient
// tape, a bias, an activation, another format) the layer's own call runs.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { leafLayers } from './freeze';

/** The fields of a tfjs-layers Conv2D this reads. */
interface Conv2DLayer {
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[];
  getClassName(): string;
  kernel: { read(): tf.Tensor } | null;
  bias: unknown;
  useBias: boolean;
  activation: { getClassName(): string } | null;
  dataFormat: string;
  padding: string;
  strides: number[];
  dilationRate: number | number[];
}

const PATCHED = Symbol('lazyConvGradients');

/** Whether a gradient tape is recording (tf.grad, tf.variableGrads, an optimizer's minimize). */
const underGradient = (): boolean => (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 0;

/**
 * Makes each bias-free, linear Conv2D of `model` (nested models included) compute, under a gradient, only
 * the gradients asked for; returns how many it changed. Idempotent.
 *
 * @example
 * lazyConvGradients(mobileNet); // an attack's input gradient no longer computes the filters' gradients
 */
export function lazyConvGradients(model: tfl.LayersModel): number {
  let changed = 0;
  for (const leaf of leafLayers(model)) {
    const layer = leaf as unknown as Conv2DLayer & { [PATCHED]?: true };
    if (layer.getClassName() !== 'Conv2D' || layer[PATCHED]) continue;
    const linear = layer.activation == null || layer.activation.getClassName() === 'linear';
    if (layer.useBias || layer.bias != null || !linear || layer.dataFormat !== 'channelsLast' || (layer.padding !== 'same' && layer.padding !== 'valid')) continue;
    const own = layer.call.bind(layer);
    layer.call = (inputs, kwargs) => {
      if (!underGradient() || layer.kernel == null) return own(inputs, kwargs);
      return tf.tidy(() => {
        const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
        const dilations = (typeof layer.dilationRate === 'number' ? [layer.dilationRate, layer.dilationRate] : layer.dilationRate) as [number, number];
        return tf.conv2d(x, layer.kernel!.read() as tf.Tensor4D, layer.strides as [number, number], layer.padding as 'same' | 'valid', 'NHWC', dilations);
      });
    };
    layer[PATCHED] = true;
    changed++;
  }
  return changed;
}
