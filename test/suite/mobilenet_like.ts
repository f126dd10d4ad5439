// A MobileNetV2-like tfjs-layers model for the tests, built in the test itself (nothing can be downloaded
// here): the layers of a Keras MobileNetV2 export (Conv2D stride 2 + BatchNormalization + ReLU with max
// value 6, inverted residual blocks of 1x1 expand, ZeroPadding2D + DepthwiseConv2D stride 2 'valid' or
// stride 1 'same', BN, ReLU6, 1x1 project, Add for the residual), average and global-average pooling,
// Dropout and a softmax head, at a small input size, with seeded initialisers.
import * as tfl from '@tensorflow/tfjs-layers';

export interface MobileNetLikeOptions {
  inputSize: number;
  classes: number;
  seed?: number;
  /** How the model ends: a Dense with softmax (Keras' default), a separate Activation softmax, or logits. */
  head?: 'softmax' | 'activation' | 'logits';
  /** Width of the first convolution (default 8). */
  width?: number;
  /** Nest the base in a Sequential under a Dense head, as Teachable Machine exports it. */
  nested?: boolean;
}

/**
 * A MobileNetV2-like model on [inputSize, inputSize, 3] images: about 5k weights at width 8.
 *
 * @example
 * const model = mobileNetV2Like({ inputSize: 32, classes: 5 });
 */
export function mobileNetV2Like(o: MobileNetLikeOptions): tfl.LayersModel {
  let seed = o.seed ?? 1;
  const init = () => tfl.initializers.glorotUniform({ seed: seed++ });
  const width = o.width ?? 8;
  const bn = (name: string) => tfl.layers.batchNormalization({ name, momentum: 0.9, epsilon: 1e-3 });
  const relu6 = (name: string) => tfl.layers.reLU({ maxValue: 6, name });
  const input = tfl.input({ shape: [o.inputSize, o.inputSize, 3], name: 'image' });
  let h = tfl.layers.conv2d({ filters: width, kernelSize: 3, strides: 2, padding: 'same', useBias: false, kernelInitializer: init(), name: 'Conv1' }).apply(input) as tfl.SymbolicTensor;
  h = relu6('Conv1_relu').apply(bn('bn_Conv1').apply(h)) as tfl.SymbolicTensor;
  const block = (x: tfl.SymbolicTensor, id: number, out: number, stride: 1 | 2, expand: number): tfl.SymbolicTensor => {
    const inChannels = x.shape[3] as number;
    let y = tfl.layers.conv2d({ filters: inChannels * expand, kernelSize: 1, useBias: false, kernelInitializer: init(), name: `block_${id}_expand` }).apply(x) as tfl.SymbolicTensor;
    y = relu6(`block_${id}_expand_relu`).apply(bn(`block_${id}_expand_BN`).apply(y)) as tfl.SymbolicTensor;
    if (stride === 2) y = tfl.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: `block_${id}_pad` }).apply(y) as tfl.SymbolicTensor;
    y = tfl.layers.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: stride === 2 ? 'valid' : 'same', useBias: false, depthwiseInitializer: init(), name: `block_${id}_depthwise` }).apply(y) as tfl.SymbolicTensor;
    y = relu6(`block_${id}_depthwise_relu`).apply(bn(`block_${id}_depthwise_BN`).apply(y)) as tfl.SymbolicTensor;
    y = tfl.layers.conv2d({ filters: out, kernelSize: 1, useBias: false, kernelInitializer: init(), name: `block_${id}_project` }).apply(y) as tfl.SymbolicTensor;
    y = bn(`block_${id}_project_BN`).apply(y) as tfl.SymbolicTensor;
    return stride === 1 && inChannels === out ? (tfl.layers.add({ name: `block_${id}_add` }).apply([x, y]) as tfl.SymbolicTensor) : y;
  };
  h = block(h, 1, width, 1, 1);
  h = block(h, 2, width * 2, 2, 3);
  h = block(h, 3, width * 2, 1, 3);
  h = tfl.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same', name: 'avg_pool' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.conv2d({ filters: width * 4, kernelSize: 1, useBias: false, kernelInitializer: init(), name: 'Conv_1' }).apply(h) as tfl.SymbolicTensor;
  h = relu6('out_relu').apply(bn('Conv_1_bn').apply(h)) as tfl.SymbolicTensor;
  h = tfl.layers.globalAveragePooling2d({ name: 'global_average_pooling2d' }).apply(h) as tfl.SymbolicTensor;
  const headLayers = (x: tfl.SymbolicTensor): tfl.SymbolicTensor => {
    let y = tfl.layers.dropout({ rate: 0.2, name: 'dropout' }).apply(x) as tfl.SymbolicTensor;
    const head = o.head ?? 'softmax';
    y = tfl.layers.dense({ units: o.classes, activation: head === 'softmax' ? 'softmax' : 'linear', kernelInitializer: init(), name: 'predictions' }).apply(y) as tfl.SymbolicTensor;
    return head === 'activation' ? (tfl.layers.activation({ activation: 'softmax', name: 'probabilities' }).apply(y) as tfl.SymbolicTensor) : y;
  };
  if (!o.nested) return tfl.model({ name: 'mobilenetv2_like', inputs: input, outputs: headLayers(h) });
  const base = tfl.model({ name: 'mobilenetv2_base', inputs: input, outputs: h });
  const outer = tfl.sequential({ name: 'teachable_like' });
  outer.add(base);
  const headInput = tfl.input({ shape: [width * 4] });
  outer.add(tfl.model({ name: 'head', inputs: headInput, outputs: headLayers(headInput) }));
  return outer;
}
