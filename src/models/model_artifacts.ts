// A tfjs model.json and the weights files its manifest names, read through caller-supplied byte I/O
// (node:fs, fetch, a page's picked files) into tfjs ModelArtifacts, for both formats (Layers and graph):
// the JSON checked, each weights group's bytes checked against its manifest, errors naming the file.
import * as tf from '@tensorflow/tfjs-core';

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
 * Reads `modelJsonPath` and its weights (relative to its folder) through `readFile` as ModelArtifacts;
 * `check` sees the parsed model.json before any weights file is read (to refuse a format early). Errors
 * start with `op` and name the file at fault.
 *
 * @example
 * const { modelJson, artifacts } = await readModelArtifacts('load', 'model/model.json', (p) => readFile(p));
 * const model = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
 */
export async function readModelArtifacts(
  op: string,
  modelJsonPath: string,
  readFile: (path: string) => Promise<Uint8Array>,
  check?: (modelJson: tf.io.ModelJSON) => void,
): Promise<{ modelJson: tf.io.ModelJSON; artifacts: tf.io.ModelArtifacts }> {
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
  check?.(modelJson);
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
  return { modelJson, artifacts };
}
