// tfjs graph models (what the converter makes of a SavedModel: model.json with "format": "graph-model")
// as classifiers to attack and evaluate: loaded through @tensorflow/tfjs-converter, an optional peer that
// is imported only here and only for a graph model; fused ops split so that every op has a gradient
// (graph_unfuse.ts); the logits taken at the input of a final Softmax where the graph allows it, else the
// log-probabilities log(p) (softmax(log p) = p, so the loss and the predictions are the model's own).
// tfjs cannot train a graph model: no variables, no Layers form.
import * as tf from '@tensorflow/tfjs-core';
import { AdversarialArgumentError } from '../core/validate';
import type { Classifier } from './classifier';
import { unfuseGraphNodes, type GraphNode } from './graph_unfuse';
import { readModelArtifacts } from './model_artifacts';

/** Ops that pass their input through unchanged, walked over from an output back to a Softmax. */
const PASS_THROUGH = new Set(['Identity', 'IdentityN', 'Snapshot', 'StopGradient']);

/**
 * What this library uses of a tfjs-converter GraphModel (declared here, so that the package's types do not
 * need the optional peer installed).
 */
export interface GraphModelLike {
  readonly inputs: { name: string; shape?: number[]; dtype: string }[];
  readonly outputNodes: string[];
  readonly weights: Record<string, tf.Tensor[]>;
  execute(inputs: tf.Tensor, outputs: string): tf.Tensor | tf.Tensor[];
  dispose(): void;
}

/** The converter's loader, imported on first use; a clear message where the optional peer is not installed. */
async function converter(): Promise<{ loadGraphModel(handler: tf.io.IOHandler): Promise<GraphModelLike> }> {
  try {
    return (await import('@tensorflow/tfjs-converter')) as unknown as { loadGraphModel(handler: tf.io.IOHandler): Promise<GraphModelLike> };
  } catch (error) {
    throw new Error(`a graph model needs the optional peer dependency @tensorflow/tfjs-converter: npm install @tensorflow/tfjs-converter@^4.22.0 (${(error as Error).message})`, { cause: error });
  }
}

const nodeName = (input: string) => input.replace(/^\^/, '').replace(/:\d+$/, '');

/** The node whose output is the logits when `output` is a Softmax (through pass-through ops), else null. */
export function softmaxInput(nodes: GraphNode[], output: string): { softmax: string; logits: string } | null {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  let node = byName.get(nodeName(output));
  for (let hops = 0; node && PASS_THROUGH.has(node.op) && hops < nodes.length; hops++) node = byName.get(nodeName((node.input ?? [])[0] ?? ''));
  if (!node || node.op !== 'Softmax' || !node.input?.length) return null;
  return { softmax: node.name, logits: node.input[0].replace(/:0$/, '') };
}

/** Options of `classifierFromGraphModel`. */
export interface FromGraphModelOptions {
  /** The graph's nodes (model.json's modelTopology.node), to find a Softmax head; without them, only the output's values tell. */
  nodes?: GraphNode[];
  /** Dispose the graph model with the classifier (default false). */
  owned?: boolean;
}

/** Where the logits come from: the graph's output, the input of its Softmax, or log of its probabilities. */
type Head = { kind: 'output' } | { kind: 'before-softmax'; node: string; softmax: string } | { kind: 'log-probabilities'; why: string };

function checkedInputShape(graph: GraphModelLike): [number, number, number] {
  if (graph.inputs.length !== 1) throw new AdversarialArgumentError('classifierFromGraphModel', 'graph', `must take one input (images), but takes ${graph.inputs.length}: ${graph.inputs.map((i) => i.name).join(', ')}`);
  const input = graph.inputs[0];
  const shape = input.shape ?? [];
  if (input.dtype !== 'float32') throw new AdversarialArgumentError('classifierFromGraphModel', 'graph', `input ${input.name} must be float32 images, but is ${input.dtype}`);
  if (shape.length !== 4 || shape.slice(1).some((d) => !(d > 0))) {
    throw new AdversarialArgumentError('classifierFromGraphModel', 'graph', `input ${input.name} must be [batch, height, width, channels] of a fixed image size, but is [${shape.map((d) => (d > 0 ? d : '?'))}]`);
  }
  return shape.slice(1) as [number, number, number];
}

