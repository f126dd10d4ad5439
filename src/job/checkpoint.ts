// Training checkpoints: the model's variables, the optimizer's state and the job's own state (a JSON
// record) in one binary file, so that a resumed run continues with the same numbers bit for bit.
// Layout: the 8 magic bytes "TFJSADV1", a uint32 (little-endian) length L, L bytes of UTF-8 JSON
// {meta, tensors: [{name, shape, dtype, offset, length}], checksum}, then the tensors' bytes (offsets from
// the end of the JSON, 4-byte aligned). `checksum` is `fnv1a32:` and 8 hex digits, the FNV-1a hash of
// the JSON of {meta, tensors} followed by the tensors' bytes: a flipped bit anywhere is refused on decode.
import * as tf from '@tensorflow/tfjs-core';
import { uploadNow } from '../program';

export { uploadNow };

const MAGIC = 'TFJSADV1';

/** FNV-1a (32-bit) of `parts` in order, continuing from `hash`. */
function fnv1a(parts: Uint8Array[], hash = 0x811c9dc5): number {
  let h = hash;
  for (const p of parts) for (let i = 0; i < p.length; i++) h = Math.imul(h ^ p[i], 0x01000193);
  return h >>> 0;
}

const checksumOf = (json: Uint8Array, data: Uint8Array) => `fnv1a32:${fnv1a([json, data]).toString(16).padStart(8, '0')}`;

export interface CheckpointTensor {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  data: Float32Array | Int32Array;
}

export interface Checkpoint<Meta = Record<string, unknown>> {
  meta: Meta;
  tensors: CheckpointTensor[];
}

/**
 * Encodes a checkpoint as bytes.
 *
 * @example
 * const bytes = encodeCheckpoint({ meta: { epoch: 3 }, tensors: await captureTrainingState(model, optimizer) });
 */
export function encodeCheckpoint(checkpoint: Checkpoint<unknown>): Uint8Array {
  let offset = 0;
  const specs = checkpoint.tensors.map((t) => {
    const spec = { name: t.name, shape: t.shape, dtype: t.dtype, offset, length: t.data.byteLength };
    offset += Math.ceil(t.data.byteLength / 4) * 4;
    return spec;
  });
  const data = new Uint8Array(offset);
  checkpoint.tensors.forEach((t, i) => data.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), specs[i].offset));
  const body = { meta: checkpoint.meta, tensors: specs };
  const checksum = checksumOf(new TextEncoder().encode(JSON.stringify(body)), data);
  const json = new TextEncoder().encode(JSON.stringify({ ...body, checksum }));
  const head = 8 + 4 + Math.ceil(json.length / 4) * 4;
  const bytes = new Uint8Array(head + offset);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(bytes.buffer).setUint32(8, json.length, true);
  bytes.set(json, 12);
  bytes.set(data, head);
  return bytes;
}

