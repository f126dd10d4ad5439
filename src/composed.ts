// The attack formulas written with stock tfjs ops: the fallback on backends without the fused kernels
// (`nanSafe`: NaN gradients make no step, as in the kernels), and the baseline that benchmarks compare with.
import {
  add,
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
import type { FgsmStepAttrs, PgdStepAttrs, RandomStartAttrs } from './kernels/kernel_names';
import { noiseFromKey, pcgHash } from './reference';

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
