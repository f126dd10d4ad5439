// Plain-TypeScript float64 references of the engine kernels: the tests' oracle (not shipped in the package). Each works on flat arrays
// in the kernels' layouts (NHWC images, [fh, fw, cin, cout] filters, row-major matrices). The geometry of
// a convolution or pooling is tfjs's Conv2DInfo (backend_util.computeConv2DInfo / computePool2DInfo).
// Called with absolute values of the inputs, the linear ones give the scale of the float32 rounding error
// (the sum of the magnitudes of the terms), against which the tests measure relative error.

import type * as engine from '../../dist/engine.js';

/** The fields of tfjs's Conv2DInfo the references use. */
export interface ConvGeometry {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padInfo: { top: number; left: number };
}

type Values = ArrayLike<number>;

/** y = act(conv2d(x, w) + bias), NHWC, zero padding. */
export function conv2dReference(x: Values, w: Values, g: ConvGeometry, bias?: Values, activation: 'linear' | 'relu' | 'relu6' = 'linear'): Float64Array {
  const out = new Float64Array(g.batchSize * g.outHeight * g.outWidth * g.outChannels);
  if (bias) for (let i = 0; i < out.length; i++) out[i] = bias[i % g.outChannels];
  forEachTap(g, (xi, wi, yi, co) => {
    out[yi + co] += x[xi] * w[wi + co];
  });
  return activate(out, activation);
}

/** The fused ops' activation in place: relu max(v, 0), relu6 min(max(v, 0), 6). */
export function activate(out: Float64Array, activation: 'linear' | 'relu' | 'relu6'): Float64Array {
  if (activation === 'relu') for (let i = 0; i < out.length; i++) if (out[i] < 0) out[i] = 0;
  if (activation === 'relu6') for (let i = 0; i < out.length; i++) out[i] = Math.min(Math.max(out[i], 0), 6);
  return out;
}

/** dx of conv2d: the transpose of conv2dReference's linear map applied to dy. */
export function conv2dBackpropInputReference(dy: Values, w: Values, g: ConvGeometry): Float64Array {
  const dx = new Float64Array(g.batchSize * g.inHeight * g.inWidth * g.inChannels);
  forEachTap(g, (xi, wi, yi, co) => {
    dx[xi] += dy[yi + co] * w[wi + co];
  });
  return dx;
}

/** dw of conv2d: sum over output pixels of x * dy. */
export function conv2dBackpropFilterReference(x: Values, dy: Values, g: ConvGeometry): Float64Array {
  const dw = new Float64Array(g.filterHeight * g.filterWidth * g.inChannels * g.outChannels);
  forEachTap(g, (xi, wi, yi, co) => {
    dw[wi + co] += x[xi] * dy[yi + co];
  });
  return dw;
}

/** Depthwise conv2d, channel multiplier m = outChannels / inChannels: w [fh, fw, c, m]; g from computeConv2DInfo(..., depthwise true). */
export function depthwiseConv2dReference(x: Values, w: Values, g: ConvGeometry): Float64Array {
  const out = new Float64Array(g.batchSize * g.outHeight * g.outWidth * g.outChannels);
  forEachDepthwiseTap(g, (xi, wi, yi) => {
    out[yi] += x[xi] * w[wi];
  });
  return out;
}

/** dx of the depthwise conv2d: the transpose of depthwiseConv2dReference's linear map applied to dy. */
export function depthwiseConv2dBackpropInputReference(dy: Values, w: Values, g: ConvGeometry): Float64Array {
  const dx = new Float64Array(g.batchSize * g.inHeight * g.inWidth * g.inChannels);
  forEachDepthwiseTap(g, (xi, wi, yi) => {
    dx[xi] += dy[yi] * w[wi];
  });
  return dx;
}

/** dw of the depthwise conv2d: sum over output pixels of x * dy, in the filter's [fh, fw, c, m] layout. */
export function depthwiseConv2dBackpropFilterReference(x: Values, dy: Values, g: ConvGeometry): Float64Array {
  const dw = new Float64Array(g.filterHeight * g.filterWidth * g.outChannels);
  forEachDepthwiseTap(g, (xi, wi, yi) => {
    dw[wi] += x[xi] * dy[yi];
  });
  return dw;
}

/** Calls `f(xIndex, wIndex, yIndex)` for every (output pixel, tap inside the image, channel, multiplier j) of a depthwise conv. */
function forEachDepthwiseTap(g: ConvGeometry, f: (xi: number, wi: number, yi: number) => void): void {
  const c = g.inChannels;
  const m = g.outChannels / g.inChannels;
  for (let b = 0; b < g.batchSize; b++)
    for (let oy = 0; oy < g.outHeight; oy++)
      for (let ox = 0; ox < g.outWidth; ox++)
        for (let ky = 0; ky < g.filterHeight; ky++) {
          const iy = oy * g.strideHeight - g.padInfo.top + ky * g.dilationHeight;
          if (iy < 0 || iy >= g.inHeight) continue;
          for (let kx = 0; kx < g.filterWidth; kx++) {
            const ix = ox * g.strideWidth - g.padInfo.left + kx * g.dilationWidth;
            if (ix < 0 || ix >= g.inWidth) continue;
            for (let ch = 0; ch < c; ch++)
              for (let j = 0; j < m; j++) f(((b * g.inHeight + iy) * g.inWidth + ix) * c + ch, ((ky * g.filterWidth + kx) * c + ch) * m + j, ((b * g.outHeight + oy) * g.outWidth + ox) * c * m + ch * m + j);
          }
        }
}

