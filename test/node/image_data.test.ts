// Real image data as ImageSets: PNG (every colour type and bit depth) and JPEG decoding against the
// pixels that were encoded, bilinear resizing against a float64 reference (and tfjs's cpu backend),
// channel conversion, CIFAR-10 batches, IDX rank 4, image folders written to a temp folder (class order,
// given classes, hidden and other files skipped, an empty class), the format-picking entry, and each
// refusal naming the file or the argument. Inputs are seeded random pixels.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';

const dir = mkdtempSync(join(tmpdir(), 'image-data-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (rel: string, bytes: Uint8Array | string) => {
  const path = join(dir, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, bytes);
  return path;
};

const random = lib.seededRandom(20261206);
const bytesOf = (n: number, max = 256) => Uint8Array.from({ length: n }, () => Math.floor(random() * max));
/** A smooth RGB image (gradients and a little noise) that JPEG keeps close. */
const smoothRgb = (w: number, h: number) =>
  Uint8Array.from({ length: w * h * 3 }, (_, i) => {
    const p = Math.floor(i / 3);
    const [x, y, c] = [p % w, Math.floor(p / w), i % 3];
    return Math.round(40 + (150 * (x + c * y)) / (w + 2 * h) + 10 * random());
  });
const rgba = (rgb: Uint8Array) => Uint8Array.from({ length: (rgb.length / 3) * 4 }, (_, i) => (i % 4 === 3 ? 255 : rgb[(i >> 2) * 3 + (i % 4)]));
const jpegOf = (w: number, h: number, rgb: Uint8Array, quality = 95) => new Uint8Array(jpeg.encode({ width: w, height: h, data: rgba(rgb) }, quality).data);
/** Samples of `depth` bits packed into rows padded to whole bytes, as PNG stores them. */
function pack(values: number[], width: number, depth: number): Uint8Array {
  const rowBytes = Math.ceil((width * depth) / 8);
  const out = new Uint8Array((values.length / width) * rowBytes);
  values.forEach((v, i) => {
    const [y, x] = [Math.floor(i / width), i % width];
    out[y * rowBytes + Math.floor((x * depth) / 8)] |= v << (8 - depth - ((x * depth) % 8));
  });
  return out;
}
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** Float64 bilinear with half-pixel centres, written as four weights per output pixel. */
function referenceResize(src: ArrayLike<number>, h: number, w: number, c: number, oh: number, ow: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const sy = Math.max(0, ((y + 0.5) * h) / oh - 0.5);
      const sx = Math.max(0, ((x + 0.5) * w) / ow - 0.5);
      const [y0, x0] = [Math.min(Math.floor(sy), h - 1), Math.min(Math.floor(sx), w - 1)];
      const [y1, x1] = [Math.min(y0 + 1, h - 1), Math.min(x0 + 1, w - 1)];
      const [fy, fx] = [sy - y0, sx - x0];
      for (let k = 0; k < c; k++) {
        const at = (yy: number, xx: number) => src[(yy * w + xx) * c + k];
        out.push((1 - fy) * (1 - fx) * at(y0, x0) + (1 - fy) * fx * at(y0, x1) + fy * (1 - fx) * at(y1, x0) + fy * fx * at(y1, x1));
      }
    }
  }
  return out;
}
/** Rounded output against float values: equal to the rounding, either neighbour where the value is a hair from .5. */
function expectRounded(actual: ArrayLike<number>, reference: number[]) {
  expect(actual.length).toBe(reference.length);
  const bad = reference.filter((r, i) => {
    const half = Math.abs((r % 1) - 0.5) < 1e-9;
    return half ? actual[i] !== Math.floor(r) && actual[i] !== Math.ceil(r) : actual[i] !== Math.round(r);
  });
  expect(bad).toEqual([]);
}
const luma = (rgb: ArrayLike<number>) => Array.from({ length: rgb.length / 3 }, (_, p) => Math.round(0.299 * rgb[3 * p] + 0.587 * rgb[3 * p + 1] + 0.114 * rgb[3 * p + 2]));

