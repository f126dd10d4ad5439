// The test images of "Evaluate a saved model": a picked folder of class subfolders of PNG/JPEG files, loose
// PNG/JPEG files (the class in each file's name), an IDX pair, or the embedded digits' test split; read with
// the library's runtime-free readers, converted and resized to the model's input, class names from the
// folders or the model's metadata.json, and a class count that does not fit the model refused naming the pick.
import * as lib from '../index';
import type { ImageSet, PreparedData } from '../job/data';
import { $, pageState } from './state';
import type { PickedModel } from './model_files';

/** The test data of a loaded model, uploaded, and where it came from. */
export interface PickedData {
  data: PreparedData;
  source: string;
  /** Class names by label (the folders', the metadata.json's), when known. */
  classNames?: string[];
  labels: Uint8Array;
}

const IMAGE_FILE = /\.(png|jpe?g)$/i;
const filesOf = (id: string) => Array.from($<HTMLInputElement>(id).files ?? []);

/** A loose image file's class: its name up to the first `_` or `.` (cat_001.png, cat.0.jpg). */
export const looseFileClass = (name: string) => name.split(/[_.]/)[0];

/** The message of an error from the library's readers, without its `op: argument` prefix. */
const messageOf = (err: unknown) => {
  const e = err as { name?: string; op?: string; message: string };
  return e.name === 'AdversarialArgumentError' && e.op ? e.message.replace(`${e.op}: `, '') : e.message;
};

/** Reads `{path, file}` entries as an image folder at the model's input size and channels, errors prefixed by `pick`. */
async function readFolder(pick: string, entries: { path: string; file: File }[], picked: PickedModel, channels: 1 | 3, hint: string): Promise<ImageSet> {
  const [h, w] = picked.model.inputShape;
  const files = await Promise.all(entries.map(async (e) => ({ path: e.path, bytes: new Uint8Array(await e.file.arrayBuffer()) })));
  let set: ImageSet;
  try {
    set = lib.imageFolderFromFiles(files, { size: [h, w], channels, classes: picked.labels, source: pick });
  } catch (err) {
    const e = err as { argument?: string };
    if (e.argument === 'classes') throw new Error(`${pick}: its classes do not fit the labels of the metadata.json picked with the model: ${messageOf(err).replace(/^classes /, '')}`);
    throw new Error(`${pick}: ${messageOf(err)}`);
  }
  const classes = set.classNames!;
  if (classes.length !== picked.model.numClasses) {
    throw new Error(`${pick}: ${classes.length} classes (${classes.join(', ')}), but the model ${picked.name} outputs ${picked.model.numClasses}: pick images of the model's classes, ${hint}`);
  }
  return set;
}

/** The picked folder (`<input webkitdirectory>`): `class/file.png` below its top folder. */
async function pickedFolder(files: File[], picked: PickedModel, channels: 1 | 3): Promise<ImageSet> {
  const top = files[0].webkitRelativePath.split('/')[0];
  if (!top) throw new Error('images folder: this browser gave no folder paths (webkitRelativePath); pick the images as files instead');
  const entries = files
    .map((file) => ({ path: file.webkitRelativePath.split('/').slice(1).join('/'), file }))
    .filter((e) => IMAGE_FILE.test(e.path));
  return readFolder(`images folder ${top}`, entries, picked, channels, 'one subfolder per class');
}

/** Loose PNG/JPEG files, each in the class its name starts with. */
async function pickedFiles(files: File[], picked: PickedModel, channels: 1 | 3): Promise<ImageSet> {
  const other = files.find((f) => !IMAGE_FILE.test(f.name));
  if (other) throw new Error(`image files: ${other.name} is not a .png, .jpg or .jpeg file (IDX files go in the IDX pickers)`);
  const entries = files.map((file) => ({ path: `${looseFileClass(file.name)}/${file.name}`, file }));
  return readFolder(`image files (${files.length})`, entries, picked, channels, 'each named class_... or class.... by its class');
}

/** An IDX images + labels pair (plain or .gz). */
async function pickedIdx(images: File, labels: File): Promise<ImageSet> {
  const [imagesUrl, labelsUrl] = [URL.createObjectURL(images), URL.createObjectURL(labels)];
  try {
    const set = await lib.loadIdxImageSet(imagesUrl, labelsUrl);
    return { ...set, source: `${images.name} + ${labels.name}`, labelSource: `IDX labels ${labels.name}` };
  } catch (err) {
    throw new Error(`IDX files ${images.name} + ${labels.name}: ${(err as Error).message.replaceAll(imagesUrl, images.name).replaceAll(labelsUrl, labels.name)}`);
  } finally {
    URL.revokeObjectURL(imagesUrl);
    URL.revokeObjectURL(labelsUrl);
  }
}

/** Reads the test images picked beside the model (or the embedded digits) and uploads the first `examples`. */
export async function readPickedData(picked: PickedModel, examples: number): Promise<PickedData> {
  const { model } = picked;
  const [h, w, c] = model.inputShape;
  if (c !== 1 && c !== 3) throw new Error(`the model ${picked.name} takes ${c} channels; the page reads grey (1) or RGB (3) images`);
  const channels = c as 1 | 3;
  const folder = filesOf('image-folder');
  const loose = filesOf('image-files');
  const [idxImages, idxLabels] = [filesOf('idx-images')[0], filesOf('idx-labels')[0]];
  const kinds = [folder.length > 0 && 'an images folder', loose.length > 0 && 'image files', (idxImages || idxLabels) && 'IDX files'].filter(Boolean);
  if (kinds.length > 1) throw new Error(`pick one test set: ${kinds.join(' and ')} are picked`);
  let set: ImageSet;
  let embedded = false;
  if (folder.length) set = await pickedFolder(folder, picked, channels);
  else if (loose.length) set = await pickedFiles(loose, picked, channels);
  else if (idxImages || idxLabels) {
    if (!idxImages || !idxLabels) throw new Error('pick both an images and a labels IDX file (or neither, for the embedded digits)');
    set = await pickedIdx(idxImages, idxLabels);
  } else {
    set = { ...pageState.digits, source: 'embedded digits, test split' };
    embedded = true;
  }
  // IDX and the digits are grey 28x28: brought to the model's input like the folders.
  if (set.height !== h || set.width !== w || (set.channels ?? 1) !== channels) set = lib.adaptImageSet(set, { size: [h, w], channels });
  // Folders were checked by their classes; IDX labels and the digits by their largest label.
  const at = set.labels.findIndex((l) => l >= model.numClasses);
  if (at >= 0) {
    throw new Error(`${set.labelSource ?? set.source}: label ${set.labels[at]} at example ${at}, but the model ${picked.name} outputs ${model.numClasses} classes (labels 0 to ${model.numClasses - 1}): pick images of the model's classes`);
  }
  const classNames = set.classNames ?? picked.labels;
  const options = embedded ? { limitTest: examples, probeExamples: 0 } : { allTest: true, limitTest: examples };
  let data: PreparedData;
  try {
    data = lib.prepareJobData(set, undefined, { ...options, numClasses: model.numClasses });
  } catch (err) {
    throw new Error(`${set.labelSource ?? set.source}: ${messageOf(err)} (the model ${picked.name} outputs ${model.numClasses} classes)`);
  }
  return { data, source: set.source, labels: set.labels, ...(classNames ? { classNames } : {}) };
}
