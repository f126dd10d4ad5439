// The tfjs Layers format (model.json + weights.bin, what `tf.loadLayersModel` loads) for this library's
// models, and users' own `tf.LayersModel`s as models this library trains: saving and loading the two files
// through caller-supplied byte I/O (node:fs, fetch, IndexedDB, ...), saving any Classifier
// (saveClassifier), and a `Classifier` from any single-input image classifier that outputs logits (the seed
// CNN's topology comes back as `seedCnn`, this library's own forward pass). The seed CNN's own Sequential
// (seedCnnToLayersModel) lives in seed_cnn.ts and is re-exported here.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { AdversarialArgumentError } from '../validate';
import type { Classifier } from './classifier';
import { seedCnn } from './seed_cnn';

export { seedCnnToLayersModel } from './seed_cnn';

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

/** Bytes per element of a manifest entry as stored, or null where that is not fixed (strings). */
function storedBytesPerElement(spec: tf.io.WeightsManifestEntry): number | null {
  const quantized = spec.quantization?.dtype;
  if (quantized) return quantized === 'uint8' ? 1 : 2;
  switch (spec.dtype) {
    case 'float32':
    case 'int32':
      return 4;
    case 'bool':
      return 1;
    case 'complex64':
      return 8;
    default:
      return null;
  }
}

