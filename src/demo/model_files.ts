// The page's model loading: a model.json picked with its weights (and a Teachable Machine metadata.json)
// read as a Classifier by the library's loadClassifierFiles, whichever format model.json holds (a Layers
// model, or a tfjs graph model through @tensorflow/tfjs-converter).
import * as lib from '../index';
import type { Classifier } from '../models/classifier';

/** What the model pick held: the classifier, the model.json's name and a metadata.json's labels (checked against the outputs). */
export interface PickedModel {
  model: Classifier;
  name: string;
  /** 'tfjs Layers model' or 'tfjs graph model', from the classifier's architecture. */
  format: string;
  /** A metadata.json's labels (Teachable Machine's export), when one was picked beside the model. */
  labels?: string[];
}

/** The model.json among `files` (one named model.json, else the only .json that is not metadata.json). */
function modelJsonOf(files: File[]): File {
  const jsons = files.filter((f) => /\.json$/i.test(f.name) && f.name !== 'metadata.json');
  const json = jsons.find((f) => f.name === 'model.json') ?? (jsons.length === 1 ? jsons[0] : undefined);
  if (!json) throw new Error(jsons.length ? `model files: ${jsons.map((f) => f.name).join(', ')}: which is the model? Name it model.json` : 'model files: pick the model.json and its weights file(s) together');
  return json;
}

/** The `labels` of a picked metadata.json, checked to name each of the model's `numClasses` outputs. */
async function metadataLabels(file: File, modelName: string, numClasses: number): Promise<string[] | undefined> {
  let labels: unknown;
  try {
    labels = (JSON.parse(await file.text()) as { labels?: unknown }).labels;
  } catch (err) {
    throw new Error(`model files: metadata.json is not valid JSON (${(err as Error).message})`);
  }
  if (labels === undefined) return undefined;
  if (!Array.isArray(labels) || !labels.every((l) => typeof l === 'string' && l !== '')) throw new Error('model files: metadata.json\'s labels must be a list of class names');
  if (labels.length !== numClasses) throw new Error(`model files: metadata.json lists ${labels.length} labels (${labels.join(', ')}), but ${modelName} outputs ${numClasses} classes: a metadata.json of another model?`);
  return labels;
}

/** Loads the model files picked on the page; the caller disposes the model. */
export async function loadPickedModel(files: File[]): Promise<PickedModel> {
  const json = modelJsonOf(files);
  const byName = new Map(files.map((f) => [f.name, f]));
  const model = await lib.loadClassifierFiles(json.name, async (path) => {
    const name = path.split('/').pop()!;
    const file = byName.get(name);
    if (!file) throw new Error(`${name}: ${json.name} names it, but it is not among the model files picked`);
    return new Uint8Array(await file.arrayBuffer());
  });
  try {
    const metadata = byName.get('metadata.json');
    const labels = model.classNames ?? (metadata ? await metadataLabels(metadata, json.name, model.numClasses) : undefined);
    const format = model.architecture === 'graph-model' ? 'tfjs graph model' : 'tfjs Layers model';
    return { model, name: json.name, format, ...(labels ? { labels } : {}) };
  } catch (err) {
    model.dispose();
    throw err;
  }
}
