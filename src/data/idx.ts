// The IDX format of MNIST-style data sets (`*-idx3-ubyte` images, `*-idx1-ubyte` labels): parsing with
// checks before any large allocation, and writing (the build packs the embedded digits as IDX); loading
// plain or gzipped files from a path (Node) or a URL (browsers: fetch and DecompressionStream), a gzipped
// file's header read from the stream before it is inflated, and the inflated data capped by the header.
// Images are rank 3 (`[n, h, w]`, grey) or rank 4 (`[n, h, w, c]`, channels last).
import { importByName, isNode } from '../platform/runtime';

/** Images (count x rows x cols [x channels], uint8) or labels (count, uint8) read from an IDX file. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;

/**
 * The rank an IDX file must have: 1 (labels), 3 or 4 exactly, or `'images'`: 3 (`[n, h, w]`, grey) or 4
 * (`[n, h, w, c]`, channels last).
 */
export type IdxRank = 1 | 3 | 4 | 'images';

const ranksOf = (rank: IdxRank): number[] => (rank === 'images' ? [3, 4] : [rank]);
const rankText = (rank: IdxRank): string => (rank === 'images' ? '3 or 4 (images)' : `${rank} (${rank === 1 ? 'labels' : 'images'})`);

/** The most data bytes an IDX file may hold (2 GiB): a header that claims more is refused before anything is allocated. */
export const MAX_IDX_BYTES = 2 ** 31;

/** The header at the start of `bytes` (magic, rank, dims) checked; null while there are too few bytes to tell. */
function idxHeader(bytes: Uint8Array, expected: IdxRank, source: string, complete: boolean): { dims: number[]; offset: number; count: number } | null {
  const short = () => {
    if (!complete) return null;
    throw new Error(`${source}: ${bytes.length} bytes is too short for an IDX header`);
  };
  if (bytes.length < 4) return short();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0) !== 0 || bytes[2] !== UBYTE) {
    throw new Error(`${source}: not an IDX file of unsigned bytes (magic 0x${view.getUint32(0).toString(16).padStart(8, '0')})`);
  }
  if (!ranksOf(expected).includes(bytes[3])) throw new Error(`${source}: IDX rank ${bytes[3]}, expected ${rankText(expected)}`);
  const rank = bytes[3];
  const offset = 4 + 4 * rank;
  if (bytes.length < offset) return short();
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const count = dims.reduce((a, b) => a * b, 1);
  if (count > MAX_IDX_BYTES) throw new Error(`${source}: header says [${dims}] = ${count} bytes of data, more than the ${MAX_IDX_BYTES} an IDX file may hold here`);
  return { dims, offset, count };
}

/**
 * Parses an uncompressed IDX file of unsigned bytes with `rank` dimensions (1 for labels; 3, 4 or
 * `'images'`, either of them, for images). Throws, naming `source`, on a wrong magic number, a wrong rank
 * or a length that does not match the header.
 *
 * @example
 * const labels = parseIdx(bytes, 1, 'train-labels-idx1-ubyte');  // {dims: [60000], data}
 * const colour = parseIdx(bytes, 'images', 'train-images-idx4-ubyte');  // {dims: [50000, 32, 32, 3], data}
 */
export function parseIdx(bytes: Uint8Array, rank: IdxRank, source: string): IdxArray {
  const { dims, offset, count } = idxHeader(bytes, rank, source, true)!;
  if (bytes.length - offset !== count) {
    throw new Error(`${source}: header says [${dims}] = ${count} bytes of data, file has ${bytes.length - offset}`);
  }
  return { dims, data: bytes.subarray(offset) };
}

/**
 * Parses an IDX file arriving as inflated chunks: the header is read and checked from the first bytes,
 * before anything large is allocated; the data may not run past what the header says (a gzip bomb stops
 * there, `stop()` ending the inflation) nor stop short of it.
 */
