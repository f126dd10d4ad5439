// A tfjs-layers model's inference forward pass with its batch normalisations folded into the convolutions
// before them (attacks and evaluation run in inference mode, where the statistics are frozen): each chain
// [ZeroPadding2D] -> Conv2D | DepthwiseConv2D -> [BatchNormalization] -> [ReLU | ReLU6], its intermediate
// tensors used by nothing else, runs as one engine op (convActivation: one kernel forward, and under a
// gradient one activation-gradient kernel and the input's backprop kernel), with
//   scale = gamma / sqrt(movingVariance + epsilon)
//   w' = w * scale (per output channel),  bias' = (bias - movingMean) * scale + beta
//   padding: ZeroPadding2D's rows and columns as the convolution's explicit padding ('valid' convolutions).
// The folded weights are computed from the layers' variables on every call, under the caller's gradient
// tape (about 6 small kernels a layer), so gradients reach the variables where a caller asks for them.
// A ReLU6 convolution whose output only one other fused convolution reads hands the ReLU6's gradient to it
// (relu6Pairs): the reader masks its input gradient as it writes it, and no ReLU6-gradient pass runs.
// A batch normalisation without a scale that is not folded into a convolution runs as its affine map
//   y = x * scale + (beta - movingMean * scale)   (scale = 1 / sqrt(movingVariance + epsilon))
// over the last axis: tfjs 4.22 cannot differentiate tf.batchNorm without a scale (tensorflow/tfjs#2868:
// it saves the absent scale for the gradient and fails on it), so attacks on such a model would fail.
// Every other layer runs its own `apply` in inference mode; nested models are planned the same way. A model
// whose graph the plan does not cover (a layer with several outputs) gets no plan: the caller runs
// `model.apply` as before.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { convActivation, relu6InputOn, type ConvActivationAttrs, type ConvPadding } from '../engine/conv/conv_activation';
import type { EngineActivation } from '../engine/matmul/matmul';
import { isLayersModel } from './layers_head';

type SymbolicTensor = tfl.SymbolicTensor;
type Layer = SymbolicTensor['sourceLayer'];
type Variable = { read(): tf.Tensor } | null | undefined;

/** The fields of tfjs-layers' Conv2D, DepthwiseConv2D, BatchNormalization, ReLU and ZeroPadding2D the plan reads. */
interface ConvFields {
  kernel?: Variable;
  depthwiseKernel?: Variable;
  bias?: Variable;
  useBias: boolean;
  strides: number[];
  padding: string;
  dilationRate: number | number[];
  dataFormat: string;
  activation?: { getClassName(): string } | null;
}
interface BatchNormFields {
  gamma?: Variable;
  beta?: Variable;
  movingMean: Variable;
  movingVariance: Variable;
  epsilon: number;
  axis: number;
  center: boolean;
  scale: boolean;
}

/** One step: the symbolic tensor it computes from the ones it reads. */
interface Step {
  out: number;
  ins: number[];
  run(inputs: tf.Tensor[]): tf.Tensor;
  /** A fused convolution's attributes, and the same as one side of a ReLU6 pair (relu6Pairs), if any. */
  conv?: { attrs: ConvActivationAttrs; paired?: ConvActivationAttrs; masksRelu6: boolean };
}

/**
 * Whether the engine's kernels mask this convolution's input gradient by relu6'(x) as they write it: a 3x3
 * depthwise at stride 1 or 2 over channels a multiple of 4, or a 1x1 at stride 1 without padding over
 * channel counts that are multiples of 4 (conv_activation.ts; elsewhere the pair still holds, with the
 * ReLU6-gradient kernel run after the input gradient).
 */