/** Calls `f(xIndex, wIndexBase, yIndexBase, co)` for every (output pixel, tap inside the image, ci, co). */
function forEachTap(g: ConvGeometry, f: (xi: number, wi: number, yi: number, co: number) => void): void {
  for (let b = 0; b < g.batchSize; b++)
    for (let oy = 0; oy < g.outHeight; oy++)
      for (let ox = 0; ox < g.outWidth; ox++) {
        const yi = ((b * g.outHeight + oy) * g.outWidth + ox) * g.outChannels;
        for (let ky = 0; ky < g.filterHeight; ky++) {
          const iy = oy * g.strideHeight - g.padInfo.top + ky * g.dilationHeight;
          if (iy < 0 || iy >= g.inHeight) continue;
          for (let kx = 0; kx < g.filterWidth; kx++) {
            const ix = ox * g.strideWidth - g.padInfo.left + kx * g.dilationWidth;
            if (ix < 0 || ix >= g.inWidth) continue;
            for (let ci = 0; ci < g.inChannels; ci++) {
              const xi = ((b * g.inHeight + iy) * g.inWidth + ix) * g.inChannels + ci;
              const wi = ((ky * g.filterWidth + kx) * g.inChannels + ci) * g.outChannels;
              for (let co = 0; co < g.outChannels; co++) f(xi, wi, yi, co);
            }
          }
        }
      }
}

/** The input index of each pooling window's maximum per channel: the last >= in row-major order (tfjs-webgpu's choice). */
function maxPositions(x: Values, g: ConvGeometry): Int32Array {
  const c = g.inChannels;
  const pos = new Int32Array(g.batchSize * g.outHeight * g.outWidth * c).fill(-1);
  for (let b = 0; b < g.batchSize; b++)
    for (let oy = 0; oy < g.outHeight; oy++)
      for (let ox = 0; ox < g.outWidth; ox++)
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity;
          let at = -1;
          for (let wy = 0; wy < g.filterHeight; wy++) {
            const iy = oy * g.strideHeight - g.padInfo.top + wy * g.dilationHeight;
            if (iy < 0 || iy >= g.inHeight) continue;
            for (let wx = 0; wx < g.filterWidth; wx++) {
              const ix = ox * g.strideWidth - g.padInfo.left + wx * g.dilationWidth;
              if (ix < 0 || ix >= g.inWidth) continue;
              const i = ((b * g.inHeight + iy) * g.inWidth + ix) * c + ch;
              if (x[i] >= best) {
                best = x[i];
                at = i;
              }
            }
          }
          pos[((b * g.outHeight + oy) * g.outWidth + ox) * c + ch] = at;
        }
  return pos;
}

export function maxPoolReference(x: Values, g: ConvGeometry): Float64Array {
  return Float64Array.from(maxPositions(x, g), (i) => (i < 0 ? -Infinity : x[i]));
}

/** dx of max pooling: each window's dy goes to its maximum (ties: the last). */
export function maxPoolGradReference(dy: Values, x: Values, g: ConvGeometry): Float64Array {
  const dx = new Float64Array(g.batchSize * g.inHeight * g.inWidth * g.inChannels);
  maxPositions(x, g).forEach((i, o) => {
    if (i >= 0) dx[i] += dy[o];
  });
  return dx;
}

/**
 * C = op(A) op(B) (+ bias over columns, activation) with batch dimensions: A [batchA, ., .], B [batchB, ., .],
 * batchA = batchB or one of them 1.
 */
export function matMulReference(
  a: Values,
  b: Values,
  o: { batchA: number; batchB: number; m: number; k: number; n: number; transposeA: boolean; transposeB: boolean; bias?: Values; activation?: 'linear' | 'relu' },
): Float64Array {
  const batch = Math.max(o.batchA, o.batchB);
  const out = new Float64Array(batch * o.m * o.n);
  for (let t = 0; t < batch; t++) {
    const aBase = o.batchA === 1 ? 0 : t * o.m * o.k;
    const bBase = o.batchB === 1 ? 0 : t * o.k * o.n;
    for (let i = 0; i < o.m; i++)
      for (let j = 0; j < o.n; j++) {
        let s = o.bias ? o.bias[j] : 0;
        for (let q = 0; q < o.k; q++) {
          const av = a[aBase + (o.transposeA ? q * o.m + i : i * o.k + q)];
          const bv = b[bBase + (o.transposeB ? j * o.k + q : q * o.n + j)];
          s += av * bv;
        }
        out[(t * o.m + i) * o.n + j] = o.activation === 'relu' && s < 0 ? 0 : s;
      }
  }
  return out;
}

