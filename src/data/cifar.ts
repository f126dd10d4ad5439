// CIFAR-10's binary batches (`data_batch_1.bin` ... `test_batch.bin`): records of one label byte and a
// 32x32 RGB image stored channels first (1,024 red, 1,024 green, then 1,024 blue bytes, each plane row
// major), read into an ImageSet of channels-last images. Several batches are read and joined in order.
import type { ImageSet } from './image_set';
import { AdversarialArgumentError } from '../core/validate';
import { readSource } from './idx';

/** CIFAR-10's class names by label. */
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

const SIDE = 32;
const PLANE = SIDE * SIDE;
/** Bytes in one CIFAR-10 record: the label byte and 3 planes of 32x32. */
export const CIFAR10_RECORD_BYTES = 1 + 3 * PLANE;

/** The records of `bytes` checked (a whole number of them, labels 0 to 9), naming `source` and the record. */
function checkRecords(bytes: Uint8Array, source: string): number {
  const count = Math.floor(bytes.length / CIFAR10_RECORD_BYTES);
  const over = bytes.length - count * CIFAR10_RECORD_BYTES;
  if (bytes.length === 0) throw new Error(`${source}: empty, no CIFAR-10 record (${CIFAR10_RECORD_BYTES} bytes each)`);
  if (over !== 0) {
    throw new Error(
      `${source}: ${bytes.length} bytes is not a whole number of ${CIFAR10_RECORD_BYTES}-byte CIFAR-10 records ` +
        `(record ${count} has ${over} of its ${CIFAR10_RECORD_BYTES} bytes)`,
    );
  }
  for (let r = 0; r < count; r++) {
    const label = bytes[r * CIFAR10_RECORD_BYTES];
    if (label > 9) throw new Error(`${source}: record ${r} has label ${label}; CIFAR-10 labels are 0 to 9 (is this a CIFAR-100 file?)`);
  }
  return count;
}

/** Copies the records of `bytes` into `images` (channels last) and `labels` from record `at` on. */
function copyRecords(bytes: Uint8Array, count: number, images: Uint8Array, labels: Uint8Array, at: number): void {
  for (let r = 0; r < count; r++) {
    const record = r * CIFAR10_RECORD_BYTES;
    labels[at + r] = bytes[record];
    const out = (at + r) * 3 * PLANE;
    for (let c = 0; c < 3; c++) {
      const plane = record + 1 + c * PLANE;
      for (let p = 0; p < PLANE; p++) images[out + 3 * p + c] = bytes[plane + p];
    }
  }
}

function cifarSet(images: Uint8Array, labels: Uint8Array, source: string): ImageSet {
  return { images, labels, count: labels.length, height: SIDE, width: SIDE, channels: 3, classNames: [...CIFAR10_CLASSES], source, labelSource: source };
}

/**
 * Parses one CIFAR-10 binary batch: 32x32x3 images, channels last, with the CIFAR-10 class names. A size
 * that is not a whole number of 3,073-byte records, or a label above 9, is refused naming `source` and the
 * record.
 *
 * @example
 * const set = parseCifar10(bytes, 'data_batch_1.bin');  // {count: 10000, height: 32, width: 32, channels: 3, ...}
 */
export function parseCifar10(bytes: Uint8Array, source: string): ImageSet {
  const count = checkRecords(bytes, source);
  const images = new Uint8Array(count * 3 * PLANE);
  const labels = new Uint8Array(count);
  copyRecords(bytes, count, images, labels, 0);
  return cifarSet(images, labels, source);
}

/**
 * Reads CIFAR-10 binary batches (Node paths or URLs) and joins them in the order given; `source` is the
 * files joined by commas. Every file is read and checked before the images are put together.
 *
 * @example
 * const train = await loadCifar10([1, 2, 3, 4, 5].map((i) => `cifar-10-batches-bin/data_batch_${i}.bin`));  // 50,000 images
 */
export async function loadCifar10(sources: string[]): Promise<ImageSet> {
  if (!Array.isArray(sources) || sources.length === 0 || sources.some((s) => typeof s !== 'string' || s === '')) {
    throw new AdversarialArgumentError('loadCifar10', 'sources', 'must be a non-empty list of file paths or URLs');
  }
  const files = await Promise.all(sources.map(async (source) => ({ source, bytes: await readSource(source) })));
  const counts = files.map((f) => checkRecords(f.bytes, f.source));
  const total = counts.reduce((a, b) => a + b, 0);
  const images = new Uint8Array(total * 3 * PLANE);
  const labels = new Uint8Array(total);
  let at = 0;
  files.forEach((f, i) => {
    copyRecords(f.bytes, counts[i], images, labels, at);
    at += counts[i];
  });
  return cifarSet(images, labels, sources.join(','));
}