function masksRelu6Input(conv: Layer, attrs: ConvActivationAttrs): boolean {
  const c = conv as unknown as ConvFields;
  const shape = (attrs.kind === 'depthwise' ? c.depthwiseKernel : c.kernel)!.read().shape;
  const [fh, fw, cin, m] = shape;
  const [sh, sw] = attrs.strides;
  const undilated = attrs.dilations[0] === 1 && attrs.dilations[1] === 1;
  if (attrs.kind === 'depthwise') return fh === 3 && fw === 3 && m === 1 && cin % 4 === 0 && sh === sw && (sh === 1 || sh === 2) && undilated;
  const unpadded = attrs.pad === 'valid' || attrs.pad === 'same' || attrs.pad.every(([a, b]) => a === 0 && b === 0);
  return fh === 1 && fw === 1 && sh === 1 && sw === 1 && undilated && unpadded && cin % 4 === 0 && m % 4 === 0;
}

/**
 * Pairs each fused ReLU6 convolution with the one fused convolution that alone reads its output, where that
 * one masks its input gradient (masksRelu6Input): the reader (inputIsRelu6) writes dx * relu6'(x), and the
 * producer (gradientMaskedByConsumer) takes it as its dz, so that no ReLU6-gradient pass runs between them
 * (MobileNetV2's first conv -> depthwise, expand -> depthwise -> project). The values are the same. Counts
 * the pairs.
 */
function relu6Pairs(steps: Step[], uses: Map<number, number>): number {
  const byInput = new Map<number, Step>();
  for (const s of steps) if (s.conv) byInput.set(s.ins[0]!, s);
  let pairs = 0;
  for (const producer of steps) {
    const consumer = byInput.get(producer.out);
    if (!producer.conv || producer.conv.attrs.activation !== 'relu6' || uses.get(producer.out) !== 1 || !consumer?.conv?.masksRelu6) continue;
    producer.conv.paired = { ...(producer.conv.paired ?? producer.conv.attrs), gradientMaskedByConsumer: true };
    consumer.conv.paired = { ...(consumer.conv.paired ?? consumer.conv.attrs), inputIsRelu6: true };
    pairs++;
  }
  return pairs;
}

/** A compiled forward pass: x to the model's single output, inference mode. */
export interface InferencePlan {
  run(x: tf.Tensor): tf.Tensor;
  /** How many convolutions run fused, and how many batch normalisations and activations were folded into them. */
  fused: { convolutions: number; batchNorms: number; activations: number; paddings: number; relu6Pairs: number };
}

const nodeOf = (t: SymbolicTensor) => t.sourceLayer.inboundNodes[t.nodeIndex];
const pair = (v: number | number[]): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1] ?? v[0]]);

/** The activation a layer applies, where it is one the fused op knows; null otherwise. */
function activationLayer(layer: Layer): EngineActivation | null {
  const name = layer.getClassName();
  if (name === 'ReLU') {
    const max = (layer as unknown as { maxValue: number | null }).maxValue;
    return max == null ? 'relu' : max === 6 ? 'relu6' : null;
  }
  if (name === 'Activation') {
    const a = (layer as unknown as { activation: { getClassName(): string } }).activation.getClassName();
    return a === 'relu' || a === 'relu6' ? a : null;
  }
  return null;
}

function ownActivation(layer: Layer): EngineActivation | null {
  const a = (layer as unknown as ConvFields).activation?.getClassName() ?? 'linear';
  return a === 'linear' || a === 'relu' || a === 'relu6' ? a : null;
}

const isConv = (layer: Layer) => {
  const name = layer.getClassName();
  const c = layer as unknown as ConvFields;
  return (name === 'Conv2D' || name === 'DepthwiseConv2D') && c.dataFormat === 'channelsLast' && (c.padding === 'same' || c.padding === 'valid');
};

const isChannelBatchNorm = (layer: Layer) => {
  if (layer.getClassName() !== 'BatchNormalization') return false;
  const axis = (layer as unknown as BatchNormFields).axis;
  return axis === -1 || axis === 3;
};

