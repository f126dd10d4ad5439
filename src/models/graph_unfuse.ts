// A tfjs graph model's fused ops split back into their parts, so that every op of the graph has a
// gradient in tfjs: the converter fuses Conv2D, DepthwiseConv2dNative and MatMul with a BiasAdd and an
// activation (_FusedConv2D, FusedDepthwiseConv2dNative, _FusedMatMul), and tfjs-core's fused ops have
// gradients only for no activation and ReLU (MobileNet's ReLU6 throws "Cannot compute gradient for fused
// activation relu6"). y = act(op(x, w) + b) is computed as the three nodes op, BiasAdd and act, the last
// keeping the fused node's name so that its consumers and the outputs are unchanged.

/** One node of a graph model's `modelTopology.node` (TensorFlow's NodeDef as JSON). */
export interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, GraphAttr>;
  device?: string;
}

/** One attribute value of a NodeDef as JSON (strings base64-encoded, numbers as strings or numbers). */
export interface GraphAttr {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  list?: { s?: string[]; i?: (string | number)[]; f?: number[]; type?: string[] };
  shape?: unknown;
  tensor?: unknown;
}

const BASE_OP: Record<string, string> = { _FusedConv2D: 'Conv2D', FusedDepthwiseConv2dNative: 'DepthwiseConv2dNative', _FusedMatMul: 'MatMul' };
const ACTIVATION_OP: Record<string, string> = { relu: 'Relu', relu6: 'Relu6', elu: 'Elu', prelu: 'Prelu', leakyrelu: 'LeakyRelu', sigmoid: 'Sigmoid', tanh: 'Tanh' };
/** The fusion's own attributes, not the base op's. */
const FUSION_ATTRS = new Set(['fused_ops', 'num_args', 'epsilon', 'leakyrelu_alpha']);

/** A NodeDef string attribute's text (base64 in the JSON; atob: Node 16+ and pages). */
export const decodeGraphString = (s: string): string => atob(s);
/** A string as a NodeDef string attribute (base64). */
export const encodeGraphString = (s: string): string => btoa(s);

/** The lower-cased names of a fused node's `fused_ops` attribute, e.g. ['biasadd', 'relu6']. */
export function fusedOps(node: GraphNode): string[] {
  return (node.attr?.fused_ops?.list?.s ?? []).map((s) => decodeGraphString(s).toLowerCase());
}

/**
 * `nodes` with every fused convolution, depthwise convolution and matmul replaced by its parts (nodes
 * named `<name>/unfused_op` and `<name>/unfused_bias`, then the activation under the original name); other
 * nodes as they are. A fusion tfjs cannot run (a fused batch norm) is left for the loader to refuse.
 *
 * @example
 * const topology = { ...modelJson.modelTopology, node: unfuseGraphNodes(modelJson.modelTopology.node) };
 */
export function unfuseGraphNodes(nodes: GraphNode[]): GraphNode[] {
  const out: GraphNode[] = [];
  for (const node of nodes) {
    const base = BASE_OP[node.op];
    const ops = base ? fusedOps(node) : [];
    const [extra, activation] = ops[0] === 'biasadd' || ops[0] === 'fusedbatchnorm' ? [ops[0], ops[1]] : [undefined, ops[0]];
    if (!base || extra === 'fusedbatchnorm' || (activation !== undefined && !(activation in ACTIVATION_OP))) {
      out.push(node);
      continue;
    }
    const inputs = node.input ?? [];
    const control = inputs.filter((i) => i.startsWith('^'));
    const data = inputs.filter((i) => !i.startsWith('^'));
    const attr = Object.fromEntries(Object.entries(node.attr ?? {}).filter(([k]) => !FUSION_ATTRS.has(k)));
    const dtype: Record<string, GraphAttr> = node.attr?.T ? { T: node.attr.T } : {};
    let last = `${node.name}/unfused_op`;
    const steps: GraphNode[] = [{ name: last, op: base, input: [data[0], data[1], ...control], attr }];
    let arg = 2;
    if (extra === 'biasadd') {
      const format: Record<string, GraphAttr> = node.attr?.data_format ? { data_format: node.attr.data_format } : {};
      steps.push({ name: `${node.name}/unfused_bias`, op: 'BiasAdd', input: [last, data[arg++]], attr: { ...dtype, ...format } });
      last = `${node.name}/unfused_bias`;
    }
    if (activation !== undefined) {
      const op = ACTIVATION_OP[activation];
      const input = op === 'Prelu' ? [last, data[arg]] : [last];
      const alpha: Record<string, GraphAttr> = op === 'LeakyRelu' && node.attr?.leakyrelu_alpha ? { alpha: node.attr.leakyrelu_alpha } : {};
      steps.push({ name: node.name, op, input, attr: { ...dtype, ...alpha } });
    } else {
      // No activation: the last part takes the fused node's name.
      steps[steps.length - 1].name = node.name;
    }
    if (node.device !== undefined) steps.forEach((s) => (s.device = node.device));
    out.push(...steps);
  }
  return out;
}