/** Column sums of a [rows, columns] matrix. */
export function columnSumReference(x: Values, rows: number, columns: number): Float64Array {
  const out = new Float64Array(columns);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) out[c] += x[r * columns + c];
  return out;
}

/** Mean over rows of -sum_c labels[r, c] log softmax(logits[r, :])[c], and its gradient in logits (dy = 1). */
export function softmaxCrossEntropyReference(logits: Values, labels: Values, rows: number, classes: number): { loss: number; grad: Float64Array } {
  let loss = 0;
  const grad = new Float64Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    let top = -Infinity;
    for (let c = 0; c < classes; c++) top = Math.max(top, logits[r * classes + c]);
    let total = 0;
    for (let c = 0; c < classes; c++) total += Math.exp(logits[r * classes + c] - top);
    const lse = top + Math.log(total);
    let labelSum = 0;
    for (let c = 0; c < classes; c++) {
      loss += labels[r * classes + c] * (lse - logits[r * classes + c]);
      labelSum += labels[r * classes + c];
    }
    for (let c = 0; c < classes; c++) {
      const p = Math.exp(logits[r * classes + c] - lse);
      grad[r * classes + c] = (p * labelSum - labels[r * classes + c]) / rows;
    }
  }
  return { loss: loss / rows, grad };
}

/**
 * Per row, KL(softmax(p[r]) || softmax(q[r])) in float64, the gradients of sum_r dy[r] kl[r] in p and q, and
 * the sums of the magnitudes of their terms (`klTerms`, `gradPTerms`: the scale of float32 rounding).
 *
 * @example
 * klDivergenceReference(p, q, 2, 10, [1, 1]).kl; // Float64Array(2)
 */
export function klDivergenceReference(p: Values, q: Values, rows: number, classes: number, dy: Values): { kl: Float64Array; gradP: Float64Array; gradQ: Float64Array; klTerms: Float64Array; gradPTerms: Float64Array } {
  const kl = new Float64Array(rows);
  // The sums of the magnitudes of the terms (the float32 error scale: log-probabilities of -180 cancel).
  const klTerms = new Float64Array(rows);
  const gradPTerms = new Float64Array(rows * classes);
  const gradP = new Float64Array(rows * classes);
  const gradQ = new Float64Array(rows * classes);
  const logSoftmax = (x: Values, base: number): Float64Array => {
    let top = -Infinity;
    for (let c = 0; c < classes; c++) top = Math.max(top, x[base + c]);
    let total = 0;
    for (let c = 0; c < classes; c++) total += Math.exp(x[base + c] - top);
    const lse = top + Math.log(total);
    return Float64Array.from({ length: classes }, (_, c) => x[base + c] - lse);
  };
  for (let r = 0; r < rows; r++) {
    const logP = logSoftmax(p, r * classes);
    const logQ = logSoftmax(q, r * classes);
    for (let c = 0; c < classes; c++) {
      kl[r] += Math.exp(logP[c]) * (logP[c] - logQ[c]);
      klTerms[r] += Math.exp(logP[c]) * (Math.abs(logP[c]) + Math.abs(logQ[c]));
    }
    for (let c = 0; c < classes; c++) {
      gradP[r * classes + c] = dy[r] * Math.exp(logP[c]) * (logP[c] - logQ[c] - kl[r]);
      gradPTerms[r * classes + c] = Math.abs(dy[r]) * Math.exp(logP[c]) * (Math.abs(logP[c]) + Math.abs(logQ[c]) + klTerms[r]);
      gradQ[r * classes + c] = dy[r] * (Math.exp(logQ[c]) - Math.exp(logP[c]));
    }
  }
  return { kl, gradP, gradQ, klTerms, gradPTerms };
}

/** The fused Adam step of engine/optimizer/adam.ts in plain TypeScript, float32 rounding at each operation (bit for bit). */
export function adamStepReference(value: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, s: engine.AdamStepScalars): [Float32Array, Float32Array, Float32Array] {
  const f = Math.fround;
  const out = [new Float32Array(value.length), new Float32Array(value.length), new Float32Array(value.length)] as [Float32Array, Float32Array, Float32Array];
  for (let i = 0; i < value.length; i++) {
    const g = grad[i];
    const m1 = f(f(m[i] * s.beta1) + f(g * s.oneMinusBeta1));
    const v1 = f(f(v[i] * s.beta2) + f(f(g * g) * s.oneMinusBeta2));
    const step = f(f(f(m1 / s.biasCorrection1) / f(f(Math.sqrt(f(v1 / s.biasCorrection2))) + s.epsilon)) * -s.learningRate);
    out[0][i] = f(step + value[i]);
    out[1][i] = m1;
    out[2][i] = v1;
  }
  return out;
}
