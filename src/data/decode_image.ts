// PNG and JPEG files decoded to 8-bit grey or RGB pixels (channels last), in Node and in browsers alike:
// PNG through fast-png (grey, grey+alpha, RGB, RGBA, palette; 1, 2, 4, 8 and 16 bits), JPEG through
// jpeg-js (typed arrays, no Node Buffer). The format is told by the file's first bytes, not its name;
// alpha is dropped; a header that claims more than MAX_IMAGE_PIXELS is refused before anything is decoded.
// No node: import here: the module is bundled for pages too.
import { decode as decodePngBytes, type DecodedPng } from 'fast-png';
import { decode as decodeJpegBytes } from 'jpeg-js';
import { AdversarialArgumentError } from '../core/validate';

/** An 8-bit image, channels last: `data[(y * width + x) * channels + c]`. */
export interface RawImage {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array;
}

/** A decoded image: grey (1 channel) or RGB (3). */
export interface DecodedImage extends RawImage {
  channels: 1 | 3;
}

/** The most pixels a decoded image may have (2^26, about 67 million): a larger header is refused before decoding. */
export const MAX_IMAGE_PIXELS = 2 ** 26;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const startsWith = (bytes: Uint8Array, prefix: number[]) => bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);

/**
 * The format of an image file told by its first bytes (PNG's signature, JPEG's SOI marker), or null.
 *
 * @example
 * imageFormat(bytes);  // 'png', 'jpeg' or null
 */
export function imageFormat(bytes: Uint8Array): 'png' | 'jpeg' | null {
  if (startsWith(bytes, PNG_SIGNATURE)) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  return null;
}

function checkPixels(width: number, height: number, source: string): void {
  if (width === 0 || height === 0) throw new Error(`${source}: image is ${width}x${height}, no pixels`);
  if (width * height > MAX_IMAGE_PIXELS) throw new Error(`${source}: image is ${width}x${height}, more than the ${MAX_IMAGE_PIXELS} pixels read here`);
}

/** The samples of a PNG at 8 bits, one per byte: 1, 2 and 4-bit rows unpacked (scaled to 0-255 unless `indices`), 16-bit scaled. */
function pngSamples(png: DecodedPng, indices: boolean): Uint8Array {
  const { width, height, channels, depth, data } = png;
  const samples = width * height * channels;
  if (depth === 8) return data instanceof Uint8Array ? data : Uint8Array.from(data);
  const out = new Uint8Array(samples);
  // round(v * 255 / 65535), as libpng's png_set_scale_16.
  if (depth === 16) for (let i = 0; i < samples; i++) out[i] = Math.round((data[i] * 255) / 65535);
  else {
    const rowBytes = Math.ceil((width * channels * depth) / 8);
    const perByte = 8 / depth;
    const mask = (1 << depth) - 1;
    const scale = indices ? 1 : 255 / mask;
    const rowSamples = width * channels;
    for (let y = 0; y < height; y++) {
      for (let i = 0; i < rowSamples; i++) {
        const byte = data[y * rowBytes + Math.floor(i / perByte)];
        out[y * rowSamples + i] = ((byte >> (8 - depth * (1 + (i % perByte)))) & mask) * scale;
      }
    }
  }
  return out;
}

