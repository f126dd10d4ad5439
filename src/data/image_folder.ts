// A folder of class subfolders of PNG and JPEG files (as Keras's image_dataset_from_directory and
// torchvision's ImageFolder) read into one ImageSet: labels by class folder, classes sorted by name or
// given, images decoded, converted to grey or RGB and resized to one size. The core takes the files'
// bytes (a page hands it File objects' bytes); loadImageFolder reads a directory in Node (node: modules
// imported by name, so the module still bundles for pages).
import type { ImageSet } from './image_set';
import { importByName } from '../platform/runtime';
import { AdversarialArgumentError } from '../core/validate';
import { decodeImage, type RawImage } from './decode_image';
import { checkChannels, checkSize, convertChannels, resizeBilinear } from './resize';

export interface ImageFolderOptions {
  /** `[height, width]` every image is resized to; default: the first image's size, and then all must have it. */
  size?: [number, number];
  /** 1 (grey) or 3 (RGB, the default). */
  channels?: 1 | 3;
  /** The classes in label order, each a class folder's name; default: the class folders' names sorted. */
  classes?: string[];
  /** Where the images came from, for the report (imageFolderFromFiles; loadImageFolder uses the folder); default `image files`. */
  source?: string;
}

/** One file of an image folder: its path below the folder (`cat/0001.png`, `/`-separated) and its bytes. */
export interface ImageFolderFile {
  path: string;
  bytes: Uint8Array;
}

/** The most classes an ImageSet's uint8 labels can tell apart. */
export const MAX_CLASSES = 256;

const IMAGE_EXTENSION = /\.(png|jpe?g)$/i;
const isHidden = (name: string) => name.startsWith('.');

