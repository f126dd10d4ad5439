// 1x1 convolutions at stride 1 without padding (MobileNet's expand and project layers, a ResNet
// bottleneck's) as the engine's matrix products: the image read as rows of channels, x [N, H, W, Cin] as
// [N*H*W, Cin], the filter [1, 1, Cin, Cout] as [Cin, Cout]:
//   forward:      y = x W (+ bias, ReLU)      [N*H*W, Cout]
//   input grad:   dx = dy W^T                 [N*H*W, Cin]    (or (dy W^T) * relu6'(x): x a ReLU6's output)
//   filter grad:  dW = x^T dy                 [Cin, Cout]     (channels multiples of 4: the A^T B tiles)
// The tensors are only relabelled (a new shape over the same data, as tfjs's own Reshape does), so no
// copy is made; the matrix products' tiles parallelise over the N*H*W rows where the general convolution
// kernel, built for windows, reads each 1x1 window on its own. The filter's gradient sums over all N*H*W
// rows in one invocation per 16x8 tile of dW; the convolution kernel's chunks of rows and column sum were
// still 3-13x slower on MobileNetV2's layers (bench, 2026-12-08: [4,112,112,16] x 96 433 -> 75 ms,
// [4,7,7,320] x 1280 561 -> 44 ms).
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { engineMatMul, matMulMaskable, matMulVariant, type EngineActivation } from '../matmul/matmul';
import type { ConvInfo } from './conv';

/** Whether `info` is a 1x1 convolution at stride 1 and dilation 1 with no padding (output size = input size). */
export function isPointwise(info: ConvInfo): boolean {
  const p = info.padInfo;
  return (
    info.filterHeight === 1 &&
    info.filterWidth === 1 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    p.top === 0 &&
    p.bottom === 0 &&
    p.left === 0 &&
    p.right === 0 &&
    info.outHeight === info.inHeight &&
    info.outWidth === info.inWidth
  );
}

/** The same data under another shape of the same size. */
const relabel = (t: TensorInfo, shape: number[]): TensorInfo => ({ dataId: t.dataId, shape, dtype: t.dtype });

const rowsOf = (info: ConvInfo): number => info.batchSize * info.inHeight * info.inWidth;

/** Whether the input gradient's product takes ReLU6's mask as it writes dx (pointwiseConv2DBackpropInput's maskZ). */
export const pointwiseMaskable = (info: ConvInfo): boolean => matMulMaskable(rowsOf(info), info.inChannels, info.outChannels, false, true);

/** A pointwise convolution's output (+ bias over the channels, ReLU) as one matrix product. */
export function pointwiseConv2D(backend: WebGPUBackend, x: TensorInfo, filter: TensorInfo, info: ConvInfo, bias: TensorInfo | undefined, activation: EngineActivation): TensorInfo {
  const out = engineMatMul(backend, {
    a: relabel(x, [1, rowsOf(info), info.inChannels]),
    b: relabel(filter, [1, info.inChannels, info.outChannels]),
    transposeA: false,
    transposeB: false,
    bias,
    activation,
  });
  return relabel(out, [info.batchSize, info.outHeight, info.outWidth, info.outChannels]);
}

/**
 * A pointwise convolution's input gradient dy W^T as one matrix product; with `maskZ` (where
 * pointwiseMaskable), x being a ReLU6's output Z: (dy W^T) * relu6'(Z), the gradient at the ReLU6's input.
 */
export function pointwiseConv2DBackpropInput(backend: WebGPUBackend, dy: TensorInfo, filter: TensorInfo, info: ConvInfo, maskZ?: TensorInfo): TensorInfo {
  const out = engineMatMul(backend, {
    a: relabel(dy, [1, rowsOf(info), info.outChannels]),
    b: relabel(filter, [1, info.inChannels, info.outChannels]),
    transposeA: false,
    transposeB: true,
    activation: 'linear',
    maskZ: maskZ && relabel(maskZ, [1, rowsOf(info), info.inChannels]),
  });
  return relabel(out, [info.batchSize, info.inHeight, info.inWidth, info.inChannels]);
}

/** Whether the filter gradient of a pointwise convolution runs as the A^T B product (both channel counts multiples of 4). */
export const pointwiseFilterOnMatMul = (info: ConvInfo): boolean => matMulVariant(info.inChannels, info.outChannels, rowsOf(info), true, false) === 'tn4';

/** A pointwise convolution's filter gradient x^T dy as one matrix product, [1, 1, Cin, Cout] (where pointwiseFilterOnMatMul). */
export function pointwiseConv2DBackpropFilter(backend: WebGPUBackend, x: TensorInfo, dy: TensorInfo, info: ConvInfo): TensorInfo {
  const out = engineMatMul(backend, {
    a: relabel(x, [1, rowsOf(info), info.inChannels]),
    b: relabel(dy, [1, rowsOf(info), info.outChannels]),
    transposeA: true,
    transposeB: false,
    activation: 'linear',
  });
  return relabel(out, [1, 1, info.inChannels, info.outChannels]);
}