function decodePng(bytes: Uint8Array, source: string): DecodedImage {
  // IHDR (width, height) sits at a fixed place right after the signature: checked before fast-png allocates.
  if (bytes.length < 24) throw new Error(`${source}: truncated PNG (${bytes.length} bytes, no complete header)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkPixels(view.getUint32(16), view.getUint32(20), source);
  let png: DecodedPng;
  try {
    png = decodePngBytes(bytes, { checkCrc: true });
  } catch (error) {
    throw new Error(`${source}: corrupt or truncated PNG (${(error as Error).message})`);
  }
  const { width, height, channels, depth } = png;
  const palette = png.palette;
  const stored = depth < 8 ? Math.ceil((width * channels * depth) / 8) * height : width * height * channels;
  if (png.data.length !== stored) throw new Error(`${source}: corrupt or truncated PNG (${png.data.length} bytes of pixels, ${width}x${height} needs ${stored})`);
  const pixels = width * height;
  const samples = pngSamples(png, !!palette);
  if (palette) {
    const data = new Uint8Array(pixels * 3);
    for (let p = 0; p < pixels; p++) {
      const colour = palette[samples[p]];
      if (!colour) throw new Error(`${source}: corrupt PNG (palette index ${samples[p]}, the palette has ${palette.length} colours)`);
      data[3 * p] = colour[0];
      data[3 * p + 1] = colour[1];
      data[3 * p + 2] = colour[2];
    }
    return { width, height, channels: 3, data };
  }
  const keep: 1 | 3 = channels <= 2 ? 1 : 3;
  if (channels === keep) return { width, height, channels: keep, data: samples };
  const data = new Uint8Array(pixels * keep);
  for (let p = 0; p < pixels; p++) for (let c = 0; c < keep; c++) data[p * keep + c] = samples[p * channels + c];
  return { width, height, channels: keep, data };
}

/** The size and number of components in a JPEG's frame header (SOFn), or null when there is none. */
function jpegFrame(bytes: Uint8Array): { width: number; height: number; components: number } | null {
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    const length = (bytes[at + 2] << 8) | bytes[at + 3];
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (at + 10 > bytes.length) return null;
      return { height: (bytes[at + 5] << 8) | bytes[at + 6], width: (bytes[at + 7] << 8) | bytes[at + 8], components: bytes[at + 9] };
    }
    if (marker === 0xda) return null;
    at += 2 + length;
  }
  return null;
}

function decodeJpeg(bytes: Uint8Array, source: string): DecodedImage {
  const frame = jpegFrame(bytes);
  if (!frame) throw new Error(`${source}: corrupt or truncated JPEG (no frame header before the image data)`);
  checkPixels(frame.width, frame.height, source);
  let image: { width: number; height: number; data: Uint8Array };
  try {
    image = decodeJpegBytes(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      // jpeg-js's default: blocks past the frame's last row (some encoders write them) are skipped; a
      // truncated file is still refused (its end-of-image marker is missing).
      tolerantDecoding: true,
      maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6,
      maxMemoryUsageInMB: 2048,
    });
  } catch (error) {
    throw new Error(`${source}: corrupt or truncated JPEG (${(error as Error).message})`);
  }
  const { width, height, data } = image;
  if (frame.components !== 1) return { width, height, channels: 3, data };
  // A grey JPEG comes out as RGB with three equal samples: one is kept.
  const grey = new Uint8Array(width * height);
  for (let p = 0; p < grey.length; p++) grey[p] = data[3 * p];
  return { width, height, channels: 1, data: grey };
}

/**
 * Decodes a PNG or a JPEG file (told by its first bytes) to 8-bit grey (grey and grey+alpha PNGs, grey
 * JPEGs) or RGB (the others; a palette's colours) pixels, channels last, alpha dropped. 16-bit samples are
 * scaled to 8 bits (round(v * 255 / 65535)), 1, 2 and 4-bit grey to 0-255. Another format, or corrupt or
 * truncated data, is refused naming `source`.
 *
 * @example
 * const image = decodeImage(new Uint8Array(await file.arrayBuffer()), file.name);  // {width, height, channels: 3, data}
 */
export function decodeImage(bytes: Uint8Array, source: string): DecodedImage {
  if (!(bytes instanceof Uint8Array)) throw new AdversarialArgumentError('decodeImage', 'bytes', `of ${source} must be a Uint8Array`);
  const format = imageFormat(bytes);
  if (format === 'png') return decodePng(bytes, source);
  if (format === 'jpeg') return decodeJpeg(bytes, source);
  throw new Error(`${source}: neither a PNG nor a JPEG file (first bytes ${Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ') || 'none'})`);
}