/** Code-point order (Python's sorted(), not UTF-16 code units nor the locale's). */
function byCodePoint(a: string, b: string): number {
  const x = Array.from(a, (ch) => ch.codePointAt(0)!);
  const y = Array.from(b, (ch) => ch.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/** Refuses bad options naming `op` and the option, before anything is read. */
function checkOptions(op: string, o: ImageFolderOptions): void {
  if (typeof o !== 'object' || o === null) throw new AdversarialArgumentError(op, 'options', 'must be an object');
  if (o.size !== undefined) checkSize(op, o.size);
  if (o.channels !== undefined) checkChannels(op, o.channels);
  if (o.classes !== undefined) {
    const c = o.classes;
    if (!Array.isArray(c) || c.length === 0 || c.some((n) => typeof n !== 'string' || n === '' || /[/\\]/.test(n))) {
      throw new AdversarialArgumentError(op, 'classes', 'must be a non-empty list of class folder names (no slashes)');
    }
    const repeated = c.find((n, i) => c.indexOf(n) !== i);
    if (repeated !== undefined) throw new AdversarialArgumentError(op, 'classes', `names ${JSON.stringify(repeated)} twice`);
  }
}

interface Plan {
  classes: string[];
  /** Image files in label order, each class's sorted by path. */
  images: { path: string; label: number }[];
}

/** The classes and the image files (hidden and non-image files, and files outside a class folder, left out) of a folder. */
function planFolder(op: string, root: string, folders: string[], paths: string[], o: ImageFolderOptions): Plan {
  const sorted = [...folders].sort(byCodePoint);
  const classes = o.classes ? [...o.classes] : sorted;
  if (o.classes) {
    const missing = classes.filter((c) => !folders.includes(c));
    if (missing.length) throw new AdversarialArgumentError(op, 'classes', `names ${missing.map((m) => JSON.stringify(m)).join(', ')}, not a subfolder of ${root} (its subfolders: ${sorted.join(', ') || 'none'})`);
    const unlisted = sorted.filter((f) => !classes.includes(f));
    if (unlisted.length) throw new AdversarialArgumentError(op, 'classes', `leaves out the subfolders ${unlisted.map((m) => JSON.stringify(m)).join(', ')} of ${root}; list them too, or move them out`);
  }
  if (classes.length === 0) throw new Error(`${root}: no class subfolders (an image folder holds one subfolder of images per class)`);
  if (classes.length > MAX_CLASSES) throw new Error(`${root}: ${classes.length} class subfolders, more than the ${MAX_CLASSES} that uint8 labels tell apart`);
  const label = new Map(classes.map((c, i) => [c, i]));
  const images = paths
    .map((path) => ({ path, parts: path.split('/') }))
    .filter(({ parts }) => parts.length >= 2 && !parts.some(isHidden) && IMAGE_EXTENSION.test(parts[parts.length - 1]) && label.has(parts[0]))
    .map(({ path, parts }) => ({ path, label: label.get(parts[0])! }))
    .sort((a, b) => a.label - b.label || byCodePoint(a.path, b.path));
  if (images.length === 0) throw new Error(`${root}: no PNG or JPEG files (.png, .jpg, .jpeg) in its class subfolders`);
  return { classes, images };
}

/** Decodes, converts and resizes the images of a plan one by one into one ImageSet. */
class FolderBuilder {
  private images: Uint8Array | null = null;
  private readonly labels: Uint8Array;
  private height = 0;
  private width = 0;
  private first = '';
  private readonly channels: 1 | 3;

  constructor(
    private readonly plan: Plan,
    private readonly o: ImageFolderOptions,
    private readonly source: string,
  ) {
    this.labels = Uint8Array.from(plan.images, (f) => f.label);
    this.channels = o.channels ?? 3;
    if (o.size) [this.height, this.width] = o.size;
  }

  add(index: number, name: string, bytes: Uint8Array): void {
    let image: RawImage = decodeImage(bytes, name);
    if (image.channels !== this.channels) image = convertChannels(image, this.channels);
    if (!this.images) {
      if (!this.o.size) [this.height, this.width] = [image.height, image.width];
      this.first = name;
      this.images = new Uint8Array(this.plan.images.length * this.height * this.width * this.channels);
    }
    if (image.height !== this.height || image.width !== this.width) {
      if (!this.o.size) {
        throw new Error(`${name}: image is ${image.height}x${image.width} (height x width), ${this.first} ${this.height}x${this.width}; give a size ([height, width]) to resize them all to it`);
      }
      image = resizeBilinear(image, [this.height, this.width]);
    }
    this.images.set(image.data, index * image.data.length);
  }

  finish(): ImageSet {
    const { height, width, channels } = this;
    return { images: this.images!, labels: this.labels, count: this.labels.length, height, width, channels, classNames: this.plan.classes, source: this.source };
  }
}

/**
 * Reads an image folder given as its files (`{path: 'cat/0001.png', bytes}`, paths below the folder,
 * `/`-separated): the class folders are the paths' first parts. Labels follow `classes` (default: the
 * class folders sorted by code point); in a class the files are in path order. PNG and JPEG files
 * (.png, .jpg, .jpeg in any case) are read, hidden files and folders (dot-names), other extensions and
 * files outside a class folder skipped. Images are converted to `channels` (default 3), then resized to
 * `size` (default: the first image's size, which all must then have). An empty class folder cannot be
 * told from a missing one here: loadImageFolder can. A corrupt file is refused naming it.
 *
 * @example
 * const set = imageFolderFromFiles([{ path: 'cat/1.png', bytes: catPng }, { path: 'dog/1.jpg', bytes: dogJpeg }], { size: [64, 64] });
 * set.classNames;  // ['cat', 'dog']
 */
export function imageFolderFromFiles(files: ImageFolderFile[], options: ImageFolderOptions = {}): ImageSet {
  const op = 'imageFolderFromFiles';
  checkOptions(op, options);
  if (!Array.isArray(files) || files.some((f) => typeof f?.path !== 'string' || !(f.bytes instanceof Uint8Array))) {
    throw new AdversarialArgumentError(op, 'files', 'must be a list of {path, bytes: Uint8Array}');
  }
  const byPath = new Map<string, Uint8Array>();
  for (const f of files) {
    if (byPath.has(f.path)) throw new AdversarialArgumentError(op, 'files', `has the path ${JSON.stringify(f.path)} twice`);
    byPath.set(f.path, f.bytes);
  }
  const source = options.source ?? 'image files';
  const folders = [...new Set(files.map((f) => f.path.split('/')).filter((p) => p.length >= 2 && !isHidden(p[0])).map((p) => p[0]))];
  const plan = planFolder(op, source, folders, [...byPath.keys()], options);
  const builder = new FolderBuilder(plan, options, source);
  plan.images.forEach((f, i) => builder.add(i, f.path, byPath.get(f.path)!));
  return builder.finish();
}

/**
 * Reads an image folder from a directory (Node): a subfolder per class (hidden ones left out), PNG and
 * JPEG files in each, in subfolders of it too; as imageFolderFromFiles, with an empty class folder a class
 * with no examples. `classes` must name every class folder, and only those. `source` is `dir`. An
 * unreadable or corrupt file is refused naming it.
 *
 * @example
 * const train = await loadImageFolder('flowers/train', { size: [64, 64] });  // classNames: ['daisy', 'rose', ...]
 */
export async function loadImageFolder(dir: string, options: ImageFolderOptions = {}): Promise<ImageSet> {
  const op = 'loadImageFolder';
  if (typeof dir !== 'string' || dir === '') throw new AdversarialArgumentError(op, 'dir', 'must be a directory path');
  checkOptions(op, options);
  const fs = await importByName<typeof import('node:fs/promises')>('node:fs/promises');
  const at = (rel: string) => (rel ? `${dir.replace(/[/\\]+$/, '')}/${rel}` : dir);
  const cannot = (rel: string, error: unknown) => new Error(`${at(rel)}: cannot read (${(error as Error).message})`);
  /** The entries of a folder as files and folders, symbolic links followed. */
  const list = async (rel: string): Promise<{ files: string[]; folders: string[] }> => {
    const files: string[] = [];
    const folders: string[] = [];
    let entries;
    try {
      entries = await fs.readdir(at(rel), { withFileTypes: true });
    } catch (error) {
      throw cannot(rel, error);
    }
    for (const e of entries) {
      if (isHidden(e.name)) continue;
      const path = rel ? `${rel}/${e.name}` : e.name;
      let isDir = e.isDirectory();
      if (e.isSymbolicLink()) {
        try {
          isDir = (await fs.stat(at(path))).isDirectory();
        } catch (error) {
          throw cannot(path, error);
        }
      }
      (isDir ? folders : files).push(path);
    }
    return { files, folders };
  };
  const walk = async (rel: string, into: string[]): Promise<void> => {
    const { files, folders } = await list(rel);
    into.push(...files);
    for (const f of folders) await walk(f, into);
  };
  const top = await list('');
  const paths: string[] = [];
  for (const folder of top.folders) await walk(folder, paths);
  const plan = planFolder(op, dir, top.folders, paths, options);
  const builder = new FolderBuilder(plan, options, dir);
  for (let i = 0; i < plan.images.length; i++) {
    const path = at(plan.images[i].path);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await fs.readFile(path));
    } catch (error) {
      throw cannot(plan.images[i].path, error);
    }
    builder.add(i, path, bytes);
  }
  return builder.finish();
}