/** Rows all non-negative and summing to 1: probabilities. */
async function looksLikeProbabilities(p: tf.Tensor2D): Promise<boolean> {
  const values = await p.data();
  const k = p.shape[1];
  for (let r = 0; r < p.shape[0]; r++) {
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const v = values[r * k + j];
      if (!(v >= 0)) return false;
      sum += v;
    }
    if (Math.abs(sum - 1) > 1e-3) return false;
  }
  return true;
}

/** Runs `graph` on a probe batch up to `node`: its [batch, k] output, or the error. */
function probe(graph: GraphModelLike, x: tf.Tensor4D, node: string): tf.Tensor2D | Error {
  try {
    const y = graph.execute(x, node);
    if (Array.isArray(y) || y.rank !== 2) {
      const shape = Array.isArray(y) ? `${y.length} tensors` : `[${y.shape}]`;
      tf.dispose(y);
      return new Error(`${node} gives ${shape}, not [batch, classes]`);
    }
    return y as tf.Tensor2D;
  } catch (error) {
    return error as Error;
  }
}

/**
 * A classifier from a loaded tfjs graph model of one image input and one [batch, classes] output, for
 * evaluation and attacks (its `variables` are empty: tfjs cannot train a graph model). Where the output is
 * a Softmax (found in `options.nodes`, through Identity ops), the logits are that Softmax's input; where the
 * output's values are probabilities without such a node, the logits are log(p); `head` says which.
 *
 * @example
 * const { graph, nodes } = await loadGraphModelFiles('model/model.json', (p) => readFile(p));
 * const model = await classifierFromGraphModel(graph, { nodes, owned: true });
 * console.log(model.head);  // "logits: the input of the graph's Softmax 'StatefulPartitionedCall/.../Softmax'"
 */
export async function classifierFromGraphModel(graph: GraphModelLike, options: FromGraphModelOptions = {}): Promise<Classifier> {
  const op = 'classifierFromGraphModel';
  if (typeof graph?.execute !== 'function' || !Array.isArray(graph.inputs)) throw new AdversarialArgumentError(op, 'graph', 'must be a loaded tfjs GraphModel');
  const inputShape = checkedInputShape(graph);
  if (graph.outputNodes.length !== 1) throw new AdversarialArgumentError(op, 'graph', `must have one output (logits or probabilities), but has ${graph.outputNodes.length}: ${graph.outputNodes.join(', ')}`);
  const output = graph.outputNodes[0];
  const x = tf.randomUniform([2, ...inputShape], 0, 1, 'float32', 1) as tf.Tensor4D;
  let head: Head = { kind: 'output' };
  let numClasses: number;
  try {
    const y = probe(graph, x, output);
    if (y instanceof Error) {
      const why = /executeAsync|dynamic|control flow/i.test(y.message) ? ' (it has control flow or dynamic ops, which tfjs runs only asynchronously, without gradients)' : '';
      throw new AdversarialArgumentError(op, 'graph', `cannot be run for attacks${why}: ${y.message}`);
    }
    numClasses = y.shape[1];
    const found = options.nodes ? softmaxInput(options.nodes, output) : null;
    const before = found ? probe(graph, x, found.logits) : null;
    if (found && before && !(before instanceof Error) && before.shape[1] === numClasses) head = { kind: 'before-softmax', node: found.logits, softmax: found.softmax };
    else if (found) head = { kind: 'log-probabilities', why: `its Softmax '${found.softmax}' has an input that tfjs cannot run to [batch, ${numClasses}] (${before instanceof Error ? before.message : `[${before?.shape}]`})` };
    else if (await looksLikeProbabilities(y)) head = { kind: 'log-probabilities', why: 'its values are probabilities (rows sum to 1) and it has no Softmax node' };
    tf.dispose(before instanceof Error || before === null ? [y] : [y, before]);
  } finally {
    x.dispose();
  }
  const target = head.kind === 'before-softmax' ? head.node : output;
  const logProbabilities = head.kind === 'log-probabilities';
  const weights = Object.values(graph.weights).flat();
  const counts = new Map<string, number>();
  for (const n of options.nodes ?? []) if (n.op !== 'Const' && !PASS_THROUGH.has(n.op)) counts.set(n.op, (counts.get(n.op) ?? 0) + 1);
  const ops = [...counts].sort((a, b) => b[1] - a[1]).map(([name, n]) => `${name} x${n}`);
  let disposed = false;
  return {
    forward: (images) =>
      tf.tidy(() => {
        const y = graph.execute(images, target) as tf.Tensor2D;
        return logProbabilities ? (tf.log(tf.maximum(y, 1e-30)) as tf.Tensor2D) : y;
      }),
    variables: [],
    stateVariables: [],
    constants: weights,
    numClasses,
    inputShape,
    architecture: 'graph-model',
    description: `graph-model: ${options.nodes ? `${options.nodes.length} nodes (${ops.slice(0, 8).join(', ')}${ops.length > 8 ? ', ...' : ''})` : 'a tfjs graph model'}, input [${inputShape}], ${numClasses} outputs`,
    ...(head.kind === 'before-softmax'
      ? { head: `logits: the input of the graph's Softmax '${head.softmax}' (node '${head.node}')` }
      : head.kind === 'log-probabilities'
        ? { head: `log-probabilities: log of the graph's output '${output.replace(/:0$/, '')}' (${head.why}); attacks see log p, which differs from the logits by a constant per image` }
        : {}),
    layersModel() {
      throw new AdversarialArgumentError('layersModel', 'model', 'is a tfjs graph model, which has no Layers form: tfjs cannot train or save one');
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      if (options.owned) graph.dispose();
    },
  };
}