/** The folded weights and bias of a convolution and the batch normalisation after it (if any). */
function folded(conv: Layer, bn: Layer | null, depthwise: boolean): { filter: tf.Tensor4D; bias: tf.Tensor1D } {
  const c = conv as unknown as ConvFields;
  const w = (depthwise ? c.depthwiseKernel : c.kernel)!.read() as tf.Tensor4D;
  const outChannels = depthwise ? w.shape[2] * w.shape[3] : w.shape[3];
  const b = c.useBias && c.bias ? (c.bias.read() as tf.Tensor1D) : null;
  if (bn == null) return { filter: w, bias: b ?? tf.zeros([outChannels]) };
  const n = bn as unknown as BatchNormFields;
  const inv = tf.rsqrt(tf.add(n.movingVariance!.read(), n.epsilon));
  const scale = (n.scale && n.gamma ? tf.mul(n.gamma.read(), inv) : inv) as tf.Tensor1D;
  const filter = tf.mul(w, depthwise ? tf.reshape(scale, [w.shape[2], w.shape[3]]) : scale) as tf.Tensor4D;
  const centred = tf.mul(b ? tf.sub(b, n.movingMean!.read()) : tf.neg(n.movingMean!.read()), scale);
  return { filter, bias: (n.center && n.beta ? tf.add(centred, n.beta.read()) : centred) as tf.Tensor1D };
}

/** A scale-free batch normalisation (which tf.batchNorm cannot differentiate) as x * scale + shift, inference mode. */
function scaleFreeBatchNorm(bn: Layer, x: tf.Tensor): tf.Tensor {
  const n = bn as unknown as BatchNormFields;
  return tf.tidy(() => {
    const scale = tf.rsqrt(tf.add(n.movingVariance!.read(), n.epsilon));
    const shifted = tf.neg(tf.mul(n.movingMean!.read(), scale));
    return tf.add(tf.mul(x, scale), n.center && n.beta ? tf.add(shifted, n.beta.read()) : shifted);
  });
}

/** Uses of each symbolic tensor (by id) in the graph that computes `outputs`, model outputs counted too. */
function countUses(outputs: SymbolicTensor[], inputs: Set<number>): Map<number, number> {
  const uses = new Map<number, number>();
  const seen = new Set<number>();
  const visit = (t: SymbolicTensor) => {
    if (seen.has(t.id) || inputs.has(t.id)) return;
    seen.add(t.id);
    for (const i of nodeOf(t).inputTensors) {
      uses.set(i.id, (uses.get(i.id) ?? 0) + 1);
      visit(i);
    }
  };
  for (const o of outputs) {
    uses.set(o.id, (uses.get(o.id) ?? 0) + 1);
    visit(o);
  }
  return uses;
}

/**
 * The inference plan of `model`, or null where its graph has a layer the plan cannot run (several
 * outputs, several inputs to the model).
 *
 * @example
 * const plan = planInference(mobileNet)!;
 * plan.fused; // { convolutions: 52, batchNorms: 52, activations: 35, paddings: 4, relu6Pairs: 34 }
 * const logits = plan.run(images);  // = mobileNet.apply(images, {training: false}), to float rounding
 */
