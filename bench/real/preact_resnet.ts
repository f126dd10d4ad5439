// PreAct-ResNet-18 (He et al. 2016, "Identity Mappings in Deep Residual Networks"), as adversarial-training
// papers train it on CIFAR-10 (Rice et al. 2020, Wong et al. 2020): a 3x3 conv 64 stem, four stages of two
// pre-activation blocks at widths 64, 128, 256, 512 (stride 2 at the first block of stages 2-4), each block
// BN, ReLU, [1x1 conv projection shortcut from the activated input where the shape changes], 3x3 conv, BN,
// ReLU, 3x3 conv, add; then BN, ReLU, global average pooling and Dense logits. Bias-free convolutions,
// seeded He-normal kernels. Bench-local: the benchmark's model, not a library architecture.
import * as tfl from '@tensorflow/tfjs-layers';

type Symbolic = tfl.SymbolicTensor;

/**
 * A tfjs-layers PreAct-ResNet-18 for [size, size, 3] images (11.2M weights at 10 classes).
 *
 * @example
 * const model = lib.classifierFromLayersModel(preactResNet18({ inputShape: [32, 32, 3], classes: 10 }), { owned: true });
 */
export function preactResNet18(o: { inputShape: [number, number, number]; classes: number; seed?: number }): tfl.LayersModel {
  let seed = o.seed ?? 0;
  const conv = (name: string, filters: number, kernelSize: number, strides: number) =>
    tfl.layers.conv2d({ name, filters, kernelSize, strides, padding: 'same', useBias: false, kernelInitializer: tfl.initializers.heNormal({ seed: seed++ }) });
  const bnRelu = (name: string, x: Symbolic): Symbolic =>
    tfl.layers.activation({ name: `${name}_relu`, activation: 'relu' }).apply(tfl.layers.batchNormalization({ name: `${name}_bn`, momentum: 0.9, epsilon: 1e-5 }).apply(x)) as Symbolic;
  const input = tfl.input({ name: 'images', shape: o.inputShape });
  let x = conv('stem', 64, 3, 1).apply(input) as Symbolic;
  let channels = 64;
  [64, 128, 256, 512].forEach((filters, stage) => {
    for (let block = 0; block < 2; block++) {
      const name = `s${stage + 1}b${block + 1}`;
      const strides = stage > 0 && block === 0 ? 2 : 1;
      const a = bnRelu(`${name}_pre`, x);
      const shortcut = strides !== 1 || channels !== filters ? (conv(`${name}_proj`, filters, 1, strides).apply(a) as Symbolic) : x;
      let y = conv(`${name}_conv1`, filters, 3, strides).apply(a) as Symbolic;
      y = conv(`${name}_conv2`, filters, 3, 1).apply(bnRelu(`${name}_mid`, y)) as Symbolic;
      x = tfl.layers.add({ name: `${name}_add` }).apply([y, shortcut]) as Symbolic;
      channels = filters;
    }
  });
  x = tfl.layers.globalAveragePooling2d({ name: 'pool' }).apply(bnRelu('final', x)) as Symbolic;
  const logits = tfl.layers.dense({ name: 'logits', units: o.classes, kernelInitializer: tfl.initializers.heNormal({ seed: seed++ }) }).apply(x) as Symbolic;
  return tfl.model({ name: 'preact_resnet_18', inputs: input, outputs: logits });
}
