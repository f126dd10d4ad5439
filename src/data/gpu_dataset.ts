// A data set resident on the GPU: images as bytes (one per pixel, packed four to an int32 word, so 10,000
// MNIST digits take 7.8 MB), labels as int32. A fused kernel (`GatherImages`) gathers a batch by an index
// tensor and normalises it to float32 in [0, 1]; nothing of the images crosses to or from the CPU after the
// upload. Kernels for `webgpu` and `cpu` (the plain-TypeScript reference, the tests' oracle).
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import gatherImagesWgsl from '../../shaders/engine/gather_images.wgsl';
import gatherImagesVec4Wgsl from '../../shaders/engine/gather_images_vec4.wgsl';
import { i32u, runProgram } from '../program';
import { registerEntries, type KernelEntry } from '../program/registration';
import { AdversarialArgumentError } from '../core/validate';

export const GatherImages = 'GatherImages';

export interface GatherImagesAttrs {
  count: number;
  pixels: number;
  imageShape: [number, number, number];
}

/** `packed` bytes as uint8 values; `bytes[image * pixels + p] * (1 / 255)` in float32 for each index. */
export function gatherImagesReference(bytes: Uint8Array, indices: ArrayLike<number>, count: number, pixels: number): Float32Array {
  const out = new Float32Array(indices.length * pixels);
  const scale = Math.fround(1 / 255);
  for (let b = 0; b < indices.length; b++) {
    const image = Math.min(Math.max(indices[b], 0), count - 1);
    for (let p = 0; p < pixels; p++) out[b * pixels + p] = Math.fround(bytes[image * pixels + p] * scale);
  }
  return out;
}

const outShape = (batch: number, a: GatherImagesAttrs) => [batch, ...a.imageShape];

const webgpuKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { packed, indices } = inputs as { packed: tf.TensorInfo; indices: tf.TensorInfo };
  const a = attrs as unknown as GatherImagesAttrs;
  const batch = indices.shape[0];
  const vec4 = a.pixels % 4 === 0;
  return runProgram(
    backend as WebGPUBackend,
    {
      kernelName: GatherImages,
      variant: [vec4 ? 'vec4' : 'scalar'],
      body: vec4 ? gatherImagesVec4Wgsl : gatherImagesWgsl,
      inputs: ['packed', 'indices'],
      inputComponents: [1, 1],
      outputComponent: vec4 ? 4 : 1,
      invocations: (batch * a.pixels) / (vec4 ? 4 : 1),
      workgroupSize: 256,
      uniforms: [i32u('count', a.count), i32u('pixels', a.pixels)],
    },
    [packed, indices],
    outShape(batch, a),
  );
};

const cpuKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { packed, indices } = inputs as { packed: tf.TensorInfo; indices: tf.TensorInfo };
  const a = attrs as unknown as GatherImagesAttrs;
  const cpu = backend as unknown as { readSync(id: object): tf.TypedArray; makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.TypedArray): tf.TensorInfo };
  const words = cpu.readSync(packed.dataId) as Int32Array;
  const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
  const idx = cpu.readSync(indices.dataId) as Int32Array;
  return cpu.makeTensorInfo(outShape(indices.shape[0], a), 'float32', gatherImagesReference(bytes, idx, a.count, a.pixels));
};

/** GatherImages for webgpu and cpu, registered on first use. */
export const gatherImagesEntries: KernelEntry[] = [
  { kernelName: GatherImages, backendName: 'webgpu', kernelFunc: webgpuKernel, group: 'data' },
  { kernelName: GatherImages, backendName: 'cpu', kernelFunc: cpuKernel, group: 'data' },
];
const register = () => registerEntries(gatherImagesEntries);