/** Decodes `bytes` written by encodeCheckpoint; `source` names the file in errors. */
export function decodeCheckpoint<Meta = Record<string, unknown>>(bytes: Uint8Array, source: string): Checkpoint<Meta> {
  const fail = (why: string): never => {
    throw new Error(`checkpoint ${source}: ${why}`);
  };
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) fail('not a tfjs-adversarial checkpoint (bad magic)');
  const jsonLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + jsonLength > bytes.length) fail(`truncated (header of ${jsonLength} bytes, file of ${bytes.length})`);
  let parsed: { meta: Meta; tensors: { name: string; shape: number[]; dtype: 'float32' | 'int32'; offset: number; length: number }[]; checksum?: unknown };
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + jsonLength)));
  } catch (err) {
    return fail(`unreadable header (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(parsed.tensors)) fail('unreadable header (no tensor list)');
  const head = 12 + Math.ceil(jsonLength / 4) * 4;
  if (typeof parsed.checksum !== 'string') fail('no checksum in its header (damaged, or written by an older version)');
  const dataEnd = parsed.tensors.reduce((end, t) => Math.max(end, head + (Number(t.offset) || 0) + Math.ceil((Number(t.length) || 0) / 4) * 4), head);
  if (dataEnd <= bytes.length) {
    const actual = checksumOf(new TextEncoder().encode(JSON.stringify({ meta: parsed.meta, tensors: parsed.tensors })), bytes.subarray(head, dataEnd));
    if (actual !== parsed.checksum) fail(`checksum mismatch (header ${String(parsed.checksum)}, contents ${actual}): the file is damaged`);
  }
  const tensors = parsed.tensors.map((spec) => {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.length !== size * 4) fail(`tensor ${spec.name}: ${spec.length} bytes for shape [${spec.shape}]`);
    if (head + spec.offset + spec.length > bytes.length) fail(`truncated in tensor ${spec.name} (file of ${bytes.length} bytes)`);
    const copy = bytes.slice(head + spec.offset, head + spec.offset + spec.length).buffer;
    return { name: spec.name, shape: spec.shape, dtype: spec.dtype, data: spec.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy) };
  });
  return { meta: parsed.meta, tensors };
}

/**
 * The model's variables (`model/0`, `model/1`, ...) and the optimizer's weights (`optimizer/...`, in
 * the optimizer's order), read back from the GPU.
 *
 * @example
 * const tensors = await captureTrainingState(model.variables, optimizer);
 */
export async function captureTrainingState(variables: tf.Variable[], optimizer?: tf.Optimizer): Promise<CheckpointTensor[]> {
  const read = async (name: string, t: tf.Tensor): Promise<CheckpointTensor> => ({
    name,
    shape: t.shape.slice(),
    dtype: t.dtype === 'int32' ? 'int32' : 'float32',
    data: (await t.data()) as Float32Array | Int32Array,
  });
  const out: CheckpointTensor[] = [];
  for (const [i, v] of variables.entries()) out.push(await read(`model/${i}`, v));
  if (optimizer) {
    const weights = await optimizer.getWeights();
    try {
      for (const [i, w] of weights.entries()) out.push(await read(`optimizer/${i}/${w.name}`, w.tensor));
    } finally {
      // getWeights makes a fresh iteration-count scalar; the accumulators are the optimizer's own.
      if (weights.length > 0) weights[0].tensor.dispose();
    }
  }
  return out;
}

/** The optimizer's own tensors (accumulators), without the iteration count getWeights makes afresh. */
async function accumulatorsOf(optimizer: tf.Optimizer): Promise<tf.Tensor[]> {
  const weights = await optimizer.getWeights();
  if (weights.length > 0) weights[0].tensor.dispose();
  return weights.slice(1).map((w) => w.tensor);
}

/** Sets `variables` and `optimizer` from tensors made by captureTrainingState; checks names and shapes. */
export async function restoreTrainingState(tensors: CheckpointTensor[], variables: tf.Variable[], optimizer: tf.Optimizer | undefined, source: string): Promise<void> {
  const modelTensors = tensors.filter((t) => t.name.startsWith('model/'));
  if (modelTensors.length !== variables.length) throw new Error(`checkpoint ${source}: ${modelTensors.length} model tensors for ${variables.length} variables`);
  modelTensors.forEach((t, i) => {
    if (!tf.util.arraysEqual(t.shape, variables[i].shape)) throw new Error(`checkpoint ${source}: ${t.name} has shape [${t.shape}], the model's variable [${variables[i].shape}]`);
  });
  modelTensors.forEach((t, i) => tf.tidy(() => variables[i].assign(tf.tensor(t.data, t.shape, t.dtype))));
  uploadNow(variables);
  if (!optimizer) return;
  const saved = tensors.filter((t) => t.name.startsWith('optimizer/'));
  const named = saved.map((t) => ({ name: t.name.split('/').slice(2).join('/'), tensor: tf.tensor(t.data, t.shape, t.dtype) }));
  // setWeights replaces the accumulators without disposing them: dispose the old ones after it.
  const previous = await optimizer.getWeights();
  let replaced = false;
  try {
    await optimizer.setWeights(named);
    replaced = true;
  } finally {
    // The new accumulators are variables over the same data as `named`; the iteration scalar was read.
    tf.dispose(named.map((n) => n.tensor));
    // Not replaced: the old accumulators stay the optimizer's; only getWeights' fresh iteration scalar goes.
    tf.dispose(replaced ? previous.map((w) => w.tensor) : previous.slice(0, 1).map((w) => w.tensor));
  }
  uploadNow(await accumulatorsOf(optimizer));
}
