// One entry for labelled images in Node, the format told from the path: a directory is an image folder,
// a comma-separated list or a `.bin` file of whole 3,073-byte records is CIFAR-10, anything else IDX
// images with a separate IDX labels file. Every format comes back as an ImageSet, resized and converted
// on request.
import type { ImageSet } from './image_set';
import { importByName } from '../platform/runtime';
import { AdversarialArgumentError } from '../core/validate';
import { CIFAR10_RECORD_BYTES, loadCifar10 } from './cifar';
import { loadIdxImageSet } from './idx';
import { loadImageFolder } from './image_folder';
import { adaptImageSet, checkChannels, checkSize } from './resize';

export interface LabeledImagesOptions {
  /** The IDX labels file of IDX images (required for them; refused for the other formats, whose labels come with the images). */
  labels?: string;
  /** `[height, width]` to resize every image to (an image folder's default: its first image's size). */
  size?: [number, number];
  /** 1 (grey) or 3 (RGB): an image folder's default 3, the others' their own. */
  channels?: 1 | 3;
  /** An image folder's classes in label order (the folder's only). */
  classes?: string[];
}

/** What `spec` names: an image folder, CIFAR-10 batches or IDX images. */
async function formatOf(spec: string): Promise<{ kind: 'folder' } | { kind: 'cifar'; files: string[] } | { kind: 'idx' }> {
  const fs = await importByName<typeof import('node:fs/promises')>('node:fs/promises');
  const stat = await fs.stat(spec).catch(() => null);
  if (stat?.isDirectory()) return { kind: 'folder' };
  if (!stat && spec.includes(',')) return { kind: 'cifar', files: spec.split(',').map((s) => s.trim()) };
  if (stat?.isFile() && /\.bin$/i.test(spec) && stat.size > 0 && stat.size % CIFAR10_RECORD_BYTES === 0) return { kind: 'cifar', files: [spec] };
  return { kind: 'idx' };
}

/**
 * Loads labelled images from `spec` (Node), picking the format: a directory is an image folder
 * (loadImageFolder, with `size`, `channels` and `classes`); a comma-separated list of files, or one file
 * named `.bin` whose size is a whole number of 3,073-byte records, is CIFAR-10 (loadCifar10); anything
 * else is an IDX images file, whose labels file `o.labels` must name. CIFAR-10 and IDX images are
 * converted to `channels` and resized to `size` when these are given. `source` is `spec`.
 *
 * @example
 * await loadLabeledImages('flowers/train', { size: [64, 64] });
 * await loadLabeledImages('cifar/data_batch_1.bin,cifar/data_batch_2.bin');
 * await loadLabeledImages('train-images-idx3-ubyte.gz', { labels: 'train-labels-idx1-ubyte.gz' });
 */
export async function loadLabeledImages(spec: string, o: LabeledImagesOptions = {}): Promise<ImageSet> {
  const op = 'loadLabeledImages';
  if (typeof spec !== 'string' || spec.trim() === '') throw new AdversarialArgumentError(op, 'spec', 'must be a directory, CIFAR-10 files (comma-separated) or an IDX images file');
  if (typeof o !== 'object' || o === null) throw new AdversarialArgumentError(op, 'options', 'must be an object');
  if (o.size !== undefined) checkSize(op, o.size);
  if (o.channels !== undefined) checkChannels(op, o.channels);
  if (o.labels !== undefined && (typeof o.labels !== 'string' || o.labels === '')) throw new AdversarialArgumentError(op, 'labels', 'must be the path of an IDX labels file');
  const format = await formatOf(spec);
  if (format.kind === 'folder') {
    if (o.labels !== undefined) throw new AdversarialArgumentError(op, 'labels', `is not read for the image folder ${spec} (its labels are its class subfolders)`);
    return loadImageFolder(spec, { size: o.size, channels: o.channels, classes: o.classes });
  }
  if (o.classes !== undefined) throw new AdversarialArgumentError(op, 'classes', `is for image folders; ${spec} is ${format.kind === 'cifar' ? 'CIFAR-10' : 'IDX images'}`);
  if (format.kind === 'cifar') {
    if (o.labels !== undefined) throw new AdversarialArgumentError(op, 'labels', `is not read for the CIFAR-10 files ${spec} (each record holds its label)`);
    if (format.files.some((f) => f === '')) throw new AdversarialArgumentError(op, 'spec', `has an empty name in its list of CIFAR-10 files: ${JSON.stringify(spec)}`);
    return { ...adaptImageSet(await loadCifar10(format.files), o), source: spec, labelSource: spec };
  }
  if (o.labels === undefined) throw new AdversarialArgumentError(op, 'labels', `is required with the IDX images ${spec} (the IDX labels file)`);
  const set = await loadIdxImageSet(spec, o.labels);
  return adaptImageSet({ ...set, source: spec, labelSource: o.labels }, o);
}