/** Images and labels on the device, ready for {@link gatherBatch}. */
export interface GpuDataset {
  /** The images' bytes, four to an int32 word (`count * pixels` bytes, zero-padded to a word). */
  packed: tf.Tensor1D;
  /** Labels, int32, 0..numClasses-1. */
  labels: tf.Tensor1D;
  count: number;
  imageShape: [number, number, number];
  numClasses: number;
  dispose(): void;
}

/**
 * Uploads images (uint8, `count * h * w * c` bytes, image by image) and labels once.
 *
 * @example
 * const data = uploadDataset(digits.images, digits.labels, [28, 28, 1], 10);
 * const { x, onehot } = gatherBatch(data, tf.tensor1d([3, 1, 4], 'int32'));  // x: [3, 28, 28, 1] in [0, 1]
 */
export function uploadDataset(images: Uint8Array, labels: ArrayLike<number>, imageShape: [number, number, number], numClasses: number): GpuDataset {
  const pixels = imageShape[0] * imageShape[1] * imageShape[2];
  if (!imageShape.every((d) => Number.isInteger(d) && d > 0)) throw new AdversarialArgumentError('uploadDataset', 'imageShape', `must be positive integers, got [${imageShape}]`);
  if (!Number.isInteger(numClasses) || numClasses < 2) throw new AdversarialArgumentError('uploadDataset', 'numClasses', `must be an integer >= 2, got ${numClasses}`);
  if (images.length === 0 || images.length % pixels !== 0) {
    throw new AdversarialArgumentError('uploadDataset', 'images', `(${images.length} bytes) is not a whole, non-zero number of ${imageShape.join('x')} images`);
  }
  const count = images.length / pixels;
  if (labels.length !== count) throw new AdversarialArgumentError('uploadDataset', 'labels', `has ${labels.length} labels for ${count} images`);
  const labelValues = Int32Array.from(labels);
  const bad = labelValues.findIndex((l) => l < 0 || l >= numClasses);
  if (bad >= 0) throw new AdversarialArgumentError('uploadDataset', 'labels', `[${bad}] = ${labelValues[bad]} is outside 0..${numClasses - 1}`);
  const words = new Int32Array(Math.ceil(images.length / 4));
  new Uint8Array(words.buffer).set(images);
  register();
  const packed = tf.tensor1d(words, 'int32');
  const labelTensor = tf.tensor1d(labelValues, 'int32');
  // Upload now (tfjs would on first use): after this no image data crosses between CPU and GPU.
  if (tf.getBackend() === 'webgpu') {
    const backend = tf.backend() as WebGPUBackend;
    backend.uploadToGPU(packed.dataId);
    backend.uploadToGPU(labelTensor.dataId);
  }
  return {
    packed,
    labels: labelTensor,
    count,
    imageShape,
    numClasses,
    dispose: () => tf.dispose([packed, labelTensor]),
  };
}

/**
 * Gathers the images at `indices` (int32, rank 1) as float32 [batch, h, w, c] in [0, 1], with their labels
 * and one-hot labels, all on the device. Indices outside [0, count) are clamped.
 */
export function gatherBatch(data: GpuDataset, indices: tf.Tensor1D): { x: tf.Tensor4D; labels: tf.Tensor1D; onehot: tf.Tensor2D } {
  if (indices.dtype !== 'int32' || indices.rank !== 1) {
    throw new AdversarialArgumentError('gatherBatch', 'indices', `must be an int32 tensor of rank 1, got ${indices.dtype} of shape [${indices.shape}]`);
  }
  register();
  const [h, w, c] = data.imageShape;
  const attrs = { count: data.count, pixels: h * w * c, imageShape: data.imageShape };
  return tf.tidy(() => {
    const x = tf.engine().runKernel(GatherImages, { packed: data.packed, indices }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
    const labels = tf.gather(data.labels, tf.clipByValue(indices, 0, data.count - 1)) as tf.Tensor1D;
    const onehot = tf.cast(tf.oneHot(labels, data.numClasses), 'float32') as tf.Tensor2D;
    return { x, labels, onehot };
  });
}