function folderOf(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut < 0 ? '' : path.slice(0, cut + 1);
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
  const read = async (path: string): Promise<Uint8Array> => {
    try {
      return await readFile(path);
    } catch (error) {
      throw new Error(`${op}: cannot read ${path}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    }
  };
  let modelJson: tf.io.ModelJSON;
  try {
    modelJson = JSON.parse(new TextDecoder().decode(await read(modelJsonPath)));
  } catch (error) {
    if ((error as Error).message?.startsWith(op)) throw error;
    throw new Error(`${op}: ${modelJsonPath} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof modelJson !== 'object' || modelJson === null || typeof modelJson.modelTopology !== 'object' || modelJson.modelTopology === null) {
    throw new Error(`${op}: ${modelJsonPath} is not a tfjs model.json (no modelTopology)`);
  }
  if (modelJson.format != null && modelJson.format !== 'layers-model') {
    throw new Error(`${op}: ${modelJsonPath} holds format '${modelJson.format}', not 'layers-model'${modelJson.format === 'graph-model' ? ' (load it with tf.loadGraphModel)' : ''}`);
  }
  if (modelJson.weightsManifest != null && !Array.isArray(modelJson.weightsManifest)) {
    throw new Error(`${op}: ${modelJsonPath} has a weightsManifest that is not an array`);
  }
  const folder = folderOf(modelJsonPath);
  const artifacts = await tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const specs: tf.io.WeightsManifestEntry[] = [];
    const parts: Uint8Array[] = [];
    for (const group of manifest) {
      if (!Array.isArray(group?.paths) || !Array.isArray(group?.weights)) throw new Error(`${op}: ${modelJsonPath} has a weights manifest group without paths or weights`);
      const paths = group.paths.map((p) => folder + p.replace(/^\.\//, ''));
      const files = [];
      for (const path of paths) files.push(await read(path));
      const held = files.reduce((sum, f) => sum + f.byteLength, 0);
      const sizes = group.weights.map((spec) => {
        const bytes = storedBytesPerElement(spec);
        return bytes === null ? null : bytes * spec.shape.reduce((a, b) => a * b, 1);
      });
      if (sizes.every((s) => s !== null)) {
        const needed = (sizes as number[]).reduce((a, b) => a + b, 0);
        if (held !== needed) {
          throw new Error(`${op}: ${paths.join(', ')} ${paths.length === 1 ? 'holds' : 'hold'} ${held} bytes, but ${modelJsonPath}'s manifest needs ${needed} (${group.weights.length} weights): truncated or not this model's weights`);
        }
      }
      specs.push(...group.weights);
      parts.push(...files);
    }
    // One fresh ArrayBuffer: Node's Buffers are views into shared pools, and tfjs reads `.buffer` whole.
    const joined = new Uint8Array(parts.reduce((sum, p) => sum + p.byteLength, 0));
    let offset = 0;
    for (const p of parts) {
      joined.set(p, offset);
      offset += p.byteLength;
    }
    return [specs, joined.buffer];
  });
  try {
    return await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (error) {
    throw new Error(`${op}: cannot build the model of ${modelJsonPath}: ${(error as Error).message}`, { cause: error });
  }
}

type ConfigDict = Record<string, unknown>;
type Layer = tfl.SymbolicTensor['sourceLayer'];

function sameArray(value: unknown, expected: number[]): boolean {
  return Array.isArray(value) && tf.util.arraysEqual(value, expected);
}

/** A tfjs-layers model, by shape rather than `instanceof` (which fails across two copies of tfjs-layers). */
function isLayersModel(value: unknown): value is tfl.LayersModel {
  const m = value as tfl.LayersModel;
  return typeof m === 'object' && m !== null && typeof m.apply === 'function' && typeof m.getClassName === 'function' && Array.isArray(m.inputs) && Array.isArray(m.outputs) && Array.isArray(m.layers);
}

/** The layer that computes `model`'s single output, looking into nested models. */
function outputLayer(model: tfl.LayersModel): Layer {
  let layer = model.outputs[0].sourceLayer;
  while (isLayersModel(layer) && layer.outputs.length === 1) layer = layer.outputs[0].sourceLayer;
  return layer;
}

/** The seed CNN's weights where `model` is exactly its topology (a chain of its five layers), else null. */
function seedCnnWeights(model: tfl.LayersModel, inputShape: [number, number, number], numClasses: number): tf.Tensor[] | null {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const classes = ['Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'Dense'];
  if (layers.length !== classes.length || layers.some((l, i) => l.getClassName() !== classes[i])) return null;
  // A chain: each layer used once, fed by the one before it.
  for (let i = 0; i < layers.length; i++) {
    if (layers[i].inboundNodes.length !== 1) return null;
    const inbound = layers[i].inboundNodes[0].inboundLayers;
    if (inbound.length !== 1) return null;
    if (i > 0 ? inbound[0] !== layers[i - 1] : inbound[0].getClassName() !== 'InputLayer') return null;
  }
  const [conv, pool, flatten, dense, logits] = layers.map((l) => l.getConfig() as ConfigDict);
  const floatLayer = (c: ConfigDict) => c.dtype == null || c.dtype === 'float32';
  const ok =
    conv.filters === 32 &&
    sameArray(conv.kernelSize, [3, 3]) &&
    sameArray(conv.strides, [1, 1]) &&
    conv.padding === 'valid' &&
    conv.dataFormat === 'channelsLast' &&
    sameArray(conv.dilationRate, [1, 1]) &&
    conv.activation === 'relu' &&
    conv.useBias === true &&
    sameArray(pool.poolSize, [2, 2]) &&
    sameArray(pool.strides, [2, 2]) &&
    pool.padding === 'valid' &&
    pool.dataFormat === 'channelsLast' &&
    (flatten.dataFormat == null || flatten.dataFormat === 'channelsLast') &&
    dense.units === 128 &&
    dense.activation === 'relu' &&
    dense.useBias === true &&
    logits.units === numClasses &&
    logits.activation === 'linear' &&
    logits.useBias === true &&
    [conv, dense, logits].every(floatLayer);
  if (!ok) return null;
  const [h, w, c] = inputShape;
  const pooled = Math.floor((h - 2) / 2) * Math.floor((w - 2) / 2) * 32;
  const shapes = [[3, 3, c, 32], [32], [pooled, 128], [128], [128, numClasses], [numClasses]];
  const weights = model.weights;
  if (weights.length !== shapes.length || weights.some((v, i) => !v.trainable || v.dtype !== 'float32' || !sameArray(v.shape, shapes[i]))) return null;
  return weights.map((v) => v.read());
}

/** Options of `classifierFromLayersModel`. */
export interface FromLayersModelOptions {
  /** The classifier owns `model`: its `dispose()` disposes the layers model too (default false). */
  owned?: boolean;
}

/** The layers of `model` in order with their main config, e.g. 'Conv2D 16 3x3 s2 same relu, BatchNormalization'. */
export function describeLayers(model: tfl.LayersModel): string {
  return model.layers
    .filter((l) => l.getClassName() !== 'InputLayer')
    .map((l) => (isLayersModel(l) ? `${l.getClassName()} [${describeLayers(l)}]` : describeLayer(l)))
    .join(', ');
}

function describeLayer(layer: Layer): string {
  const name = layer.getClassName();
  const c = layer.getConfig() as ConfigDict;
  const pair = (v: unknown) => (Array.isArray(v) ? (v.every((d) => d === v[0]) ? `${v[0]}` : v.join('x')) : `${v}`);
  const square = (v: unknown) => (Array.isArray(v) ? v.join('x') : `${v}x${v}`);
  const activation = c.activation != null && c.activation !== 'linear' ? ` ${c.activation}` : '';
  const strides = c.strides != null && pair(c.strides) !== '1' ? ` s${pair(c.strides)}` : '';
  if (c.filters != null && c.kernelSize != null) return `${name} ${c.filters} ${square(c.kernelSize)}${strides} ${c.padding}${activation}`;
  if (c.kernelSize != null) return `${name} ${square(c.kernelSize)}${strides} ${c.padding}${activation}`;
  if (c.units != null) return `${name} ${c.units}${activation}`;
  if (c.poolSize != null) {
    const poolStrides = c.strides != null && pair(c.strides) !== pair(c.poolSize) ? ` s${pair(c.strides)}` : '';
    return `${name} ${pair(c.poolSize)}${poolStrides}${c.padding === 'same' ? ' same' : ''}`;
  }
  if (name === 'Activation') return `Activation ${c.activation}`;
  if (c.rate != null) return `${name} ${c.rate}`;
  if (Array.isArray(c.targetShape)) return `${name} [${c.targetShape}]`;
  return name;
}

/**
 * A `Classifier` (what `trainModel`, `evaluateModel` and the attacks take) from a tfjs-layers model with one
 * NHWC image input and one [batch, classes] output of logits.
 *
 * A model with exactly the seed CNN's topology (as `seedCnnToLayersModel` writes it, whatever its layer
 * names) comes back as `seedCnn` with copies of its weights: this library's own forward pass,
 * bit-identical to the classifier that was saved; training it leaves `model` as it is until `layersModel()`,
 * which writes the current weights into `model` and returns it (saved, it keeps the user's topology and
 * layer names).
 *
 * Any other model is wrapped (architecture 'layers-model'): `forward(x, training)` is
 * `model.apply(x, {training})` (dropout and batch statistics, and batch normalization's moving-average
 * update, in the optimizer step's loss only; attacks and evaluation run in inference mode), `variables` are
 * the model's own trainable variables, so training updates `model`, and `stateVariables` its non-trainable
 * ones (batch normalization's moving mean and variance); `layersModel()` is `model` itself. Regularizers and
 * weight constraints of the layers are not applied by this library's trainers. A model ending in softmax
 * is refused: the trainers and attacks need logits.
 *
 * `dispose()` releases the classifier's own variables (a seed CNN's copies) and, with `owned: true`,
 * `model`; without it `model` stays the caller's.
 *
 * @example
 * const layersModel = tf.sequential({layers: [
 *   tf.layers.conv2d({filters: 8, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1]}),
 *   tf.layers.flatten(), tf.layers.dense({units: 10})]});  // logits: no softmax
 * const model = classifierFromLayersModel(layersModel, {owned: true});
 * await trainModel(model, engineAdam(1e-3), data, split.train, {trainer: 'fgsm-rs', epsilon: 0.1,
 *   epochs: 5, batchSize: 64, learningRate: 1e-3, seed: 0});
 * await saveClassifier(model, (name, bytes) => writeFile(`out/model/${name}`, bytes));
 * model.dispose();  // and layersModel with it
 */
export function classifierFromLayersModel(model: tfl.LayersModel, options: FromLayersModelOptions = {}): Classifier {
  const op = 'classifierFromLayersModel';
  if (!isLayersModel(model)) throw new AdversarialArgumentError(op, 'model', 'must be a tf.LayersModel');
  if (typeof options !== 'object' || options === null) throw new AdversarialArgumentError(op, 'options', `must be an object, got ${options === null ? 'null' : typeof options}`);
  if (options.owned !== undefined && typeof options.owned !== 'boolean') throw new AdversarialArgumentError(op, 'options.owned', `must be a boolean, got ${typeof options.owned}`);
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new AdversarialArgumentError(op, 'model', `must have one input and one output, has ${model.inputs.length} and ${model.outputs.length}`);
  }
  const inShape = model.inputs[0].shape;
  if (inShape.length !== 4 || inShape.slice(1).some((d) => d == null || d < 1)) {
    throw new AdversarialArgumentError(op, 'model', `must take NHWC images [batch, height, width, channels] of a fixed size, takes [${inShape.map((d) => d ?? 'null')}]`);
  }
  const outShape = model.outputs[0].shape;
  if (outShape.length !== 2 || outShape[1] == null || outShape[1] < 1) {
    throw new AdversarialArgumentError(op, 'model', `must output logits [batch, classes], outputs [${outShape.map((d) => d ?? 'null')}]`);
  }
  const last = outputLayer(model);
  const lastConfig = last.getConfig() as ConfigDict;
  if (last.getClassName() === 'Softmax' || lastConfig.activation === 'softmax') {
    throw new AdversarialArgumentError(op, 'model', `must output logits, but its last layer '${last.name}' applies softmax: remove the softmax activation (the trainers apply softmax cross-entropy to the logits)`);
  }
  const inputShape = inShape.slice(1) as [number, number, number];
  const numClasses = outShape[1];
  const owned = options.owned === true;
  let disposed = false;
  const weights = seedCnnWeights(model, inputShape, numClasses);
  if (weights) {
    const seed = seedCnn({ inputShape, numClasses, weights });
    return {
      ...seed,
      // The user's own model, its weights set to the seed CNN's current ones (setWeights checks each shape
      // and shares the variables' immutable data: later training leaves it as it is until the next call).
      layersModel: () => {
        model.setWeights(seed.variables);
        return { model, release: () => {} };
      },
      dispose: () => {
        if (disposed) return;
        disposed = true;
        seed.dispose();
        if (owned) model.dispose();
      },
    };
  }
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  if (variables.length === 0) throw new AdversarialArgumentError(op, 'model', 'has no trainable weights');
  return {
    architecture: 'layers-model',
    description: `layers-model: ${describeLayers(model)}`,
    numClasses,
    inputShape,
    variables,
    stateVariables: model.nonTrainableWeights.map((w) => w.read() as tf.Variable),
    forward: (x, training = false) =>
      tf.tidy(() => {
        const y = model.apply(x, { training });
        return (Array.isArray(y) ? y[0] : y) as tf.Tensor2D;
      }),
    layersModel: () => ({ model, release: () => {} }),
    dispose: () => {
      if (disposed) return;
      disposed = true;
      if (owned) model.dispose();
    },
  };
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
