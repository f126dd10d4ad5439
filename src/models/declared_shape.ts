// The image size a model.json declares, read from the JSON alone (no tfjs, no weights): what the command
// line resizes an image folder to before the model is built, in Node, for a job that may run in a page.
// A Layers model's first `batch_input_shape` (Sequential, functional or nested alike); a graph model's
// signature input or its Placeholder's shape.

type Json = unknown;

const size = (d: Json) => (typeof d === 'number' ? d : typeof d === 'string' ? Number(d) : Number.NaN);

/** [height, width, channels] of a shape [batch, h, w, c] with every image dimension fixed, else null. */
function imageShapeOf(dims: Json[] | undefined): [number, number, number] | null {
  if (!Array.isArray(dims) || dims.length !== 4) return null;
  const hwc = dims.slice(1).map(size);
  return hwc.every((d) => Number.isInteger(d) && d > 0) ? (hwc as [number, number, number]) : null;
}

/** The first value under one of `keys` in a depth-first walk of `value`, objects in key order. */
function firstUnder(value: Json, keys: string[]): Json[] | undefined {
  if (Array.isArray(value)) {
    for (const v of value) {
      const found = firstUnder(v, keys);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [k, v] of Object.entries(value)) {
    if (keys.includes(k) && Array.isArray(v)) return v;
    const found = firstUnder(v, keys);
    if (found) return found;
  }
  return undefined;
}

interface GraphDim {
  size?: string | number;
}

/**
 * The image shape [height, width, channels] that a tfjs model.json (Layers or graph format) declares for
 * its input, or null where it declares none of a fixed size.
 *
 * @example
 * declaredImageShape(JSON.parse(readFileSync('model/model.json', 'utf8')));  // [224, 224, 3]
 */
export function declaredImageShape(modelJson: Json): [number, number, number] | null {
  const json = modelJson as { format?: string; modelTopology?: Json; signature?: { inputs?: Record<string, { tensorShape?: { dim?: GraphDim[] } }> } };
  if (typeof json !== 'object' || json === null) return null;
  if (json.format === 'graph-model') {
    const inputs = Object.values(json.signature?.inputs ?? {});
    if (inputs.length === 1) return imageShapeOf(inputs[0].tensorShape?.dim?.map((d) => d.size ?? -1));
    const nodes = (json.modelTopology as { node?: { op?: string; attr?: { shape?: { shape?: { dim?: GraphDim[] } } } }[] })?.node ?? [];
    const placeholders = nodes.filter((n) => n.op === 'Placeholder');
    return placeholders.length === 1 ? imageShapeOf(placeholders[0].attr?.shape?.shape?.dim?.map((d) => d.size ?? -1)) : null;
  }
  return imageShapeOf(firstUnder(json.modelTopology, ['batch_input_shape', 'batchInputShape', 'batch_shape']));
}
