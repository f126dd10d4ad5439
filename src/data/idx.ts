// The IDX format of MNIST-style data sets (`*-idx3-ubyte` images, `*-idx1-ubyte` labels): parsing with
// checks before any large allocation, and writing (the build packs the embedded digits as IDX); loading
// plain or gzipped files from a path (Node) or a URL (browsers: fetch and DecompressionStream).
import { importByName, isNode } from '../runtime';

/** Images (count x rows x cols, uint8) or labels (count, uint8) read from an IDX file. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;

/**
 * Parses an uncompressed IDX file of unsigned bytes with `rank` dimensions (3 for images, 1 for labels).
 * Throws, naming `source`, on a wrong magic number, a wrong rank or a length that does not match the header.
 *
 * @example
 * const labels = parseIdx(bytes, 1, 'train-labels-idx1-ubyte');  // {dims: [60000], data}
 */
export function parseIdx(bytes: Uint8Array, rank: 1 | 3, source: string): IdxArray {
  if (bytes.length < 4) throw new Error(`${source}: ${bytes.length} bytes is too short for an IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0) !== 0 || bytes[2] !== UBYTE) {
    throw new Error(`${source}: not an IDX file of unsigned bytes (magic 0x${view.getUint32(0).toString(16).padStart(8, '0')})`);
  }
  if (bytes[3] !== rank) throw new Error(`${source}: IDX rank ${bytes[3]}, expected ${rank} (${rank === 3 ? 'images' : 'labels'})`);
  if (bytes.length < 4 + 4 * rank) throw new Error(`${source}: ${bytes.length} bytes is too short for an IDX header`);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const count = dims.reduce((a, b) => a * b, 1);
  const offset = 4 + 4 * rank;
  if (bytes.length - offset !== count) {
    throw new Error(`${source}: header says [${dims}] = ${count} bytes of data, file has ${bytes.length - offset}`);
  }
  return { dims, data: bytes.subarray(offset) };
}

/** Writes an IDX file of unsigned bytes. */
export function writeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const offset = 4 + 4 * dims.length;
  const out = new Uint8Array(offset + data.length);
  const view = new DataView(out.buffer);
  out[2] = UBYTE;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, offset);
  return out;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** Whether `bytes` start like a gzip stream. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

async function gunzip(bytes: Uint8Array, source: string): Promise<Uint8Array> {
  try {
    if (typeof DecompressionStream !== 'undefined') {
      const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
      return new Uint8Array(await new Response(stream).arrayBuffer());
    }
    const zlib = await importByName<typeof import('node:zlib')>('node:zlib');
    return new Uint8Array(zlib.gunzipSync(bytes));
  } catch (error) {
    throw new Error(`${source}: corrupt or truncated gzip data (${(error as Error).message})`);
  }
}

async function readSource(source: string | URL): Promise<Uint8Array> {
  const text = String(source);
  const isUrl = /^(https?|blob|data):/.test(text);
  if (!isUrl && isNode()) {
    const fs = await importByName<typeof import('node:fs/promises')>('node:fs/promises');
    try {
      return new Uint8Array(await fs.readFile(text.startsWith('file:') ? new URL(text) : text));
    } catch (error) {
      throw new Error(`${text}: cannot read (${(error as Error).message})`);
    }
  }
  const response = await fetch(text);
  if (!response.ok) throw new Error(`${text}: HTTP ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * Reads an IDX file of unsigned bytes, plain or gzipped, from a path (Node) or a URL (browser: fetch and
 * DecompressionStream), and parses it with `rank` dimensions (3 for images, 1 for labels).
 *
 * @example
 * const images = await loadIdx('data/train-images-idx3-ubyte.gz', 3);  // {dims: [60000, 28, 28], data}
 */
export async function loadIdx(source: string | URL, rank: 1 | 3): Promise<IdxArray> {
  const name = String(source);
  const raw = await readSource(source);
  return parseIdx(isGzip(raw) ? await gunzip(raw, name) : raw, rank, name);
}

/** Images and labels of an IDX pair: uint8 images (count x height x width) and uint8 labels. */
export interface IdxImageSet {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
}

/**
 * Loads an images file (`*-idx3-ubyte[.gz]`) and a labels file (`*-idx1-ubyte[.gz]`), checking that their
 * counts match, e.g. the full MNIST or Fashion-MNIST.
 *
 * @example
 * const train = await loadIdxImageSet('train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz');
 */
export async function loadIdxImageSet(imagesSource: string | URL, labelsSource: string | URL): Promise<IdxImageSet> {
  const [images, labels] = await Promise.all([loadIdx(imagesSource, 3), loadIdx(labelsSource, 1)]);
  if (images.dims[0] !== labels.dims[0]) {
    throw new Error(`${String(labelsSource)}: ${labels.dims[0]} labels for the ${images.dims[0]} images of ${String(imagesSource)}`);
  }
  return { images: images.data, labels: labels.data, count: images.dims[0], height: images.dims[1], width: images.dims[2] };
}
