// Keras' MobileNetV2 (Sandler et al. 2018, keras.applications.MobileNetV2 at alpha 1) as a tfjs-layers
// model with seeded weights: the benchmarks' real architecture at 224x224 and a starting point for
// fine-tuning where nothing pretrained can be downloaded. The layer names are Keras' (Conv1, bn_Conv1,
// block_N_expand, ..., Conv_1, predictions), so a Keras export's weights load into it by name.
import * as tfl from '@tensorflow/tfjs-layers';

/**
 * Keras' MobileNetV2 topology at width 1 (Sandler et al. 2018: 32-channel stem, 17 inverted residual
 * blocks of expansion 6, 1280-channel head; about 2.2M weights with a 5-class Dense softmax head), with
 * seeded weights, for the benchmarks and figures at 224x224 (nothing pretrained can be downloaded here).
 *
 * @example
 * const model = mobileNetV2({ inputSize: 224, classes: 5 });
 */
export function mobileNetV2(o: { inputSize: number; classes: number; seed?: number }): tfl.LayersModel {
  let seed = o.seed ?? 1;
  const init = () => tfl.initializers.heNormal({ seed: seed++ });
  const bn = (name: string) => tfl.layers.batchNormalization({ name, momentum: 0.999, epsilon: 1e-3 });
  const relu6 = (name: string) => tfl.layers.reLU({ maxValue: 6, name });
  const apply = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]) => layer.apply(x) as tfl.SymbolicTensor;
  const input = tfl.input({ shape: [o.inputSize, o.inputSize, 3], name: 'input_1' });
  let h = apply(tfl.layers.conv2d({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', useBias: false, kernelInitializer: init(), name: 'Conv1' }), input);
  h = apply(relu6('Conv1_relu'), apply(bn('bn_Conv1'), h));
  let id = 0;
  const settings: [number, number, number, number][] = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];
  for (const [t, c, n, s] of settings) {
    for (let i = 0; i < n; i++) {
      const stride = i === 0 ? s : 1;
      const inChannels = h.shape[3] as number;
      const prefix = id === 0 ? 'expanded_conv' : `block_${id}`;
      let y = h;
      if (t !== 1) y = apply(relu6(`${prefix}_expand_relu`), apply(bn(`${prefix}_expand_BN`), apply(tfl.layers.conv2d({ filters: inChannels * t, kernelSize: 1, useBias: false, kernelInitializer: init(), name: `${prefix}_expand` }), y)));
      if (stride === 2) y = apply(tfl.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: `${prefix}_pad` }), y);
      y = apply(tfl.layers.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: stride === 2 ? 'valid' : 'same', useBias: false, depthwiseInitializer: init(), name: `${prefix}_depthwise` }), y);
      y = apply(relu6(`${prefix}_depthwise_relu`), apply(bn(`${prefix}_depthwise_BN`), y));
      y = apply(bn(`${prefix}_project_BN`), apply(tfl.layers.conv2d({ filters: c, kernelSize: 1, useBias: false, kernelInitializer: init(), name: `${prefix}_project` }), y));
      h = stride === 1 && inChannels === c ? apply(tfl.layers.add({ name: `${prefix}_add` }), [h, y]) : y;
      id++;
    }
  }
  h = apply(relu6('out_relu'), apply(bn('Conv_1_bn'), apply(tfl.layers.conv2d({ filters: 1280, kernelSize: 1, useBias: false, kernelInitializer: init(), name: 'Conv_1' }), h)));
  h = apply(tfl.layers.globalAveragePooling2d({ name: 'global_average_pooling2d' }), h);
  h = apply(tfl.layers.dropout({ rate: 0.2, name: 'dropout' }), h);
  const out = apply(tfl.layers.dense({ units: o.classes, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed++ }), name: 'predictions' }), h);
  return tfl.model({ name: 'mobilenetv2_1.00_224', inputs: input, outputs: out });
}