describe('PNG decoding', () => {
  const [w, h] = [7, 5];
  const n = w * h;
  const grey = bytesOf(n);
  const rgb = bytesOf(n * 3);
  const alpha = bytesOf(n);
  const palette = [[250, 0, 0], [0, 200, 0], [0, 0, 150], [9, 99, 199]];
  const indices = Array.from({ length: n }, () => Math.floor(random() * 4));
  const fromPalette = indices.flatMap((i) => palette[i]);
  const grey16 = Uint16Array.from({ length: n }, () => Math.floor(random() * 65536));
  const rgb16 = Uint16Array.from({ length: n * 3 }, () => Math.floor(random() * 65536));
  const to8 = (v: ArrayLike<number>) => Array.from(v, (x) => Math.round((x * 255) / 65535));
  const low = (depth: number) => Array.from({ length: n }, () => Math.floor(random() * (1 << depth)));
  const lows = Object.fromEntries([1, 2, 4].map((d) => [d, low(d)]));
  const cases: { name: string; png: Parameters<typeof encodePng>[0]; interlace?: 'Adam7'; channels: number; expected: ArrayLike<number> }[] = [
    { name: 'grey 8-bit', png: { width: w, height: h, data: grey, channels: 1, depth: 8 }, channels: 1, expected: grey },
    { name: 'grey+alpha 8-bit (alpha dropped)', png: { width: w, height: h, data: Uint8Array.from({ length: 2 * n }, (_, i) => (i % 2 ? alpha[i >> 1] : grey[i >> 1])), channels: 2, depth: 8 }, channels: 1, expected: grey },
    { name: 'RGB 8-bit', png: { width: w, height: h, data: rgb, channels: 3, depth: 8 }, channels: 3, expected: rgb },
    { name: 'RGBA 8-bit (alpha dropped)', png: { width: w, height: h, data: Uint8Array.from({ length: 4 * n }, (_, i) => (i % 4 === 3 ? alpha[i >> 2] : rgb[(i >> 2) * 3 + (i % 4)])), channels: 4, depth: 8 }, channels: 3, expected: rgb },
    { name: 'RGB 8-bit, Adam7 interlaced', png: { width: w, height: h, data: rgb, channels: 3, depth: 8 }, interlace: 'Adam7', channels: 3, expected: rgb },
    { name: 'palette 8-bit', png: { width: w, height: h, data: Uint8Array.from(indices), channels: 1, depth: 8, palette }, channels: 3, expected: fromPalette },
    { name: 'palette 2-bit with transparency', png: { width: w, height: h, data: pack(indices, w, 2), channels: 1, depth: 2, palette: palette.map((c, i) => [...c, 60 * i]) }, channels: 3, expected: fromPalette },
    ...[1, 2, 4].map((d) => ({ name: `grey ${d}-bit (scaled to 0-255)`, png: { width: w, height: h, data: pack(lows[d], w, d), channels: 1, depth: d as 1 | 2 | 4 }, channels: 1, expected: lows[d].map((v) => (v * 255) / ((1 << d) - 1)) })),
    { name: 'grey 16-bit (scaled to 8)', png: { width: w, height: h, data: grey16, channels: 1, depth: 16 }, channels: 1, expected: to8(grey16) },
    { name: 'RGB 16-bit (scaled to 8)', png: { width: w, height: h, data: rgb16, channels: 3, depth: 16 }, channels: 3, expected: to8(rgb16) },
  ];
  test.each(cases)('$name', ({ png, interlace, channels, expected }) => {
    const image = lib.decodeImage(encodePng(png, interlace ? { interlace } : undefined), 'case.png');
    expect({ width: image.width, height: image.height, channels: image.channels }).toEqual({ width: w, height: h, channels });
    expect(Array.from(image.data)).toEqual(Array.from(expected));
  });
  test('16-bit scaling ends: 0, 128, 32767, 65535', () => {
    const image = lib.decodeImage(encodePng({ width: 4, height: 1, data: Uint16Array.from([0, 128, 32767, 65535]), channels: 1, depth: 16 }), 'ends.png');
    expect(Array.from(image.data)).toEqual([0, 0, 127, 255]);
  });
});