export function planInference(model: tfl.LayersModel): InferencePlan | null {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) return null;
  const input = model.inputs[0];
  const uses = countUses(model.outputs, new Set([input.id]));
  const once = (t: SymbolicTensor) => uses.get(t.id) === 1;
  const fused = { convolutions: 0, batchNorms: 0, activations: 0, paddings: 0, relu6Pairs: 0 };
  const steps: Step[] = [];
  const planned = new Set<number>([input.id]);

  const plan = (t: SymbolicTensor): boolean => {
    if (planned.has(t.id)) return true;
    const layer = t.sourceLayer;
    const node = nodeOf(t);
    if (node.outputTensors.length !== 1) return false;
    // The chain ending at t: [pad] conv [bn] [act].
    let head = t;
    let act: EngineActivation | null = activationLayer(layer);
    if (act) {
      const src = node.inputTensors[0];
      if (node.inputTensors.length === 1 && once(src) && (isChannelBatchNorm(src.sourceLayer) || (isConv(src.sourceLayer) && ownActivation(src.sourceLayer) === 'linear'))) head = src;
      else act = null;
    }
    let bn: Layer | null = null;
    if (isChannelBatchNorm(head.sourceLayer)) {
      const src = nodeOf(head).inputTensors[0];
      if (once(src) && isConv(src.sourceLayer) && ownActivation(src.sourceLayer) === 'linear') {
        bn = head.sourceLayer;
        head = src;
      } else if (act) return planLayer(t);
    }
    if (!isConv(head.sourceLayer) || (head === t && ownActivation(layer) == null)) return planLayer(t);
    const conv = head.sourceLayer;
    const c = conv as unknown as ConvFields;
    let x = nodeOf(head).inputTensors[0];
    let pad: ConvPadding = c.padding as 'same' | 'valid';
    if (x.sourceLayer.getClassName() === 'ZeroPadding2D' && once(x) && c.padding === 'valid' && (x.sourceLayer as unknown as { dataFormat: string }).dataFormat === 'channelsLast') {
      const [[top, bottom], [left, right]] = (x.sourceLayer as unknown as { padding: [[number, number], [number, number]] }).padding;
      pad = [[0, 0], [top, bottom], [left, right], [0, 0]];
      x = nodeOf(x).inputTensors[0];
      fused.paddings++;
    }
    if (!plan(x)) return false;
    const depthwise = conv.getClassName() === 'DepthwiseConv2D';
    const attrs: ConvActivationAttrs = { kind: depthwise ? 'depthwise' : 'conv', strides: pair(c.strides), pad, dilations: pair(c.dilationRate), activation: act ?? ownActivation(conv)! };
    const step: Step = {
      out: t.id,
      ins: [x.id],
      conv: { attrs, masksRelu6: masksRelu6Input(conv, attrs) },
      run: ([v]) => {
        const { filter, bias } = folded(conv, bn, depthwise);
        const own = step.conv!;
        return convActivation(v as tf.Tensor4D, filter, bias, own.paired && relu6InputOn() ? own.paired : own.attrs);
      },
    };
    steps.push(step);
    fused.convolutions++;
    if (bn) fused.batchNorms++;
    if (act) fused.activations++;
    planned.add(t.id);
    return true;
  };

  /** A layer run by itself: its own apply, or a nested model's plan. */
  const planLayer = (t: SymbolicTensor): boolean => {
    const layer = t.sourceLayer;
    const node = nodeOf(t);
    for (const i of node.inputTensors) if (!plan(i)) return false;
    const nested = isLayersModel(layer) ? planInference(layer) : null;
    const bn = isChannelBatchNorm(layer) && !(layer as unknown as BatchNormFields).scale ? layer : null;
    if (nested) for (const k of Object.keys(fused) as (keyof typeof fused)[]) fused[k] += nested.fused[k];
    const kwargs = { ...(node.callArgs ?? {}), training: false };
    steps.push({
      out: t.id,
      ins: node.inputTensors.map((i) => i.id),
      run: (ins) => {
        if (nested) return nested.run(ins[0]);
        if (bn) return scaleFreeBatchNorm(bn, ins[0]);
        const y = layer.apply(ins.length === 1 ? ins[0] : ins, kwargs);
        return (Array.isArray(y) ? y[0] : y) as tf.Tensor;
      },
    });
    planned.add(t.id);
    return true;
  };

  const output = model.outputs[0];
  if (!plan(output)) return null;
  fused.relu6Pairs += relu6Pairs(steps, uses);
  return {
    fused,
    run: (x) => {
      const values = new Map<number, tf.Tensor>([[input.id, x]]);
      for (const s of steps) values.set(s.out, s.run(s.ins.map((i) => values.get(i)!)));
      return values.get(output.id)!;
    },
  };
}
