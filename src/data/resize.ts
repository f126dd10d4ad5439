// Bringing 8-bit images (channels last) to one shape: bilinear resizing with half-pixel centres (the
// sampling of tf.image.resizeBilinear with halfPixelCenters: true) rounded to uint8, and channel
// conversion (RGB to grey by luma, grey to RGB by replication); for one image or a whole ImageSet.
import type { ImageSet } from './image_set';
import { AdversarialArgumentError } from '../core/validate';
import type { RawImage } from './decode_image';

/** For each output index along one axis: the two input indices and the weight of the second. */
function axisTaps(inSize: number, outSize: number): { lo: Int32Array; hi: Int32Array; frac: Float64Array } {
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const frac = new Float64Array(outSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const at = Math.max(0, (o + 0.5) * scale - 0.5);
    lo[o] = Math.min(Math.floor(at), inSize - 1);
    hi[o] = Math.min(lo[o] + 1, inSize - 1);
    frac[o] = at - lo[o];
  }
  return { lo, hi, frac };
}

/**
 * Resizes an 8-bit image (channels last) to `[height, width]` bilinearly with half-pixel centres: output
 * pixel (y, x) samples the input at ((y + 0.5) * inH / outH - 0.5, likewise x), clamped at the edges, as
 * tf.image.resizeBilinear with halfPixelCenters: true does (and PIL when enlarging; PIL widens its filter
 * when shrinking, this does not), rounded to the nearest integer. The same size is a copy.
 *
 * @example
 * const small = resizeBilinear({ width: 640, height: 480, channels: 3, data }, [32, 32]);  // {width: 32, height: 32, ...}
 */
export function resizeBilinear(image: RawImage, size: [number, number]): RawImage {
  checkSize('resizeBilinear', size);
  const [outH, outW] = size;
  const { width: inW, height: inH, channels, data } = image;
  if (inW === outW && inH === outH) return { width: inW, height: inH, channels, data: data.slice() };
  const ys = axisTaps(inH, outH);
  const xs = axisTaps(inW, outW);
  const out = new Uint8Array(outH * outW * channels);
  for (let y = 0; y < outH; y++) {
    const top = ys.lo[y] * inW;
    const bottom = ys.hi[y] * inW;
    const fy = ys.frac[y];
    for (let x = 0; x < outW; x++) {
      const left = xs.lo[x];
      const right = xs.hi[x];
      const fx = xs.frac[x];
      for (let c = 0; c < channels; c++) {
        const a = data[(top + left) * channels + c];
        const b = data[(top + right) * channels + c];
        const d = data[(bottom + left) * channels + c];
        const e = data[(bottom + right) * channels + c];
        const upper = a + (b - a) * fx;
        const lower = d + (e - d) * fx;
        out[(y * outW + x) * channels + c] = Math.round(upper + (lower - upper) * fy);
      }
    }
  }
  return { width: outW, height: outH, channels, data: out };
}

/**
 * Converts an 8-bit image between grey (1 channel) and RGB (3): RGB to grey by luma
 * (round(0.299 R + 0.587 G + 0.114 B)), grey to RGB by copying the grey to all three. The same number of
 * channels is a copy.
 *
 * @example
 * const grey = convertChannels({ width: 32, height: 32, channels: 3, data }, 1);
 */
export function convertChannels(image: RawImage, channels: 1 | 3): RawImage {
  checkChannels('convertChannels', channels);
  const { width, height, data } = image;
  if (image.channels !== 1 && image.channels !== 3) {
    throw new AdversarialArgumentError('convertChannels', 'image', `has ${image.channels} channels; 1 (grey) or 3 (RGB) are converted`);
  }
  if (image.channels === channels) return { width, height, channels, data: data.slice() };
  const pixels = width * height;
  const out = new Uint8Array(pixels * channels);
  if (channels === 1) {
    for (let p = 0; p < pixels; p++) out[p] = Math.round(0.299 * data[3 * p] + 0.587 * data[3 * p + 1] + 0.114 * data[3 * p + 2]);
  } else {
    for (let p = 0; p < pixels; p++) out[3 * p] = out[3 * p + 1] = out[3 * p + 2] = data[p];
  }
  return { width, height, channels, data: out };
}

/** Refuses, naming `op` and `size`, anything but `[height, width]` of positive integers. */
export function checkSize(op: string, size: unknown): asserts size is [number, number] {
  if (!Array.isArray(size) || size.length !== 2 || !size.every((n) => Number.isInteger(n) && n > 0 && n <= 65535)) {
    throw new AdversarialArgumentError(op, 'size', `must be [height, width] of integers from 1 to 65535, got ${JSON.stringify(size)}`);
  }
}

/** Refuses, naming `op` and `channels`, anything but 1 or 3. */
export function checkChannels(op: string, channels: unknown): asserts channels is 1 | 3 {
  if (channels !== 1 && channels !== 3) throw new AdversarialArgumentError(op, 'channels', `must be 1 (grey) or 3 (RGB), got ${JSON.stringify(channels)}`);
}

/**
 * An ImageSet with every image converted to `channels`, then resized to `size` (as Keras's
 * image_dataset_from_directory: decoded to the colour mode, then resized; each left as it is when not
 * given); the set itself when nothing changes.
 *
 * @example
 * const grey28 = adaptImageSet(await loadCifar10(['test_batch.bin']), { size: [28, 28], channels: 1 });
 */
export function adaptImageSet(set: ImageSet, o: { size?: [number, number]; channels?: 1 | 3 }): ImageSet {
  if (o.size !== undefined) checkSize('adaptImageSet', o.size);
  if (o.channels !== undefined) checkChannels('adaptImageSet', o.channels);
  const from = set.channels ?? 1;
  const [height, width] = o.size ?? [set.height, set.width];
  const channels = o.channels ?? from;
  if (height === set.height && width === set.width && channels === from) return set;
  const inSize = set.height * set.width * from;
  const outSize = height * width * channels;
  const images = new Uint8Array(set.count * outSize);
  for (let i = 0; i < set.count; i++) {
    let image: RawImage = { width: set.width, height: set.height, channels: from, data: set.images.subarray(i * inSize, (i + 1) * inSize) };
    if (o.channels !== undefined && o.channels !== from) image = convertChannels(image, o.channels);
    if (height !== set.height || width !== set.width) image = resizeBilinear(image, [height, width]);
    images.set(image.data, i * outSize);
  }
  return { ...set, images, height, width, channels };
}
