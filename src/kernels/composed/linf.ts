// The attack formulas written with stock tfjs ops: the fallback on backends without the fused kernels
// (`nanSafe`: NaN gradients make no step, as in the kernels), and the baseline that benchmarks compare with.
import {
  add,
  argMax,
  customGrad,
  div,
  equal,
  gather,
  neg,
  oneHot,
  reshape,
  topk,
  unstack,
  clipByValue,
  fill,
  isNaN as isNaNOp,
  logicalOr,
  maximum,
  minimum,
  mul,
  scalar,
  sign,
  sub,
  tensor,
  tidy,
  where,
  zerosLike,
  type Tensor,
} from '@tensorflow/tfjs-core';
import type { ApgdStepAttrs, FgsmStepAttrs, PgdStepAttrs, RandomStartAttrs } from '../names';
import { noiseFromKey } from '../cpu/linf';
import { pcgHash } from '../pcg';

function direction(grad: Tensor, nanSafe: boolean): Tensor {
  const s = sign(grad);
  return nanSafe ? where(isNaNOp(grad), zerosLike(grad), s) : s;
}

/** clip(x + s * sign(grad)), s = +eps or -eps, with stock ops. */
export function fgsmStepComposed(x: Tensor, grad: Tensor, a: FgsmStepAttrs, nanSafe = true): Tensor {
  return tidy(() => {
    const stepped = add(x, mul(direction(grad, nanSafe), scalar(a.targeted ? -a.epsilon : a.epsilon)));
    return clipByValue(stepped, a.clipMin, a.clipMax);
  });
}

/** clip(min(max(xAdv + a * sign(grad), x0 - eps), x0 + eps)) with stock ops. */
export function pgdStepComposed(xAdv: Tensor, x0: Tensor, grad: Tensor, a: PgdStepAttrs, nanSafe = true): Tensor {
  return tidy(() => {
    const stepped = add(xAdv, mul(direction(grad, nanSafe), scalar(a.stepSize)));
    const eps = scalar(a.epsilon);
    const projected = minimum(maximum(stepped, sub(x0, eps)), add(x0, eps));
    const out = clipByValue(projected, a.clipMin, a.clipMax);
    return nanSafe ? where(logicalOr(isNaNOp(xAdv), isNaNOp(x0)), fill(out.shape, NaN), out) : out;
  });
}

/** clip(x + u) with u drawn on the CPU by the kernel's generator (so results equal the kernel's), then uploaded. */
export function randomStartComposed(x: Tensor, a: RandomStartAttrs): Tensor {
  return tidy(() => {
    const noise = new Float32Array(x.size);
    const key = pcgHash(a.seed);
    for (let i = 0; i < noise.length; i++) noise[i] = noiseFromKey(i, key, a.epsilon);
    return clipByValue(add(x, tensor(noise, x.shape, 'float32')), a.clipMin, a.clipMax);
  });
}

/** APGD's L-infinity step with stock ops (per-row step sizes broadcast over each row). */
export function apgdStepComposed(xCur: Tensor, xPrev: Tensor, x0: Tensor, grad: Tensor, stepSize: Tensor, a: ApgdStepAttrs, nanSafe = true): Tensor {
  return tidy(() => {
    const rowShape = [stepSize.size, ...xCur.shape.slice(1).map(() => 1)];
    const eta = reshape(stepSize, rowShape);
    const eps = scalar(a.epsilon);
    const lower = sub(x0, eps);
    const upper = add(x0, eps);
    const project = (v: Tensor) => clipByValue(minimum(maximum(v, lower), upper), a.clipMin, a.clipMax);
    const z = project(add(xCur, mul(direction(grad, nanSafe), eta)));
    const moved = add(add(xCur, mul(scalar(a.momentum), sub(z, xCur))), mul(scalar(1 - Math.fround(a.momentum)), sub(xCur, xPrev)));
    const out = project(moved);
    return nanSafe ? where(logicalOr(logicalOr(isNaNOp(xCur), isNaNOp(x0)), isNaNOp(xPrev)), fill(out.shape, NaN), out) : out;
  });
}

/**
 * DLR per row with stock ops (top-3 by tf.topk, label by tf.argMax) and its gradient by tf.customGrad:
 * the fallback on backends without the DlrLoss kernel.
 */
export function dlrLossComposed(logits: Tensor, labels: Tensor): Tensor {
  const classes = logits.shape[1] as number;
  // tfjs types the custom-gradient function's arguments loosely (inputs..., save).
  const f = customGrad(((l: Tensor, y: Tensor, save: (t: Tensor[]) => void) => {
    const label = argMax(y, 1);
    const top = topk(l, 3);
    const [i1, , i3] = unstack(top.indices, 1);
    const [v1, v2, v3] = unstack(top.values, 1);
    const labelIsFirst = equal(i1, label);
    const other = where(labelIsFirst, unstack(top.indices, 1)[1], i1);
    const zy = reshape(gather(l, reshape(label, [-1, 1]), 1, 1), [-1]);
    const margin = sub(zy, where(labelIsFirst, v2, v1));
    const spread = add(sub(v1, v3), scalar(1e-12));
    save([label, other, i1, i3, margin, spread, y]);
    return {
      value: neg(div(margin, spread)),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [lb, ot, first, third, m, sp, yy] = saved;
        const oh = (idx: Tensor) => oneHot(idx, classes);
        const s = reshape(div(dy, sp), [-1, 1]);
        const t = reshape(div(mul(dy, div(m, sp)), sp), [-1, 1]);
        const g = add(sub(mul(s, sub(oh(ot), oh(lb))), mul(t, oh(third))), mul(t, oh(first)));
        return [g, zerosLike(yy)];
      },
    };
  }) as unknown as Parameters<typeof customGrad>[0]);
  return f(logits, labels);
}