describe('JPEG decoding', () => {
  test.each([
    { name: 'RGB 16x12, quality 95', w: 16, h: 12, quality: 95, tolerance: 16 },
    { name: 'RGB 9x7 (partial blocks), quality 90', w: 9, h: 7, quality: 90, tolerance: 20 },
  ])('$name: within $tolerance of the encoded pixels', ({ w, h, quality, tolerance }) => {
    const rgb = smoothRgb(w, h);
    const image = lib.decodeImage(jpegOf(w, h, rgb, quality), 'case.jpg');
    expect({ width: image.width, height: image.height, channels: image.channels }).toEqual({ width: w, height: h, channels: 3 });
    expect(maxDiff(image.data, rgb)).toBeLessThanOrEqual(tolerance);
  });
  test('the format is told by the bytes, not the name', () => {
    expect(lib.decodeImage(jpegOf(8, 8, smoothRgb(8, 8)), 'really-a-jpeg.png').channels).toBe(3);
    expect(lib.imageFormat(jpegOf(8, 8, smoothRgb(8, 8)))).toBe('jpeg');
    expect(lib.imageFormat(new TextEncoder().encode('hello'))).toBeNull();
  });
});

describe('decoding refusals name the file', () => {
  const png = encodePng({ width: 6, height: 4, data: bytesOf(72), channels: 3, depth: 8 });
  const flipped = png.slice();
  flipped[45] ^= 0xff;
  const huge = png.slice();
  new DataView(huge.buffer).setUint32(16, 100_000);
  new DataView(huge.buffer).setUint32(20, 100_000);
  const jpg = jpegOf(16, 16, smoothRgb(16, 16));
  test.each([
    { name: 'a flipped byte in a PNG', bytes: flipped, file: 'flipped.png', message: /flipped\.png: corrupt or truncated PNG/ },
    { name: 'a truncated PNG', bytes: png.subarray(0, png.length - 20), file: 'short.png', message: /short\.png: corrupt or truncated PNG/ },
    { name: 'a PNG header alone', bytes: png.subarray(0, 20), file: 'head.png', message: /head\.png: truncated PNG/ },
    { name: 'a PNG claiming 10^10 pixels', bytes: huge, file: 'huge.png', message: /huge\.png: image is 100000x100000, more than the 67108864 pixels/ },
    { name: 'a truncated JPEG', bytes: jpg.subarray(0, jpg.length - 60), file: 'short.jpg', message: /short\.jpg: corrupt or truncated JPEG/ },
    { name: 'a JPEG with no frame', bytes: jpg.subarray(0, 30), file: 'stub.jpg', message: /stub\.jpg: corrupt or truncated JPEG/ },
    { name: 'text', bytes: new TextEncoder().encode('not an image'), file: 'notes.png', message: /notes\.png: neither a PNG nor a JPEG file \(first bytes 6e 6f 74 20\)/ },
    { name: 'nothing', bytes: new Uint8Array(0), file: 'empty.jpg', message: /empty\.jpg: neither a PNG nor a JPEG file \(first bytes none\)/ },
    { name: 'an ArrayBuffer', bytes: new ArrayBuffer(8) as never, file: 'buffer.png', message: /decodeImage: bytes of buffer\.png must be a Uint8Array/ },
  ])('$name', ({ bytes, file, message }) => {
    expect(() => lib.decodeImage(bytes, file)).toThrow(message);
  });
});

