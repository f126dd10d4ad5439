// The tfjs Layers format (model.json + weights.bin, what `tf.loadLayersModel` loads) for this library's
// models, and users' own `tf.LayersModel`s as models this library trains: the seed CNN as a tfjs-layers
// Sequential with stable layer names, saving and loading the two files through caller-supplied byte I/O
// (node:fs, fetch, IndexedDB, ...), and a `Classifier` from any single-input image classifier that outputs
// logits (the seed CNN's topology comes back as `seedCnn`, this library's own forward pass).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { AdversarialArgumentError } from '../validate';
import { seedCnn, type Classifier } from './seed_cnn';

/** Layer names of the seed CNN in the Layers format; its weights are `<layer>/kernel` and `<layer>/bias`. */
const SEED_LAYER_NAMES = ['conv2d', 'max_pooling2d', 'flatten', 'dense', 'logits'] as const;
const WEIGHTS_FILE = 'weights.bin';

/**
 * The seed CNN (`seedCnn`) as a tfjs-layers Sequential: conv2d (32 3x3, ReLU, valid) → max_pooling2d (2, 2)
 * → flatten → dense (128, ReLU) → logits (numClasses, linear), its weights set to the classifier's current
 * values (a snapshot: later training of either leaves the other as it is).
 *
 * @example
 * const model = seedCnn({seed: 0});
 * const layersModel = seedCnnToLayersModel(model);
 * layersModel.predict(images);  // the same logits as model.forward(images), to float32 rounding
 */
export function seedCnnToLayersModel(model: Classifier): tfl.LayersModel {
  const op = 'seedCnnToLayersModel';
  if (model?.architecture !== 'seed-cnn') {
    throw new AdversarialArgumentError(op, 'model', `must be a seedCnn classifier (architecture 'seed-cnn'), got architecture ${JSON.stringify(model?.architecture)}`);
  }
  const [conv, name1, name2, dense, logits] = SEED_LAYER_NAMES;
  const init = { kernelInitializer: 'glorotUniform', biasInitializer: 'zeros' } as const;
  const sequential = tfl.sequential({
    name: 'seed_cnn',
    layers: [
      tfl.layers.conv2d({ name: conv, filters: 32, kernelSize: 3, strides: 1, padding: 'valid', activation: 'relu', inputShape: model.inputShape, ...init }),
      tfl.layers.maxPooling2d({ name: name1, poolSize: 2, strides: 2, padding: 'valid' }),
      tfl.layers.flatten({ name: name2 }),
      tfl.layers.dense({ name: dense, units: 128, activation: 'relu', ...init }),
      tfl.layers.dense({ name: logits, units: model.numClasses, activation: 'linear', ...init }),
    ],
  });
  try {
    // Checks every shape; the layers' variables then share the classifier's (immutable) tensor data.
    sequential.setWeights(model.variables);
  } catch (error) {
    sequential.dispose();
    throw new AdversarialArgumentError(op, 'model', `has variables that do not fit the seed CNN: ${(error as Error).message}`);
  }
  return sequential;
}

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

/**
 * A `Classifier` (what `trainModel`, `evaluateModel` and the attacks take) from a tfjs-layers model with one
 * NHWC image input and one [batch, classes] output of logits. A model with exactly the seed CNN's topology
 * (as `seedCnnToLayersModel` writes it) comes back as `seedCnn` with copies of its weights: this library's
 * own forward pass, bit-identical to the classifier that was saved; training it leaves `model` as it is.
 * Any other model is wrapped: `forward(x, training)` is `model.apply(x, {training})` (dropout and batch
 * statistics in the optimizer step's loss only; attacks and evaluation run in inference mode), and `variables` are the model's own trainable variables, so training
 * updates `model`. Regularizers and weight constraints of the layers are not applied by this library's
 * trainers. A model ending in softmax is refused: the trainers and attacks need logits.
 *
 * @example
 * const layersModel = tf.sequential({layers: [
 *   tf.layers.conv2d({filters: 8, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1]}),
 *   tf.layers.flatten(), tf.layers.dense({units: 10})]});  // logits: no softmax
 * const model = classifierFromLayersModel(layersModel);
 * await trainModel(model, engineAdam(1e-3), data, split.train, {trainer: 'fgsm-rs', epsilon: 0.1,
 *   epochs: 5, batchSize: 64, learningRate: 1e-3, seed: 0});
 */
export function classifierFromLayersModel(model: tfl.LayersModel): Classifier {
  const op = 'classifierFromLayersModel';
  if (!isLayersModel(model)) throw new AdversarialArgumentError(op, 'model', 'must be a tf.LayersModel');
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
  const weights = seedCnnWeights(model, inputShape, numClasses);
  if (weights) return seedCnn({ inputShape, numClasses, weights });
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  if (variables.length === 0) throw new AdversarialArgumentError(op, 'model', 'has no trainable weights');
  return {
    numClasses,
    inputShape,
    variables,
    forward: (x, training = false) =>
      tf.tidy(() => {
        const y = model.apply(x, { training });
        return (Array.isArray(y) ? y[0] : y) as tf.Tensor2D;
      }),
  };
}
