// Depthwise 3x3 bodies (MobileNet's window at dilation 1, channel multiplier 1, channels as vec4) over a
// row tile: one invocation makes P consecutive pixels of one row and one channel vec4, so that each
// input column is read once for the up to three taps and P pixels that use it and each weight once for
// the P pixels (unrolled here, program/unroll.ts: WGSL keeps no array in registers). On SwiftShader the
// loads, not the multiply-adds, bound these kernels: a 3x3 pixel by pixel reads 18 vec4 per output, this
// 3 x (P + 2 + 3) / P at stride 1.
//   forward (stride s):   y[b, oy, ox, c] = act(bias[c] + sum_{wy, wx} x[b, oy*s - pt + wy, ox*s - pl + wx, c] * w[wy, wx, c])
//   input gradient (s 1): dx[b, iy, ix, c] = sum_{wy, wx} dy[b, iy + pt - wy, ix + pl - wx, c] * w[wy, wx, c]
// out of the image = 0; each output sums its taps in row-major order, as the pixel-by-pixel kernels do
// (shaders/engine/depthwise_conv.wgsl, depthwise_conv_backprop_input.wgsl).
import { splitIndex, unroll } from '../../program';
import { relu6MaskedStore } from '../matmul/matmul_tiles';

/** 'forward': the taps at +wy, +wx from (o*s - pad); 'input_gradient': at -wy, -wx from (i + pad), stride 1. */
export type DepthwiseRowKind = 'forward' | 'input_gradient';

/**
 * The body for P pixels per invocation at stride `s` (1 or 2; the input gradient 1 only). Reads `IN`, `W`;
 * sizes from uniforms: inHeight, inWidth (of IN), outHeight, outWidth (of the result), channels, padTop,
 * padLeft, columnTiles; the forward calls `epilogue(acc, channel)`. `relu6` (the input gradient only): the
 * forward's x is a ReLU6's output Z (of the result's shape), and dx is masked by relu6'(Z) as it is written.
 */
export function genDepthwiseRow(kind: DepthwiseRowKind, P: number, s: number, relu6 = false): string {
  if (kind === 'forward' && relu6) throw new Error('genDepthwiseRow: the ReLU6 mask is for the input gradient');
  const forward = kind === 'forward';
  if (!forward && s !== 1) throw new Error('genDepthwiseRow: the input gradient tile is for stride 1');
  // The column offset (from the tile's base column) of pixel p's tap wx.
  const offset = (p: number, wx: number) => (forward ? p * s + wx : p - wx);
  const offsets = [...new Set(Array.from({ length: P }, (_, p) => [0, 1, 2].map((wx) => offset(p, wx))).flat())].sort((a, b) => a - b);
  const name = (o: number) => `v${o < 0 ? `m${-o}` : o}`;
  return `fn compute(index : i32) {
  let c4 = uniforms.channels / 4;
${splitIndex([['c', 'c4'], ['xt', 'uniforms.columnTiles'], ['r', 'uniforms.outHeight'], ['b', '']])}
  let q0 = ${P} * xt;
  let lastCol = uniforms.inWidth - 1;
  let colBase = ${forward ? `q0 * ${s} - uniforms.padLeft` : 'q0 + uniforms.padLeft'};
${unroll(P, (p) => `  var acc${p} = vec4<f32>(0.0);`)}
  for (var wy = 0; wy < 3; wy++) {
    let row = ${forward ? `r * ${s} - uniforms.padTop + wy` : 'r + uniforms.padTop - wy'};
    if (row >= 0 && row < uniforms.inHeight) {
      let rowBase = (b * uniforms.inHeight + row) * uniforms.inWidth;
      let w0 = W[(wy * 3) * c4 + c];
      let w1 = W[(wy * 3 + 1) * c4 + c];
      let w2 = W[(wy * 3 + 2) * c4 + c];
${offsets.map((o) => `      let col${name(o)} = colBase + ${o};\n      let in${name(o)} = col${name(o)} >= 0 && col${name(o)} <= lastCol;\n      let ${name(o)} = IN[(rowBase + clamp(col${name(o)}, 0, lastCol)) * c4 + c];`).join('\n')}
${unroll(P, (p) => [0, 1, 2].map((wx) => `      acc${p} += select(vec4<f32>(0.0), ${name(offset(p, wx))} * w${wx}, in${name(offset(p, wx))});`).join('\n'))}
    }
  }
  let outRow = (b * uniforms.outHeight + r) * uniforms.outWidth;
${unroll(P, (p) => `  if (q0 + ${p} < uniforms.outWidth) { ${relu6MaskedStore(`(outRow + q0 + ${p}) * c4 + c`, forward ? `epilogue(acc${p}, 4 * c)` : `acc${p}`, !forward && relu6)} }`)}
}`;
}

