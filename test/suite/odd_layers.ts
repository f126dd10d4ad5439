// The inference plan's "odd layers" model for the tests: the chains the plan must fold or leave alone in
// one Sequential: a Conv2D with its own ReLU6 and bias, a DepthwiseConv2D (stride 2, 'same', with bias) into
// a BatchNormalization without scale and centre and an Activation('relu') layer, a ZeroPadding2D before a
// 'same' Conv2D (not folded: only a 'valid' convolution takes the padding as its own), a 1x1 Conv2D into
// a BatchNormalization, global average pooling, a BatchNormalization without scale (with centre) that no
// convolution precedes, and a Dense. tfjs 4.22 cannot differentiate a BatchNormalization with scale: false
// on its own kernels (tf.batchNorm saves its undefined `scale` for the gradient and the engine's clone of
// it fails: "Cannot read properties of undefined (reading 'dataId')", tensorflow/tfjs#2868), so the stock
// reference is the same network with those layers' scale and centre explicit (gamma 1, beta 0 where the
// model has none: the same function), its weights copied from the model.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/**
 * The odd-layers model on [size, size, 3] images; `explicitBatchNorm` gives the scale-free batch
 * normalisation a scale and a centre (the stock-differentiable twin).
 *
 * @example
 * const model = oddLayersModel({ inputSize: 11, classes: 4 });
 * const twin = stockTwin(model, oddLayersModel({ inputSize: 11, classes: 4, explicitBatchNorm: true }));
 */
export function oddLayersModel(o: { inputSize: number; classes: number; explicitBatchNorm?: boolean; seed?: number }): tfl.Sequential {
  let seed = o.seed ?? 11;
  const init = () => tfl.initializers.glorotUniform({ seed: seed++ });
  const m = tfl.sequential({ name: 'odd_layers' });
  m.add(tfl.layers.conv2d({ inputShape: [o.inputSize, o.inputSize, 3], filters: 5, kernelSize: 3, activation: 'relu6', useBias: true, kernelInitializer: init() }));
  m.add(tfl.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', useBias: true, depthwiseInitializer: init() }));
  const explicit = o.explicitBatchNorm === true;
  m.add(tfl.layers.batchNormalization({ scale: explicit, center: explicit, epsilon: 1e-3 }));
  m.add(tfl.layers.activation({ activation: 'relu' }));
  m.add(tfl.layers.zeroPadding2d({ padding: [[1, 0], [0, 1]] }));
  m.add(tfl.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', kernelInitializer: init() }));
  m.add(tfl.layers.conv2d({ filters: 7, kernelSize: 1, useBias: false, kernelInitializer: init() }));
  m.add(tfl.layers.batchNormalization({ epsilon: 1e-3 }));
  m.add(tfl.layers.globalAveragePooling2d({}));
  // Scale-free and after no convolution: the plan runs it as an affine map (tf.batchNorm has no gradient without a scale).
  m.add(tfl.layers.batchNormalization({ scale: explicit, center: true, epsilon: 1e-3 }));
  m.add(tfl.layers.dense({ units: o.classes, kernelInitializer: init() }));
  return m;
}

/** One weight's role in its layer: 'kernel', 'bias', 'gamma', ... (the last part of its name, any _N suffix dropped). */
const role = (name: string) => name.split('/').pop()!.replace(/_\d+$/, '');

/**
 * `twin` (the same layers, batch normalisations with explicit scale and centre) given `model`'s weights,
 * gamma 1 and beta 0 where `model` has none; and, for each of `model`'s trainable weights (by name), the
 * twin's variable that plays its part.
 */
export function stockTwin(model: tfl.LayersModel, twin: tfl.LayersModel): { twin: tfl.LayersModel; variableOf: Map<string, tf.Variable> } {
  const variableOf = new Map<string, tf.Variable>();
  if (model.layers.length !== twin.layers.length) throw new Error('the twin has other layers');
  model.layers.forEach((layer, i) => {
    const target = twin.layers[i];
    const byRole = new Map(layer.weights.map((w) => [role(w.originalName), w]));
    const made: tf.Tensor[] = [];
    target.setWeights(
      target.weights.map((w) => {
        const own = byRole.get(role(w.originalName));
        if (own) return own.read();
        const r = role(w.originalName);
        if (r !== 'gamma' && r !== 'beta') throw new Error(`no value for ${w.originalName}`);
        made.push(r === 'gamma' ? tf.ones(w.shape as number[]) : tf.zeros(w.shape as number[]));
        return made[made.length - 1];
      }),
    );
    tf.dispose(made);
    for (const w of layer.trainableWeights) variableOf.set((w.read() as tf.Variable).name, target.trainableWeights.find((t) => role(t.originalName) === role(w.originalName))!.read() as tf.Variable);
  });
  return { twin, variableOf };
}
