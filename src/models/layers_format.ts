// The tfjs Layers format (model.json + weights.bin, what `tf.loadLayersModel` loads) as files: saving and
// loading the two through caller-supplied byte I/O (node:fs, fetch, IndexedDB, ...) and saving any
// Classifier (saveClassifier). The Layers adapter (classifierFromLayersModel) is layers_classifier.ts, the
// seed CNN's own Sequential (seedCnnToLayersModel) seed_cnn.ts.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { AdversarialArgumentError } from '../core/validate';
import type { Classifier } from './classifier';
import { readModelArtifacts } from './model_artifacts';

const WEIGHTS_FILE = 'weights.bin';

/**
 * Saves `model` in the tfjs Layers format: `weights.bin` (the weights, float32 as tfjs writes them), then
 * `model.json` (topology, and a weights manifest pointing at `weights.bin`), each through `writeFile`.
 * `tf.loadLayersModel` (or `loadLayersModelFiles`) loads the pair; weights go first, so that a reader never
 * finds a model.json without its weights.
 *
 * @example
 * import { mkdir, writeFile } from 'node:fs/promises';
 * await mkdir('out/model', {recursive: true});
 * await saveLayersModelFiles(seedCnnToLayersModel(model), (name, bytes) => writeFile(`out/model/${name}`, bytes));
 */
export async function saveLayersModelFiles(model: tfl.LayersModel, writeFile: (name: string, bytes: Uint8Array) => Promise<void>): Promise<void> {
  if (typeof writeFile !== 'function') throw new AdversarialArgumentError('saveLayersModelFiles', 'writeFile', `must be a function, got ${typeof writeFile}`);
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const topology = artifacts.modelTopology;
      if (topology == null || topology instanceof ArrayBuffer) throw new Error('saveLayersModelFiles: the model gave no JSON topology to save');
      const weightSpecs = artifacts.weightSpecs ?? [];
      const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? []));
      const modelJson: tf.io.ModelJSON = {
        modelTopology: topology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? 'tfjs-adversarial',
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: weightSpecs }],
      };
      if (artifacts.trainingConfig != null) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata != null) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      if (artifacts.signature != null) modelJson.signature = artifacts.signature;
      if (artifacts.modelInitializer != null) modelJson.modelInitializer = artifacts.modelInitializer;
      if (artifacts.initializerSignature != null) modelJson.initializerSignature = artifacts.initializerSignature;
      await writeFile(WEIGHTS_FILE, weights);
      await writeFile('model.json', new TextEncoder().encode(JSON.stringify(modelJson)));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
}

/**
 * Loads a model saved in the tfjs Layers format: reads `modelJsonPath`, then each weights file its manifest
 * names (relative to model.json's folder) through `readFile`, checks their sizes against the manifest, and
 * builds the model with `tf.loadLayersModel`. Errors name the file at fault.
 *
 * @example
 * import { readFile } from 'node:fs/promises';
 * const layersModel = await loadLayersModelFiles('out/model/model.json', (path) => readFile(path));
 * const model = classifierFromLayersModel(layersModel);  // trainable with trainModel
 */
export async function loadLayersModelFiles(modelJsonPath: string, readFile: (path: string) => Promise<Uint8Array>): Promise<tfl.LayersModel> {
  const op = 'loadLayersModelFiles';
  if (typeof modelJsonPath !== 'string' || modelJsonPath === '') throw new AdversarialArgumentError(op, 'modelJsonPath', `must be a non-empty string, got ${typeof modelJsonPath}`);
  if (typeof readFile !== 'function') throw new AdversarialArgumentError(op, 'readFile', `must be a function, got ${typeof readFile}`);
  const { artifacts } = await readModelArtifacts(op, modelJsonPath, readFile, (modelJson) => {
    if (modelJson.format != null && modelJson.format !== 'layers-model') {
      throw new Error(`${op}: ${modelJsonPath} holds format '${modelJson.format}', not 'layers-model'${modelJson.format === 'graph-model' ? ' (load it with loadClassifierFiles)' : ''}`);
    }
  });
  try {
    return await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (error) {
    throw new Error(`${op}: cannot build the model of ${modelJsonPath}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Saves `model` in the tfjs Layers format (`weights.bin`, then `model.json`, through `writeFile`): its
 * `layersModel()` with the current weights, released afterwards. A seed CNN is written as
 * `seedCnnToLayersModel` writes it, or, where it came from a user's layers model, with that model's
 * topology and layer names; a wrapped model as itself.
 *
 * @example
 * import { mkdir, writeFile } from 'node:fs/promises';
 * await mkdir('out/model', {recursive: true});
 * await saveClassifier(model, (name, bytes) => writeFile(`out/model/${name}`, bytes));
 */
export async function saveClassifier(model: Classifier, writeFile: (name: string, bytes: Uint8Array) => Promise<void>): Promise<void> {
  if (typeof model?.layersModel !== 'function') throw new AdversarialArgumentError('saveClassifier', 'model', 'must be a Classifier (with layersModel())');
  if (typeof writeFile !== 'function') throw new AdversarialArgumentError('saveClassifier', 'writeFile', `must be a function, got ${typeof writeFile}`);
  const layers = model.layersModel();
  try {
    await saveLayersModelFiles(layers.model, writeFile);
  } finally {
    layers.release();
  }
}
