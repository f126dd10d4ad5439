// The model and the test points of an `eval`, loaded and checked the one way every eval does it (a single
// run, a shard, the submitter of `eval --queue` and each queue worker): the model read with its inputs
// (frozen layers, input scale, metadata.json's class names), its classes checked against the data's, the
// data prepared and uploaded (the test part, `limitTest`), and both fingerprinted.
import type { Classifier } from '../models/classifier';
import { prepareJobData, type ImageSet, type PreparedData } from './data';
import { AdversarialArgumentError } from '../core/validate';
import { withInputScale } from '../models/input_scale';
import { loadClassifierFiles } from '../models/model_files';
import { dataFingerprint, modelFingerprint } from './fingerprint';
import type { JobIO } from './io';

/** How a job reads its images and its model, beyond the files: plain data, checked by the command line. */
export interface JobInputs {
  /** Image folders: the class folders in label order. */
  classes?: string[];
  /** Image folders: [height, width] to resize to. */
  imageSize?: [number, number];
  /** The input scale the given model expects, folded into it: a range, or per-channel mean and std in [0, 1] pixels. */
  inputScale?: { range: [number, number] } | { mean: number[]; std: number[] };
  /** Fine-tuning: train only from this layer (an index: the first N layers frozen; or a name) on. */
  trainableFrom?: number | string;
}

/**
 * The model.json at `path` (a Layers or a graph model) read through `io` as a classifier that owns its
 * model: `inputs`' frozen layers and input scale applied, class names from a metadata.json beside it (Teachable Machine's export).
 */
export async function loadJobModel(path: string, io: JobIO, inputs: JobInputs = {}): Promise<Classifier> {
  const read = async (p: string) => {
    const bytes = await io.readFile(p);
    if (!bytes) throw new Error(`${p}: no such file`);
    return bytes;
  };
  let model: Classifier;
  try {
    model = await loadClassifierFiles(path, read, { trainableFrom: inputs.trainableFrom });
  } catch (err) {
    const e = err as AdversarialArgumentError;
    if (e.name === 'AdversarialArgumentError' && e.argument === 'options.trainableFrom') {
      throw new AdversarialArgumentError('loadJobModel', typeof inputs.trainableFrom === 'number' ? 'freeze' : 'trainableFrom', e.message.replace(/^.*?options\.trainableFrom /, ''));
    }
    throw err;
  }
  try {
    const classNames = await metadataClassNames(path, io, model.numClasses);
    const scaled = inputs.inputScale ? withInputScale(model, inputs.inputScale) : model;
    return classNames ? { ...scaled, classNames } : scaled;
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/** The `labels` of a metadata.json beside `modelPath` (Teachable Machine's export), checked against the model's classes; undefined without one. */
async function metadataClassNames(modelPath: string, io: JobIO, numClasses: number): Promise<string[] | undefined> {
  const metadataPath = `${modelPath.slice(0, Math.max(modelPath.lastIndexOf('/'), modelPath.lastIndexOf('\\')) + 1)}metadata.json`;
  const bytes = await io.readFile(metadataPath);
  if (!bytes) return undefined;
  let labels: unknown;
  try {
    labels = (JSON.parse(new TextDecoder().decode(bytes)) as { labels?: unknown }).labels;
  } catch (err) {
    throw new AdversarialArgumentError('loadJobModel', 'model', `${metadataPath} is not valid JSON (${(err as Error).message})`);
  }
  if (labels === undefined) return undefined;
  if (!Array.isArray(labels) || !labels.every((l) => typeof l === 'string') || labels.length !== numClasses) {
    throw new AdversarialArgumentError('loadJobModel', 'model', `${metadataPath} lists ${Array.isArray(labels) ? labels.length : 'no'} labels, but the model outputs ${numClasses} classes`);
  }
  return labels as string[];
}

/**
 * The model's outputs cover the data's labels (a label `l` needs at least `l + 1` logits), checked before
 * the upload: an AdversarialArgumentError naming `model` (the model, not the labels, is what does not fit).
 */
export function checkModelCoversLabels(model: Classifier, modelPath: string, set: ImageSet, op = 'eval'): void {
  let max = 0;
  let at = 0;
  set.labels.forEach((l, i) => {
    if (l > max) [max, at] = [l, i];
  });
  if (max >= model.numClasses) {
    throw new AdversarialArgumentError(op, 'model', `${modelPath} outputs ${model.numClasses} logits (classes 0..${model.numClasses - 1}), but the data has ${max + 1} classes (label ${max} at example ${at} of ${set.labelSource ?? set.source}): a model for other data?`);
  }
}

/**
 * A data set that names its classes (an image folder, CIFAR-10) has as many as `model` outputs: refused
 * naming `classes` (when the classes were given) or the part's images (`train`, `test`), not the model.
 */
export function checkClassNames(model: Classifier, modelPath: string, set: ImageSet, part: 'train' | 'test', classesGiven: boolean, op = 'eval'): void {
  const names = set.classNames;
  if (!names || names.length === model.numClasses) return;
  const list = names.length > 8 ? `${names.slice(0, 8).join(', ')}, ...` : names.join(', ');
  throw new AdversarialArgumentError(op, classesGiven ? 'classes' : part, `${classesGiven ? 'names' : `${set.source} holds`} ${names.length} classes (${list}), but ${modelPath} outputs ${model.numClasses}: give the model's classes, in its order${classesGiven ? '' : ' (--classes)'}`);
}

/** A loaded eval: the model, the prepared data (its description carries the data's fingerprint) and both fingerprints. */
export interface EvalInputs {
  model: Classifier;
  data: PreparedData;
  fingerprints: { model: string; data: string };
  /** Releases the model and the uploaded data. */
  dispose(): void;
}

/**
 * Loads `modelPath` and prepares `sets` (`test`, else the test part of `train`) as `eval` does.
 *
 * @example
 * const { model, data, fingerprints, dispose } = await loadEvalInputs('m/model.json', { test }, io, { limitTest: 500 });
 */
export async function loadEvalInputs(modelPath: string, sets: { train?: ImageSet; test?: ImageSet }, io: JobIO, options: { inputs?: JobInputs; limitTest?: number; withFingerprint?: boolean } = {}): Promise<EvalInputs> {
  const model = await loadJobModel(modelPath, io, options.inputs);
  try {
    const base = sets.test ?? sets.train!;
    checkClassNames(model, modelPath, base, sets.test ? 'test' : 'train', options.inputs?.classes !== undefined);
    checkModelCoversLabels(model, modelPath, base);
    const data = prepareJobData(base, undefined, { allTest: sets.test !== undefined, limitTest: options.limitTest, numClasses: model.numClasses });
    try {
      const dataPrint = await dataFingerprint([base]);
      data.description.fingerprint = dataPrint;
      const modelPrint = await modelFingerprint(model);
      return { model, data, fingerprints: { model: modelPrint, data: dataPrint }, dispose: () => (data.dataset.dispose(), model.dispose()) };
    } catch (err) {
      data.dataset.dispose();
      throw err;
    }
  } catch (err) {
    model.dispose();
    throw err;
  }
}
