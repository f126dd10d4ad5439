// The L2 attack steps, the targeted DLR loss and APGD's bookkeeping written with stock tfjs ops: the fallback
// on backends without the fused kernels. Same formulas and NaN rules as the kernels (src/kernels/cpu/l2.ts); the norms are tf.sum
// reductions, so results agree with the kernels to rounding, not bit for bit.
import {
  add,
  argMax,
  customGrad,
  div,
  fill,
  gather,
  broadcastTo,
  greater,
  notEqual,
  isInf,
  isNaN as isNaNOp,
  mul,
  neg,
  oneHot,
  reshape,
  scalar,
  sqrt,
  square,
  sub,
  sum,
  tensor,
  tidy,
  topk,
  unstack,
  where,
  zerosLike,
  clipByValue,
  type Tensor,
} from '@tensorflow/tfjs-core';
import type { ApgdStepAttrs, PgdStepAttrs, RandomStartAttrs } from '../names';
import { pcgHash } from '../pcg';
import { l2NoiseFromKey } from '../cpu/l2';

const TINY = 1e-12;

/** Per-example ||v|| as a [rows, 1, ...] tensor that broadcasts over the example. */
function rowNorm(v: Tensor): Tensor {
  const axes = v.shape.map((_, i) => i).slice(1);
  return reshape(sqrt(sum(square(v), axes)), [v.shape[0] ?? 0, ...v.shape.slice(1).map(() => 1)]);
}

/** g / (||g|| + 1e-12), NaN elements as 0, rows whose norm overflowed as 0. */
function direction(grad: Tensor): Tensor {
  const g = where(isNaNOp(grad), zerosLike(grad), grad);
  const n = rowNorm(g);
  const unit = div(g, add(n, scalar(TINY)));
  return where(isInf(n), zerosLike(unit), unit);
}

/** clamp(x0 + d * min(1, eps / ||d||)); the example's row NaN where ||d|| is. */
function project(x0: Tensor, d: Tensor, epsilon: number, clipMin: number, clipMax: number): Tensor {
  const n = rowNorm(d);
  const eps = scalar(epsilon);
  const s = where(greater(n, eps), div(eps, n), fill(n.shape, 1));
  const out = clipByValue(add(x0, mul(d, s)), clipMin, clipMax);
  return where(isNaNOp(n), fill(out.shape, NaN), out);
}

/** PgdStepL2 with stock ops. */
export function pgdStepL2Composed(xAdv: Tensor, x0: Tensor, grad: Tensor, a: PgdStepAttrs): Tensor {
  return tidy(() => project(x0, sub(add(xAdv, mul(scalar(a.stepSize), direction(grad))), x0), a.epsilon, a.clipMin, a.clipMax));
}

/** ApgdStepL2 with stock ops (per-row step sizes broadcast over each row). */
export function apgdStepL2Composed(xCur: Tensor, xPrev: Tensor, x0: Tensor, grad: Tensor, stepSize: Tensor, a: ApgdStepAttrs): Tensor {
  return tidy(() => {
    const eta = reshape(stepSize, [stepSize.size, ...xCur.shape.slice(1).map(() => 1)]);
    const z = project(x0, sub(add(xCur, mul(eta, direction(grad))), x0), a.epsilon, a.clipMin, a.clipMax);
    const moved = add(add(xCur, mul(scalar(a.momentum), sub(z, xCur))), mul(scalar(1 - Math.fround(a.momentum)), sub(xCur, xPrev)));
    // A NaN in xCur or x0 makes z's row NaN, one in xPrev the moved row: the second projection's norm is NaN.
    return project(x0, sub(moved, x0), a.epsilon, a.clipMin, a.clipMax);
  });
}

/** RandomStartL2 with the noise drawn on the CPU by the kernel's generator, then uploaded. */
export function randomStartL2Composed(x: Tensor, a: RandomStartAttrs): Tensor {
  return tidy(() => {
    const noise = new Float32Array(x.size);
    const key = pcgHash(a.seed);
    for (let i = 0; i < noise.length; i++) noise[i] = l2NoiseFromKey(i, key);
    const t = tensor(noise, x.shape, 'float32');
    return clipByValue(add(x, mul(scalar(a.epsilon), div(t, add(rowNorm(t), scalar(TINY))))), a.clipMin, a.clipMax);
  });
}

/**
 * Targeted DLR per row with stock ops (top-4 by tf.topk, label and target by tf.argMax) and its gradient by
 * tf.customGrad: the fallback on backends without the DlrTargetedLoss kernel.
 */
export function dlrTargetedLossComposed(logits: Tensor, labels: Tensor, targets: Tensor): Tensor {
  const classes = logits.shape[1] as number;
  const f = customGrad(((l: Tensor, y: Tensor, t: Tensor, save: (t: Tensor[]) => void) => {
    const label = argMax(y, 1);
    const target = argMax(t, 1);
    const top = topk(l, 4);
    const [i1, , i3, i4] = unstack(top.indices, 1);
    const [v1, , v3, v4] = unstack(top.values, 1);
    const at = (idx: Tensor) => reshape(gather(l, reshape(idx, [-1, 1]), 1, 1), [-1]);
    const margin = sub(at(label), at(target));
    const spread = add(add(sub(v1, v3), mul(scalar(0.5), sub(v3, v4))), scalar(TINY));
    save([label, target, i1, i3, i4, margin, spread, y, t]);
    return {
      value: neg(div(margin, spread)),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [lb, tg, first, third, fourth, m, sp, yy, tt] = saved;
        const oh = (idx: Tensor) => oneHot(idx, classes);
        const s = reshape(div(dy, sp), [-1, 1]);
        const u = reshape(div(mul(dy, div(m, sp)), sp), [-1, 1]);
        const g = add(mul(s, sub(oh(tg), oh(lb))), mul(u, sub(oh(first), mul(scalar(0.5), add(oh(third), oh(fourth))))));
        return [g, zerosLike(yy), zerosLike(tt)];
      },
    };
  }) as unknown as Parameters<typeof customGrad>[0]);
  return f(logits, labels, targets);
}

/** ApgdUpdate with stock ops: three row selects (the per-row masks broadcast over each example). */
export function apgdUpdateComposed(next: Tensor, grad: Tensor, xFooled: Tensor, xBest: Tensor, gradBest: Tensor, loss: Tensor, lossBest: Tensor, wrong: Tensor): [Tensor, Tensor, Tensor] {
  return tidy(() => {
    const rows = (mask: Tensor) => broadcastTo(reshape(mask, [next.shape[0] ?? 0, ...next.shape.slice(1).map(() => 1)]), next.shape);
    const isWrong = rows(notEqual(wrong, scalar(0)));
    const improved = rows(greater(loss, lossBest));
    return [where(isWrong, next, xFooled), where(improved, next, xBest), where(improved, grad, gradBest)];
  }) as [Tensor, Tensor, Tensor];
}
