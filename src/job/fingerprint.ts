// Fingerprints of a job's model and data, so that a resumed run can tell that it sees the same ones and a
// report says which it measured: SHA-256 through Web Crypto (Node 20 and pages alike) over a header that
// names the shapes, then each part's own digest (a model's variables in order; the data's images and
// labels), so that large parts are hashed one at a time and never joined into one buffer.
import type * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '../models/classifier';
import type { ImageSet } from './data';

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

/**
 * `sha256:` and the hex SHA-256 of `header` (UTF-8) followed by the SHA-256 of each part, in order.
 *
 * @example
 * await digestParts('{"shape":[2]}', [new Uint8Array([1, 2])]);  // 'sha256:…' (64 hex digits)
 */
export async function digestParts(header: string, parts: Uint8Array[]): Promise<string> {
  const head = new TextEncoder().encode(header);
  const digests = await Promise.all(parts.map(sha256));
  const joined = new Uint8Array(head.length + 32 * digests.length);
  joined.set(head);
  digests.forEach((d, i) => joined.set(d, head.length + 32 * i));
  return `sha256:${hex(await sha256(joined))}`;
}

const asBytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/**
 * The fingerprint of a classifier: its architecture, description, input shape, classes and the shapes of
 * its variables (trainable, then state, then a graph model's constant weights), with their current values read back from the device. Two models
 * of one topology with other weights differ; the same model saved and loaded again does not.
 *
 * @example
 * const before = await modelFingerprint(model);  // 'sha256:…'
 */
export async function modelFingerprint(model: Classifier): Promise<string> {
  const variables: tf.Tensor[] = [...model.variables, ...(model.stateVariables ?? []), ...(model.constants ?? [])];
  const header = JSON.stringify({ architecture: model.architecture, description: model.description, inputShape: model.inputShape, numClasses: model.numClasses, shapes: variables.map((v) => v.shape) });
  const values = await Promise.all(variables.map(async (v) => asBytes((await v.data()) as Float32Array | Int32Array | Uint8Array)));
  return digestParts(header, values);
}

/**
 * The fingerprint of a job's image sets: each set's shape and count, then its images' and labels' bytes.
 *
 * @example
 * const fingerprint = await dataFingerprint([train, test]);
 */
export async function dataFingerprint(sets: (ImageSet | undefined)[]): Promise<string> {
  const present = sets.filter((s): s is ImageSet => s !== undefined);
  const header = JSON.stringify(present.map((s) => ({ count: s.count, shape: [s.height, s.width, s.channels ?? 1] })));
  return digestParts(header, present.flatMap((s) => [s.images, s.labels]));
}