async function parseIdxChunks(chunks: AsyncIterable<Uint8Array>, rank: IdxRank, source: string, stop: () => void): Promise<IdxArray> {
  let head = new Uint8Array(0);
  let header: ReturnType<typeof idxHeader> = null;
  let out: Uint8Array | null = null;
  let filled = 0;
  let total = 0;
  try {
    for await (const chunk of chunks) {
      let piece = chunk;
      if (!header) {
        const joined = new Uint8Array(head.length + piece.length);
        joined.set(head);
        joined.set(piece, head.length);
        // The rank byte says how long the header is; till it has come, read at most the longest header.
        const headerLength = 4 + 4 * (joined.length >= 4 ? joined[3] : Math.max(...ranksOf(rank)));
        head = joined.subarray(0, Math.min(joined.length, headerLength));
        header = idxHeader(head, rank, source, false);
        if (!header) continue;
        total = header.offset + header.count;
        out = new Uint8Array(total);
        piece = joined;
      }
      if (filled + piece.length > total) throw new Error(`${source}: inflates to more than the ${total} bytes its header says ([${header.dims}] = ${header.count} bytes of data)`);
      out!.set(piece, filled);
      filled += piece.length;
    }
  } catch (error) {
    stop();
    throw error;
  }
  if (!header) header = idxHeader(head, rank, source, true)!;
  if (filled !== total) throw new Error(`${source}: header says [${header.dims}] = ${header.count} bytes of data, file has ${filled - header.offset}`);
  return { dims: header.dims, data: out!.subarray(header.offset) };
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

/** The inflated chunks of gzipped `bytes` (Node: a zlib stream; browsers: DecompressionStream), and a way to stop early. */
async function gunzipChunks(bytes: Uint8Array, source: string): Promise<{ chunks: AsyncIterable<Uint8Array>; stop: () => void }> {
  const corrupt = (error: unknown) => new Error(`${source}: corrupt or truncated gzip data (${(error as Error).message})`);
  async function* guarded(inner: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    try {
      for await (const c of inner) yield c;
    } catch (error) {
      throw corrupt(error);
    }
  }
  if (isNode()) {
    const zlib = await importByName<typeof import('node:zlib')>('node:zlib');
    const gunzip = zlib.createGunzip();
    gunzip.end(bytes);
    return { chunks: guarded(gunzip as AsyncIterable<Uint8Array>), stop: () => gunzip.destroy() };
  }
  const reader = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  async function* read(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  }
  return { chunks: guarded(read()), stop: () => void reader.cancel().catch(() => {}) };
}

/** The bytes of a path (Node; a `file:` URL too) or of a URL (fetch), refused naming `source` when they cannot be read. */
export async function readSource(source: string | URL): Promise<Uint8Array> {
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
 * DecompressionStream), and parses it with `rank` dimensions (1 for labels; 3, 4 or `'images'`, either of
 * them, for images).
 *
 * @example
 * const images = await loadIdx('data/train-images-idx3-ubyte.gz', 3);  // {dims: [60000, 28, 28], data}
 * const colour = await loadIdx('data/cifar-images-idx4-ubyte.gz', 'images');  // {dims: [50000, 32, 32, 3], data}
 */
export async function loadIdx(source: string | URL, rank: IdxRank): Promise<IdxArray> {
  const name = String(source);
  const raw = await readSource(source);
  if (!isGzip(raw)) return parseIdx(raw, rank, name);
  const { chunks, stop } = await gunzipChunks(raw, name);
  return parseIdxChunks(chunks, rank, name, stop);
}

/** Images and labels of an IDX pair: uint8 images (count x height x width x channels, channels last) and uint8 labels. */
export interface IdxImageSet {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
  /** 1 (grey: a rank 3 file, or rank 4 with one channel) or 3 (RGB). */
  channels: number;
}

/**
 * Loads an images file (`*-idx3-ubyte[.gz]`, `[n, h, w]`, or rank 4, `[n, h, w, c]` with 1 or 3 channels
 * last) and a labels file (`*-idx1-ubyte[.gz]`), checking that their counts match, e.g. the full MNIST or
 * Fashion-MNIST.
 *
 * @example
 * const train = await loadIdxImageSet('train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz');  // channels 1
 */
export async function loadIdxImageSet(imagesSource: string | URL, labelsSource: string | URL): Promise<IdxImageSet> {
  const [images, labels] = await Promise.all([loadIdx(imagesSource, 'images'), loadIdx(labelsSource, 1)]);
  const channels = images.dims[3] ?? 1;
  if (channels !== 1 && channels !== 3) throw new Error(`${String(imagesSource)}: images of ${channels} channels ([${images.dims}]); 1 (grey) or 3 (RGB) are read`);
  if (images.dims[0] !== labels.dims[0]) {
    throw new Error(`${String(labelsSource)}: ${labels.dims[0]} labels for the ${images.dims[0]} images of ${String(imagesSource)}`);
  }
  return { images: images.data, labels: labels.data, count: images.dims[0], height: images.dims[1], width: images.dims[2], channels };
}
