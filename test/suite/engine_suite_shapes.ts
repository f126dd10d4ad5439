// The engine cases of the depthwise convolutions (forward, input and filter gradients, any channel count
// and multiplier), Mean and its gradient, PadV2 and Slice: inputs, the run under the standard tfjs kernel
// name (or the registered gradient), and the float64 references (engine_suite.ts runs and compares them).
import * as tf from '@tensorflow/tfjs-core';
import type { ConvCase, ReduceCase, ShapeCase } from './engine_cases';
import { activate, depthwiseConv2dBackpropFilterReference, depthwiseConv2dBackpropInputReference, depthwiseConv2dReference } from './engine_reference';
import { meanGradReference, meanReference, padReference, sliceReference } from './engine_reference_shapes';
import type { Prepared } from './engine_suite';

type Rand = (n: number, lo?: number, hi?: number) => Float32Array;

const abs = (v: ArrayLike<number>) => Float64Array.from(v as ArrayLike<number>, Math.abs);
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** A depthwise case: DepthwiseConv2dNative, ...BackpropInput or ...BackpropFilter. */
export function prepareDepthwise(c: ConvCase, rand: Rand): Prepared {
  const g = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, c.dilations, c.pad, undefined, true, 'channelsLast');
  const attrs: tf.NamedAttrMap = { strides: c.strides, pad: c.pad, dilations: c.dilations };
  if (c.op === 'FusedDepthwiseConv2D') {
    // Bias and filter wide enough that both of ReLU6's bounds are crossed: x in [0, 1], w in [-4, 4].
    const x = rand(size(c.x), 0, 1);
    const w = rand(size(c.filter), -4, 4);
    const bias = rand(g.outChannels, -1, 3);
    const activation = c.activation ?? 'relu';
    const linear = depthwiseConv2dReference(x, w, g).map((v, i) => v + bias[i % g.outChannels]);
    const scale = depthwiseConv2dReference(abs(x), abs(w), g).map((v, i) => v + Math.abs(bias[i % g.outChannels]));
    return {
      inputs: { x: { values: x, shape: c.x }, filter: { values: w, shape: c.filter }, bias: { values: bias, shape: [g.outChannels] } },
      run: (t) => [tf.engine().runKernel('FusedDepthwiseConv2D', { x: t.x, filter: t.filter, bias: t.bias }, { ...attrs, dataFormat: 'NHWC', activation, leakyreluAlpha: 0 }) as tf.Tensor],
      expected: [{ values: activate(linear, activation), scale, shape: g.outShape }],
      countName: c.op,
    };
  }
  if (c.op === 'DepthwiseConv2dNative') {
    const x = rand(size(c.x), 0, 1);
    const w = rand(size(c.filter));
    return {
      inputs: { x: { values: x, shape: c.x }, filter: { values: w, shape: c.filter } },
      run: (t) => [tf.engine().runKernel('DepthwiseConv2dNative', { x: t.x, filter: t.filter }, { ...attrs, dataFormat: 'NHWC' }) as tf.Tensor],
      expected: [{ values: depthwiseConv2dReference(x, w, g), scale: depthwiseConv2dReference(abs(x), abs(w), g), shape: g.outShape }],
      countName: c.op,
    };
  }
  const dy = rand(size(g.outShape));
  if (c.op === 'DepthwiseConv2dNativeBackpropInput') {
    const w = rand(size(c.filter));
    return {
      inputs: { dy: { values: dy, shape: g.outShape }, filter: { values: w, shape: c.filter } },
      run: (t) => [tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: t.dy, filter: t.filter }, { ...attrs, inputShape: c.x }) as tf.Tensor],
      expected: [{ values: depthwiseConv2dBackpropInputReference(dy, w, g), scale: depthwiseConv2dBackpropInputReference(abs(dy), abs(w), g), shape: c.x }],
      countName: c.op,
    };
  }
  const x = rand(size(c.x), 0, 1);
  return {
    inputs: { x: { values: x, shape: c.x }, dy: { values: dy, shape: g.outShape } },
    run: (t) => [tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: t.x, dy: t.dy }, { ...attrs, filterShape: c.filter }) as tf.Tensor],
    expected: [{ values: depthwiseConv2dBackpropFilterReference(x, dy, g), scale: depthwiseConv2dBackpropFilterReference(abs(x), abs(dy), g), shape: c.filter }],
    countName: c.op,
  };
}

/** A Mean or MeanGrad case (the registered Mean gradient itself, so that its output is the first allocation). */
export function prepareReduce(c: ReduceCase, rand: Rand): Prepared {
  const axes = c.axes.map((a) => (a < 0 ? a + c.shape.length : a));
  const kept = c.shape.map((d, i) => (axes.includes(i) ? (c.keepDims ? 1 : 0) : d)).filter((d) => d > 0);
  const x = rand(size(c.shape));
  if (c.op === 'Mean') {
    const ref = meanReference(x, c.shape, axes);
    return {
      inputs: { x: { values: x, shape: c.shape } },
      run: (t) => [tf.engine().runKernel('Mean', { x: t.x }, { axis: c.axes, keepDims: c.keepDims }) as tf.Tensor],
      expected: [{ values: ref.values, scale: ref.scale, shape: kept }],
      countName: c.op,
    };
  }
  const dy = rand(size(kept));
  const values = meanGradReference(dy, c.shape, axes);
  return {
    inputs: { x: { values: x, shape: c.shape }, dy: { values: dy, shape: kept } },
    run: (t) => [(tf.getGradient('Mean')!.gradFunc(t.dy, [t.x], { axis: c.axes, keepDims: c.keepDims }) as { x: () => tf.Tensor }).x()],
    expected: [{ values, scale: abs(values), shape: c.shape }],
    countName: c.op,
  };
}

/** A PadV2 or Slice case. */
export function prepareShape(c: ShapeCase, rand: Rand): Prepared {
  const x = rand(size(c.shape));
  if (c.op === 'PadV2') {
    const outShape = c.shape.map((d, i) => c.paddings![i][0] + d + c.paddings![i][1]);
    return {
      inputs: { x: { values: x, shape: c.shape } },
      run: (t) => [tf.engine().runKernel('PadV2', { x: t.x }, { paddings: c.paddings!, constantValue: c.value! }) as tf.Tensor],
      expected: [{ values: padReference(x, c.shape, c.paddings!, c.value!), shape: outShape }],
      countName: c.op,
    };
  }
  const outShape = c.size!.map((s, i) => (s < 0 ? c.shape[i] - c.begin![i] : s));
  return {
    inputs: { x: { values: x, shape: c.shape } },
    run: (t) => [tf.engine().runKernel('Slice', { x: t.x }, { begin: c.begin!, size: c.size! }) as tf.Tensor],
    expected: [{ values: sliceReference(x, c.shape, c.begin!, outShape), shape: outShape }],
    countName: c.op,
  };
}
