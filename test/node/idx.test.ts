// The IDX loader: round trips (plain and gzipped, path and file URL), and clear errors for wrong magic
// numbers, wrong ranks, truncated files, corrupt gzip streams and label counts that do not match.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';

const dir = mkdtempSync(join(tmpdir(), 'idx-test-'));
const file = (name: string, bytes: Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};

const images = Uint8Array.from({ length: 3 * 5 * 4 }, (_, i) => (i * 29) % 256);
const labels = Uint8Array.from([7, 0, 9]);
const imagesIdx = lib.writeIdx([3, 5, 4], images);
const labelsIdx = lib.writeIdx([3], labels);

describe('IDX loader', () => {
  test('round trip, plain and gzipped, by path and by file URL', async () => {
    for (const [imagesPath, labelsPath] of [
      [file('a-images-idx3-ubyte', imagesIdx), file('a-labels-idx1-ubyte', labelsIdx)],
      [file('b-images-idx3-ubyte.gz', gzipSync(imagesIdx)), file('b-labels-idx1-ubyte.gz', gzipSync(labelsIdx))],
    ]) {
      for (const [i, l] of [
        [imagesPath, labelsPath],
        [pathToFileURL(imagesPath).href, pathToFileURL(labelsPath).href],
      ]) {
        const set = await lib.loadIdxImageSet(i, l);
        expect({ count: set.count, height: set.height, width: set.width }).toEqual({ count: 3, height: 5, width: 4 });
        expect(Array.from(set.images)).toEqual(Array.from(images));
        expect(Array.from(set.labels)).toEqual(Array.from(labels));
      }
    }
  });

  const truncated = imagesIdx.subarray(0, imagesIdx.length - 7);
  const badMagic = imagesIdx.slice();
  badMagic[2] = 0x0d;
  const corruptGzip = gzipSync(imagesIdx).slice();
  corruptGzip.fill(0x55, 12, 30);
  const cases: [string, Uint8Array, 1 | 3, RegExp][] = [
    ['truncated data', truncated, 3, /header says \[3,5,4\] = 60 bytes of data, file has 53/],
    ['truncated header', imagesIdx.subarray(0, 9), 3, /9 bytes is too short for an IDX header/],
    ['wrong magic number (float data)', badMagic, 3, /not an IDX file of unsigned bytes \(magic 0x00000d03\)/],
    ['labels file where images are expected', labelsIdx, 3, /IDX rank 1, expected 3 \(images\)/],
    ['corrupt gzip stream', corruptGzip, 3, /corrupt or truncated gzip data/],
    ['truncated gzip stream', gzipSync(imagesIdx).subarray(0, 20), 3, /corrupt or truncated gzip data/],
  ];
  for (const [name, bytes, rank, message] of cases) {
    test(`${name}: refused with a clear error naming the file`, async () => {
      const path = file(`bad-${name.replace(/\W+/g, '-')}`, bytes);
      await expect(lib.loadIdx(path, rank)).rejects.toThrow(message);
      await expect(lib.loadIdx(path, rank)).rejects.toThrow(path);
    });
  }

  test('label count that does not match the images is refused', async () => {
    const i = file('c-images-idx3-ubyte', imagesIdx);
    const l = file('c-labels-idx1-ubyte', lib.writeIdx([2], labels.subarray(0, 2)));
    await expect(lib.loadIdxImageSet(i, l)).rejects.toThrow(/2 labels for the 3 images/);
  });

  test('a missing file is refused, naming it', async () => {
    await expect(lib.loadIdx(join(dir, 'missing-idx3-ubyte'), 3)).rejects.toThrow(/missing-idx3-ubyte: cannot read/);
  });
});