/**
 * Loads a tfjs graph model (model.json with "format": "graph-model" and its weights files) through
 * `readFile`, its fused ops split (graph_unfuse.ts) so that gradients exist; returns the GraphModel and
 * its nodes. Needs @tensorflow/tfjs-converter (an optional peer), imported on the first call.
 *
 * @example
 * import { readFile } from 'node:fs/promises';
 * const { graph, nodes } = await loadGraphModelFiles('web_model/model.json', (p) => readFile(p));
 * const model = await classifierFromGraphModel(graph, { nodes, owned: true });
 */
export async function loadGraphModelFiles(modelJsonPath: string, readFile: (path: string) => Promise<Uint8Array>): Promise<{ graph: GraphModelLike; nodes: GraphNode[] }> {
  const op = 'loadGraphModelFiles';
  if (typeof modelJsonPath !== 'string' || modelJsonPath === '') throw new AdversarialArgumentError(op, 'modelJsonPath', `must be a non-empty string, got ${typeof modelJsonPath}`);
  if (typeof readFile !== 'function') throw new AdversarialArgumentError(op, 'readFile', `must be a function, got ${typeof readFile}`);
  const tfc = await converter();
  const { artifacts } = await readModelArtifacts(op, modelJsonPath, readFile, (modelJson) => {
    if (modelJson.format !== 'graph-model') throw new Error(`${op}: ${modelJsonPath} holds format '${modelJson.format ?? 'layers-model'}', not 'graph-model'`);
    if (!Array.isArray((modelJson.modelTopology as { node?: unknown }).node)) throw new Error(`${op}: ${modelJsonPath} has no graph nodes (modelTopology.node)`);
  });
  const topology = artifacts.modelTopology as { node: GraphNode[] };
  const nodes = unfuseGraphNodes(topology.node);
  try {
    const graph = await tfc.loadGraphModel(tf.io.fromMemory({ ...artifacts, modelTopology: { ...topology, node: nodes } }));
    return { graph, nodes };
  } catch (error) {
    throw new Error(`${op}: cannot build the graph of ${modelJsonPath}: ${(error as Error).message}`, { cause: error });
  }
}
