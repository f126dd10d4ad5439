// The input scale a model expects, folded into it: images stay in [0, 1] pixels, so that epsilon and the
// clip mean what everyone reports, and the model sees x * 255, 2x - 1 or (x - mean) / std per channel.
import * as tf from '@tensorflow/tfjs-core';
import { AdversarialArgumentError } from '../core/validate';
import type { Classifier } from './classifier';

/** A model's input scale: a range that [0, 1] maps to linearly, or per-channel mean and std in [0, 1] pixel units. */
export type InputScale = { range: [number, number] } | { mean: number[]; std: number[] };

const RANGES = ['0,1', '0,255', '-1,1'];

/** The per-channel scale and offset of `scale` on `channels` channels (`model input = x * a + b`), checked. */
function affineOf(scale: InputScale, channels: number, op: string): { a: number[]; b: number[]; text: string } {
  if (typeof scale !== 'object' || scale === null) throw new AdversarialArgumentError(op, 'scale', 'must be {range} or {mean, std}');
  if ('range' in scale) {
    const r = scale.range;
    if (!Array.isArray(r) || !RANGES.includes(r.join(','))) throw new AdversarialArgumentError(op, 'scale.range', `must be one of [0, 1], [0, 255], [-1, 1], got ${JSON.stringify(r)}`);
    return { a: Array(channels).fill(r[1] - r[0]), b: Array(channels).fill(r[0]), text: `input [${r[0]}, ${r[1]}]` };
  }
  const per = (name: 'mean' | 'std') => {
    const v = scale[name];
    if (!Array.isArray(v) || !(v.length === 1 || v.length === channels) || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
      throw new AdversarialArgumentError(op, `scale.${name}`, `must be 1 or ${channels} (the channels) finite numbers, got ${JSON.stringify(v)}`);
    }
    return v.length === 1 ? Array(channels).fill(v[0]) : v;
  };
  const [mean, std] = [per('mean'), per('std')];
  if (std.some((s) => s <= 0)) throw new AdversarialArgumentError(op, 'scale.std', `must be > 0, got ${JSON.stringify(scale.std)}`);
  return { a: std.map((s) => 1 / s), b: mean.map((m, i) => -m / std[i]), text: `input normalised by mean ${mean.join(',')} std ${std.join(',')}` };
}

/**
 * `model` taking images in [0, 1]: its forward maps them to `scale` first. The same variables (training
 * updates the model), the same saved model (`layersModel()`); `description` and `head` say the scale.
 * `[0, 1]` returns `model` itself.
 *
 * @example
 * const mobilenet = withInputScale(classifierFromLayersModel(layers), { range: [-1, 1] });
 * const resnet = withInputScale(model, { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
 */
export function withInputScale(model: Classifier, scale: InputScale): Classifier {
  const op = 'withInputScale';
  if (typeof model?.forward !== 'function') throw new AdversarialArgumentError(op, 'model', 'must be a Classifier');
  const channels = model.inputShape[2];
  const { a, b, text } = affineOf(scale, channels, op);
  if (a.every((v) => v === 1) && b.every((v) => v === 0)) return model;
  const scaleTensor = tf.keep(tf.tensor1d(a));
  const offsetTensor = tf.keep(tf.tensor1d(b));
  let disposed = false;
  return {
    ...model,
    description: `${model.description}; ${text}`,
    head: [model.head, `pixels in [0, 1] (eps and the clip in that space), mapped to the model's ${text}`].filter(Boolean).join('; '),
    forward: (x, training) => tf.tidy(() => model.forward(tf.add(tf.mul(x, scaleTensor), offsetTensor) as tf.Tensor4D, training)),
    dispose: () => {
      if (disposed) return;
      disposed = true;
      tf.dispose([scaleTensor, offsetTensor]);
      model.dispose();
    },
  };
}