/**
 * The input gradient at stride 2 over a row tile of one column phase: P pixels ix = phase + 2 (q0 + p)
 * of one row iy, all taking the same taps, the ones that hit: wy in {wy0, wy0 + 2} with
 * wy0 = (iy + pt) mod 2 (and likewise wx), oy = (iy + pt - wy) / 2, ox = (ix + pl - wx) / 2:
 *   dx[b, iy, ix, c] = sum over those taps, row-major, of dy[b, oy, ox, c] * w[wy, wx, c]
 * Per row P + 1 dy reads and two weights for P pixels, no integer division in the loop. Sizes as
 * genDepthwiseRow (inHeight, inWidth of dy; outHeight, outWidth of dx; columnTiles per phase). The
 * order of the two adds per row (near tap, then far) is the taps' row-major order.
 */
export function genDepthwiseBackpropInputStride2(P: number, relu6 = false): string {
  return `fn compute(index : i32) {
  let c4 = uniforms.channels / 4;
${splitIndex([['c', 'c4'], ['xt', 'uniforms.columnTiles'], ['phase', '2'], ['iy', 'uniforms.outHeight'], ['b', '']])}
  let ix0 = phase + 2 * ${P} * xt;
  let wx0 = (ix0 + uniforms.padLeft) % 2;
  let secondColumn = wx0 == 0;
  let oxNear = (ix0 + uniforms.padLeft - wx0) / 2;
  let lastOx = uniforms.inWidth - 1;
${unroll(P, (p) => `  var acc${p} = vec4<f32>(0.0);`)}
  for (var wy = (iy + uniforms.padTop) % 2; wy < 3; wy += 2) {
    let oy = (iy + uniforms.padTop - wy) / 2;
    if (oy >= 0 && oy < uniforms.inHeight) {
      let rowBase = (b * uniforms.inHeight + oy) * uniforms.inWidth;
      let wNear = W[(wy * 3 + wx0) * c4 + c];
      let wFar = W[(wy * 3 + min(wx0 + 2, 2)) * c4 + c];
${unroll(P + 1, (j) => `      let ox${j} = oxNear - 1 + ${j};\n      let in${j} = ox${j} >= 0 && ox${j} <= lastOx;\n      let g${j} = IN[(rowBase + clamp(ox${j}, 0, lastOx)) * c4 + c];`)}
${unroll(P, (p) => `      acc${p} += select(vec4<f32>(0.0), g${p + 1} * wNear, in${p + 1});\n      acc${p} += select(vec4<f32>(0.0), g${p} * wFar, in${p} && secondColumn);`)}
    }
  }
  let outRow = (b * uniforms.outHeight + iy) * uniforms.outWidth;
${unroll(P, (p) => `  let px${p} = ix0 + ${2 * p};\n  if (px${p} < uniforms.outWidth) { ${relu6MaskedStore(`(outRow + px${p}) * c4 + c`, `acc${p}`, relu6)} }`)}
}`;
}
