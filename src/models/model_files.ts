// One entry for a user's saved model, whichever tfjs format model.json holds: a Layers model (trainable,
// its softmax head handled by classifierFromLayersModel) or a graph model (evaluation only, through the
// optional @tensorflow/tfjs-converter). The format is read from model.json itself.
import { AdversarialArgumentError } from '../core/validate';
import type { Classifier } from './classifier';
import { classifierFromGraphModel, loadGraphModelFiles } from './graph_classifier';
import { classifierFromLayersModel } from './layers_classifier';
import { loadLayersModelFiles } from './layers_format';

/** The tfjs format of a model.json's bytes: 'graph-model', 'layers-model' (also when it names none), or null when it is not a model.json. */
export function modelJsonFormat(bytes: Uint8Array): 'layers-model' | 'graph-model' | null {
  try {
    const json = JSON.parse(new TextDecoder().decode(bytes)) as { format?: unknown; modelTopology?: unknown };
    if (typeof json !== 'object' || json === null || typeof json.modelTopology !== 'object') return null;
    return json.format === 'graph-model' ? 'graph-model' : 'layers-model';
  } catch {
    return null;
  }
}

/** Options of `loadClassifierFiles`. */
export interface LoadClassifierOptions {
  /** Layers models only: train from this layer on (an index: the layers before it frozen; or a layer name). */
  trainableFrom?: number | string;
}

/**
 * Loads the model saved at `modelJsonPath` (model.json and the weights files its manifest names, read
 * through `readFile`) as a classifier that owns it: a Layers model through classifierFromLayersModel, a
 * graph model through classifierFromGraphModel (`architecture` 'graph-model', no variables: evaluation and
 * attacks only). `head` says where the logits come from when the model ends in a softmax.
 *
 * @example
 * import { readFile } from 'node:fs/promises';
 * const model = await loadClassifierFiles('web_model/model.json', (p) => readFile(p));
 * const results = await evaluateModel(model, dataset, test, attacks);
 * model.dispose();
 */
export async function loadClassifierFiles(modelJsonPath: string, readFile: (path: string) => Promise<Uint8Array>, options: LoadClassifierOptions = {}): Promise<Classifier> {
  const op = 'loadClassifierFiles';
  if (typeof modelJsonPath !== 'string' || modelJsonPath === '') throw new AdversarialArgumentError(op, 'modelJsonPath', `must be a non-empty string, got ${typeof modelJsonPath}`);
  if (typeof readFile !== 'function') throw new AdversarialArgumentError(op, 'readFile', `must be a function, got ${typeof readFile}`);
  let first: Promise<Uint8Array> | undefined;
  const read = (path: string) => {
    if (path !== modelJsonPath) return readFile(path);
    first ??= readFile(path);
    return first;
  };
  let bytes: Uint8Array;
  try {
    bytes = await read(modelJsonPath);
  } catch (error) {
    throw new Error(`${op}: cannot read ${modelJsonPath}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
  if (modelJsonFormat(bytes) === 'graph-model') {
    if (options.trainableFrom !== undefined) throw new AdversarialArgumentError(op, 'options.trainableFrom', `does not apply: ${modelJsonPath} is a tfjs graph model, which tfjs cannot train`);
    const { graph, nodes } = await loadGraphModelFiles(modelJsonPath, read);
    try {
      return await classifierFromGraphModel(graph, { nodes, owned: true });
    } catch (error) {
      graph.dispose();
      throw error;
    }
  }
  const layers = await loadLayersModelFiles(modelJsonPath, read);
  try {
    return classifierFromLayersModel(layers, { owned: true, trainableFrom: options.trainableFrom });
  } catch (error) {
    layers.dispose();
    throw error;
  }
}
