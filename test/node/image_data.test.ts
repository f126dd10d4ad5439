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