describe('resizing and channels', () => {
  tf.setBackend('cpu');
  const cases = [
    { name: '7x5 -> 3x11, RGB', h: 7, w: 5, c: 3, size: [3, 11] as [number, number] },
    { name: '1x1 -> 4x4, grey', h: 1, w: 1, c: 1, size: [4, 4] as [number, number] },
    { name: '9x4 -> 2x3, grey (shrinking)', h: 9, w: 4, c: 1, size: [2, 3] as [number, number] },
    { name: '3x3 -> 8x6, RGB (enlarging)', h: 3, w: 3, c: 3, size: [8, 6] as [number, number] },
    { name: '13x17 -> 5x29, RGB', h: 13, w: 17, c: 3, size: [5, 29] as [number, number] },
    { name: '5x7 -> 5x7, RGB (identity)', h: 5, w: 7, c: 3, size: [5, 7] as [number, number] },
  ];
  test.each(cases)('$name: the float64 reference, rounded', ({ h, w, c, size }) => {
    const data = bytesOf(h * w * c);
    const out = lib.resizeBilinear({ width: w, height: h, channels: c, data }, size);
    expect({ height: out.height, width: out.width, channels: out.channels }).toEqual({ height: size[0], width: size[1], channels: c });
    expectRounded(out.data, referenceResize(data, h, w, c, size[0], size[1]));
    if (size[0] === h && size[1] === w) expect(Array.from(out.data)).toEqual(Array.from(data));
  });
  test.each(cases)('$name: tf.image.resizeBilinear (halfPixelCenters) within 1', ({ h, w, c, size }) => {
    const data = bytesOf(h * w * c);
    const out = lib.resizeBilinear({ width: w, height: h, channels: c, data }, size);
    const stock = tf.tidy(() => tf.image.resizeBilinear(tf.tensor3d(Array.from(data), [h, w, c]), size, false, true).dataSync());
    expect(maxDiff(out.data, Array.from(stock, Math.round))).toBeLessThanOrEqual(1);
  });
  test('RGB -> grey by luma, grey -> RGB by replication, same channels a copy', () => {
    const rgb = bytesOf(6 * 4 * 3);
    const image = { width: 6, height: 4, channels: 3, data: rgb };
    const grey = lib.convertChannels(image, 1);
    expect({ channels: grey.channels, data: Array.from(grey.data) }).toEqual({ channels: 1, data: luma(rgb) });
    expect(Array.from(lib.convertChannels({ width: 2, height: 1, channels: 1, data: Uint8Array.from([7, 200]) }, 3).data)).toEqual([7, 7, 7, 200, 200, 200]);
    expect(lib.convertChannels(image, 3).data).not.toBe(rgb);
    expect(Array.from(lib.convertChannels(image, 3).data)).toEqual(Array.from(rgb));
    expect(Array.from(lib.convertChannels({ width: 1, height: 1, channels: 3, data: Uint8Array.from([255, 255, 255]) }, 1).data)).toEqual([255]);
  });
  test.each([
    { name: 'a size of three numbers', run: () => lib.resizeBilinear({ width: 1, height: 1, channels: 1, data: new Uint8Array(1) }, [1, 2, 3] as never), message: /resizeBilinear: size must be \[height, width\]/ },
    { name: 'a size of 0', run: () => lib.resizeBilinear({ width: 1, height: 1, channels: 1, data: new Uint8Array(1) }, [0, 2]), message: /resizeBilinear: size must be/ },
    { name: 'channels 2', run: () => lib.convertChannels({ width: 1, height: 1, channels: 1, data: new Uint8Array(1) }, 2 as never), message: /convertChannels: channels must be 1 \(grey\) or 3 \(RGB\), got 2/ },
    { name: 'an image of 4 channels', run: () => lib.convertChannels({ width: 1, height: 1, channels: 4, data: new Uint8Array(4) }, 1), message: /convertChannels: image has 4 channels/ },
  ])('refused: $name', ({ run, message }) => {
    expect(run).toThrow(message);
  });
});

