// The IDX format of MNIST-style data sets (`*-idx3-ubyte` images, `*-idx1-ubyte` labels): parsing with
// checks before any large allocation, and writing (the build packs the embedded digits as IDX).

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
  if (bytes.length < 4 + 4 * rank) throw new Error(`${source}: ${bytes.length} bytes is too short for an IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0) !== 0 || bytes[2] !== UBYTE) {
    throw new Error(`${source}: not an IDX file of unsigned bytes (magic 0x${view.getUint32(0).toString(16).padStart(8, '0')})`);
  }
  if (bytes[3] !== rank) throw new Error(`${source}: IDX rank ${bytes[3]}, expected ${rank} (${rank === 3 ? 'images' : 'labels'})`);
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