describe('CIFAR-10 batches', () => {
  const record = (label: number, chw: Uint8Array) => Uint8Array.from([label, ...chw]);
  const chws = [0, 1, 2, 3, 4].map(() => bytesOf(3072));
  const labels = [3, 9, 0, 7, 5];
  const hwc = (chw: Uint8Array) => Uint8Array.from({ length: 3072 }, (_, i) => chw[(i % 3) * 1024 + Math.floor(i / 3)]);
  const batch = (from: number, to: number) => Uint8Array.from(chws.slice(from, to).flatMap((c, i) => Array.from(record(labels[from + i], c))));
  const first = write('cifar/data_batch_1.bin', batch(0, 3));
  const second = write('cifar/data_batch_2.bin', batch(3, 5));
  test('parse one batch: channels first to channels last, labels, class names', () => {
    const set = lib.parseCifar10(batch(0, 3), 'b.bin');
    expect({ count: set.count, height: set.height, width: set.width, channels: set.channels, source: set.source }).toEqual({ count: 3, height: 32, width: 32, channels: 3, source: 'b.bin' });
    expect(Array.from(set.labels)).toEqual(labels.slice(0, 3));
    expect(Array.from(set.images.subarray(3072, 6144))).toEqual(Array.from(hwc(chws[1])));
    // Pixel (row 2, col 5) of image 0: red, green, blue from the three planes.
    const p = 2 * 32 + 5;
    expect(Array.from(set.images.subarray(3 * p, 3 * p + 3))).toEqual([chws[0][p], chws[0][1024 + p], chws[0][2048 + p]]);
    expect(set.classNames).toEqual(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']);
  });
  test('load two files: joined in order, source the files joined by commas', async () => {
    const set = await lib.loadCifar10([first, second]);
    expect(set.count).toBe(5);
    expect(set.source).toBe(`${first},${second}`);
    expect(Array.from(set.labels)).toEqual(labels);
    expect(Array.from(set.images)).toEqual(chws.flatMap((c) => Array.from(hwc(c))));
  });
  const long = Uint8Array.from([...batch(0, 2), 1, 2, 3]);
  const badLabel = batch(0, 3);
  badLabel[2 * 3073] = 10;
  test.each([
    { name: 'a size that is not whole records', run: () => lib.parseCifar10(long, 'long.bin'), message: /long\.bin: 6149 bytes is not a whole number of 3073-byte CIFAR-10 records \(record 2 has 3 of its 3073 bytes\)/ },
    { name: 'a label above 9', run: () => lib.parseCifar10(badLabel, 'cifar100.bin'), message: /cifar100\.bin: record 2 has label 10/ },
    { name: 'an empty file', run: () => lib.parseCifar10(new Uint8Array(0), 'empty.bin'), message: /empty\.bin: empty/ },
    { name: 'a missing file among others', run: () => lib.loadCifar10([first, join(dir, 'cifar/missing.bin')]), message: /missing\.bin: cannot read/ },
    { name: 'no files', run: () => lib.loadCifar10([]), message: /loadCifar10: sources must be a non-empty list/ },
  ])('refused: $name', async ({ run, message }) => {
    await expect(async () => run()).rejects.toThrow(message);
  });
});

describe('IDX rank 4', () => {
  const images = bytesOf(4 * 3 * 2 * 3);
  const labels = Uint8Array.from([1, 0, 2, 1]);
  const labelsPath = write('idx/labels-idx1-ubyte', lib.writeIdx([4], labels));
  test.each([
    { name: 'rank 4 colour', file: 'colour-idx4-ubyte', bytes: lib.writeIdx([4, 3, 2, 3], images), channels: 3 },
    { name: 'rank 4 colour, gzipped', file: 'colour-idx4-ubyte.gz', bytes: gzipSync(lib.writeIdx([4, 3, 2, 3], images)), channels: 3 },
    { name: 'rank 4 with one channel', file: 'grey4-idx4-ubyte', bytes: lib.writeIdx([4, 3, 6, 1], images.subarray(0, 72)), channels: 1 },
    { name: 'rank 3 grey', file: 'grey-idx3-ubyte', bytes: lib.writeIdx([4, 3, 6], images.subarray(0, 72)), channels: 1 },
  ])('$name: channels $channels', async ({ file, bytes, channels }) => {
    const set = await lib.loadIdxImageSet(write(`idx/${file}`, bytes), labelsPath);
    expect({ count: set.count, height: set.height, channels: set.channels }).toEqual({ count: 4, height: 3, channels });
    expect(Array.from(set.images)).toEqual(Array.from(images.subarray(0, set.images.length)));
    expect(lib.parseIdx(lib.writeIdx([4, 3, 2, 3], images), 'images', 'x').dims).toEqual([4, 3, 2, 3]);
  });
  test.each([
    { name: 'rank 2 images', bytes: lib.writeIdx([4, 18], images), message: /rank2-idx: IDX rank 2, expected 3 or 4 \(images\)/ },
    { name: 'rank 4 with 2 channels', bytes: lib.writeIdx([4, 3, 3, 2], images.subarray(0, 72)), message: /rank2-idx: images of 2 channels \(\[4,3,3,2\]\); 1 \(grey\) or 3 \(RGB\)/ },
    { name: 'rank 4, gzipped, inflating past its header', bytes: gzipSync(Uint8Array.from([...lib.writeIdx([4, 3, 2, 3], images), 1, 2])), message: /rank2-idx: inflates to more than the 92 bytes/ },
  ])('refused: $name', async ({ bytes, message }) => {
    await expect(lib.loadIdxImageSet(write('idx/rank2-idx', bytes), labelsPath)).rejects.toThrow(message);
  });
});

describe('image folders', () => {
  const [w, h] = [6, 4];
  const png = (data: Uint8Array, channels: number, width = w, height = h) => encodePng({ width, height, data, channels, depth: 8 });
  const src = { antPng: bytesOf(w * h), antJpeg: smoothRgb(w, h), beePng: bytesOf(w * h * 3), catPng: bytesOf(w * h * 3), catRgba: bytesOf(w * h * 3) };
  /** The files of the folder, as paths below it. */
  const files: Record<string, Uint8Array | string> = {
    'ant/b.png': png(src.antPng, 1),
    'ant/a.jpeg': jpegOf(w, h, src.antJpeg),
    'Bee/only.PNG': png(src.beePng, 3),
    'cat/z.png': png(src.catPng, 3),
    'cat/deeper/y.png': png(rgba(src.catRgba), 4),
    'cat/.hidden.png': 'not an image',
    'cat/notes.txt': 'not an image either',
    '.cache/x.png': 'hidden folder',
    'top-level.png': 'outside any class folder',
  };
  let root = '';
  beforeAll(() => {
    root = join(dir, 'folder');
    for (const [rel, bytes] of Object.entries(files)) write(`folder/${rel}`, bytes);
    mkdirSync(join(root, 'empty'));
  });
  const grey3 = (g: Uint8Array) => Array.from(g).flatMap((v) => [v, v, v]);
  /** The images expected in label order (classes Bee, ant, cat, empty): [label, RGB pixels, exact]. */
  const expected: [number, ArrayLike<number>, boolean][] = [
    [0, src.beePng, true],
    [1, src.antJpeg, false], // a.jpeg before b.png
    [1, grey3(src.antPng), true],
    [2, src.catRgba, true], // deeper/y.png before z.png
    [2, src.catPng, true],
  ];
  const checkImages = (set: lib.ImageSet, order: number[], labels: number[]) => {
    const size = w * h * 3;
    expect({ count: set.count, height: set.height, width: set.width, channels: set.channels }).toEqual({ count: order.length, height: h, width: w, channels: 3 });
    expect(Array.from(set.labels)).toEqual(labels);
    order.forEach((e, i) => {
      const [, pixels, exact] = expected[e];
      const got = set.images.subarray(i * size, (i + 1) * size);
      if (exact) expect(Array.from(got)).toEqual(Array.from(pixels));
      else expect(maxDiff(got, pixels)).toBeLessThanOrEqual(16);
    });
  };

  test('classes sorted by code point, an empty class, files in path order, hidden and other files skipped', async () => {
    const set = await lib.loadImageFolder(root);
    expect(set.classNames).toEqual(['Bee', 'ant', 'cat', 'empty']);
    expect(set.source).toBe(root);
    checkImages(set, [0, 1, 2, 3, 4], [0, 1, 1, 2, 2]);
  });
  test('classes given: labels in their order', async () => {
    const set = await lib.loadImageFolder(root, { classes: ['empty', 'cat', 'ant', 'Bee'] });
    expect(set.classNames).toEqual(['empty', 'cat', 'ant', 'Bee']);
    checkImages(set, [3, 4, 1, 2, 0], [1, 1, 2, 2, 3]);
  });
  test('the same files in memory (imageFolderFromFiles): the same images; no empty class to see', () => {
    const set = lib.imageFolderFromFiles(Object.entries(files).map(([path, b]) => ({ path, bytes: typeof b === 'string' ? new TextEncoder().encode(b) : b })), { source: 'page' });
    expect({ classNames: set.classNames, source: set.source }).toEqual({ classNames: ['Bee', 'ant', 'cat'], source: 'page' });
    checkImages(set, [0, 1, 2, 3, 4], [0, 1, 1, 2, 2]);
  });
  test('channels 1: RGB by luma, grey kept', async () => {
    const set = await lib.loadImageFolder(root, { channels: 1 });
    const size = w * h;
    expect(set.channels).toBe(1);
    expect(Array.from(set.images.subarray(0, size))).toEqual(luma(src.beePng));
    expect(Array.from(set.images.subarray(2 * size, 3 * size))).toEqual(Array.from(src.antPng));
  });
  test('size: each image converted, then resized as the reference does', async () => {
    const set = await lib.loadImageFolder(root, { size: [5, 9], channels: 3 });
    expect({ height: set.height, width: set.width }).toEqual({ height: 5, width: 9 });
    const size = 5 * 9 * 3;
    expectRounded(set.images.subarray(0, size), referenceResize(src.beePng, h, w, 3, 5, 9));
    expectRounded(set.images.subarray(2 * size, 3 * size), referenceResize(grey3(src.antPng), h, w, 3, 5, 9));
  });

  /** A folder of its own for one refusal, written from `rel: bytes`. */
  const folder = (name: string, entries: Record<string, Uint8Array | string>) => {
    for (const [rel, bytes] of Object.entries(entries)) write(`${name}/${rel}`, bytes);
    return join(dir, name);
  };
  const ok = png(bytesOf(w * h * 3), 3);
  test.each([
    { name: 'a class that is no subfolder', run: () => lib.loadImageFolder(root, { classes: ['ant', 'Bee', 'cat', 'empty', 'dog'] }), message: /loadImageFolder: classes names "dog", not a subfolder of .*folder/ },
    { name: 'a subfolder left out of the classes', run: () => lib.loadImageFolder(root, { classes: ['ant', 'Bee', 'cat'] }), message: /loadImageFolder: classes leaves out the subfolders "empty"/ },
    { name: 'a class named twice', run: () => lib.loadImageFolder(root, { classes: ['ant', 'ant'] }), message: /classes names "ant" twice/ },
    { name: 'channels 4', run: () => lib.loadImageFolder(root, { channels: 4 as never }), message: /loadImageFolder: channels must be 1 \(grey\) or 3 \(RGB\)/ },
    { name: 'a size of one number', run: () => lib.loadImageFolder(root, { size: [8] as never }), message: /loadImageFolder: size must be \[height, width\]/ },
    { name: 'a missing folder', run: () => lib.loadImageFolder(join(dir, 'nowhere')), message: /nowhere: cannot read/ },
    { name: 'images of two sizes and no size', run: () => lib.loadImageFolder(folder('sizes', { 'a/1.png': ok, 'a/2.png': png(bytesOf(9), 1, 3, 3) })), message: /sizes\/a\/2\.png: image is 3x3 \(height x width\), .*sizes\/a\/1\.png 4x6; give a size/ },
    { name: 'a corrupt .png', run: () => lib.loadImageFolder(folder('corrupt', { 'a/1.png': ok, 'b/bad.png': ok.subarray(0, 50) })), message: /corrupt\/b\/bad\.png: corrupt or truncated PNG/ },
    { name: 'a truncated .jpg', run: () => lib.loadImageFolder(folder('truncated', { 'a/1.png': ok, 'b/cut.jpg': jpegOf(w, h, smoothRgb(w, h)).subarray(0, 200) })), message: /truncated\/b\/cut\.jpg: corrupt or truncated JPEG/ },
    { name: 'a text file named .jpg', run: () => lib.loadImageFolder(folder('text', { 'a/1.jpg': 'hello' })), message: /text\/a\/1\.jpg: neither a PNG nor a JPEG file/ },
    {
      name: 'a link to nothing',
      run: () => {
        const at = folder('dangling', { 'a/1.png': ok });
        symlinkSync(join(at, 'gone.png'), join(at, 'a', '2.png'));
        return lib.loadImageFolder(at);
      },
      message: /dangling\/a\/2\.png: cannot read/,
    },
    { name: 'no class subfolders', run: () => lib.loadImageFolder(folder('flat', { '1.png': ok })), message: /flat: no class subfolders/ },
    { name: 'class folders with no images', run: () => lib.loadImageFolder(folder('noimages', { 'a/readme.txt': 'x' })), message: /noimages: no PNG or JPEG files/ },
    {
      name: '257 classes',
      run: async () => lib.imageFolderFromFiles(Array.from({ length: 257 }, (_, i) => ({ path: `c${i}/1.png`, bytes: ok }))),
      message: /image files: 257 class subfolders, more than the 256/,
    },
    { name: 'files that are not {path, bytes}', run: async () => lib.imageFolderFromFiles([{ path: 'a/1.png', bytes: 'x' as never }]), message: /imageFolderFromFiles: files must be a list/ },
  ])('refused: $name', async ({ run, message }) => {
    await expect(async () => run()).rejects.toThrow(message);
  });
});

describe('loadLabeledImages picks the format', () => {
  const cifar = write('pick/batch.bin', Uint8Array.from({ length: 2 * 3073 }, (_, i) => (i % 3073 === 0 ? i / 3073 : Math.floor(random() * 256))));
  const cifar2 = write('pick/batch2.bin', Uint8Array.from({ length: 3073 }, (_, i) => (i === 0 ? 9 : Math.floor(random() * 256))));
  const idxImages = write('pick/images-idx3-ubyte', lib.writeIdx([2, 3, 3], bytesOf(18)));
  const idxLabels = write('pick/labels-idx1-ubyte', lib.writeIdx([2], Uint8Array.from([4, 2])));
  const classDir = join(dir, 'pick/folder');
  beforeAll(() => {
    write('pick/folder/x/1.png', encodePng({ width: 2, height: 2, data: bytesOf(4), channels: 1, depth: 8 }));
    write('pick/folder/y/1.png', encodePng({ width: 2, height: 2, data: bytesOf(4), channels: 1, depth: 8 }));
  });
  test('a directory: an image folder', async () => {
    const set = await lib.loadLabeledImages(classDir, { channels: 1 });
    expect({ classNames: set.classNames, count: set.count, channels: set.channels, source: set.source }).toEqual({ classNames: ['x', 'y'], count: 2, channels: 1, source: classDir });
  });
  test('a .bin of whole records, and a comma-separated list: CIFAR-10', async () => {
    const one = await lib.loadLabeledImages(cifar);
    expect({ count: one.count, channels: one.channels, labels: Array.from(one.labels), source: one.source }).toEqual({ count: 2, channels: 3, labels: [0, 1], source: cifar });
    const two = await lib.loadLabeledImages(`${cifar},${cifar2}`);
    expect({ count: two.count, labels: Array.from(two.labels), source: two.source }).toEqual({ count: 3, labels: [0, 1, 9], source: `${cifar},${cifar2}` });
  });
  test('CIFAR-10 with size and channels: as adaptImageSet does', async () => {
    const set = await lib.loadLabeledImages(cifar, { size: [28, 28], channels: 1 });
    const direct = lib.adaptImageSet(await lib.loadCifar10([cifar]), { size: [28, 28], channels: 1 });
    expect({ height: set.height, width: set.width, channels: set.channels }).toEqual({ height: 28, width: 28, channels: 1 });
    expect(Array.from(set.images)).toEqual(Array.from(direct.images));
    const grey = luma(lib.parseCifar10(new Uint8Array(await import('node:fs').then((fs) => fs.readFileSync(cifar))), 'x').images.subarray(0, 3072));
    expectRounded(set.images.subarray(0, 784), referenceResize(grey, 32, 32, 1, 28, 28));
  });
  test('anything else: IDX images with their labels file', async () => {
    const set = await lib.loadLabeledImages(idxImages, { labels: idxLabels });
    expect({ count: set.count, channels: set.channels, labels: Array.from(set.labels), source: set.source, labelSource: set.labelSource }).toEqual({ count: 2, channels: 1, labels: [4, 2], source: idxImages, labelSource: idxLabels });
  });
  test.each([
    { name: 'IDX images without labels', run: () => lib.loadLabeledImages(idxImages), message: /loadLabeledImages: labels is required with the IDX images .*images-idx3-ubyte/ },
    { name: 'labels with an image folder', run: () => lib.loadLabeledImages(classDir, { labels: idxLabels }), message: /loadLabeledImages: labels is not read for the image folder/ },
    { name: 'labels with CIFAR-10', run: () => lib.loadLabeledImages(cifar, { labels: idxLabels }), message: /loadLabeledImages: labels is not read for the CIFAR-10 files/ },
    { name: 'classes with IDX', run: () => lib.loadLabeledImages(idxImages, { labels: idxLabels, classes: ['a'] }), message: /loadLabeledImages: classes is for image folders/ },
    { name: 'a missing CIFAR-10 file in a list', run: () => lib.loadLabeledImages(`${cifar},${join(dir, 'pick/none.bin')}`), message: /none\.bin: cannot read/ },
    { name: 'a missing IDX file', run: () => lib.loadLabeledImages(join(dir, 'pick/none-idx3-ubyte'), { labels: idxLabels }), message: /none-idx3-ubyte: cannot read/ },
    { name: 'an empty spec', run: () => lib.loadLabeledImages(''), message: /loadLabeledImages: spec must be/ },
  ])('refused: $name', async ({ run, message }) => {
    await expect(run()).rejects.toThrow(message);
  });
});
