// Convolution bodies, unrolled here (program/unroll.ts) over a tile of output pixels and channels, or
// over filter taps (WGSL keeps no array in registers). Each walks its loop flat with incremental counters:
// on SwiftShader nested loops cost more than the multiply-adds (measured: 104 -> 40 ms for the seed
// CNN's 128x28x28x1 -> 32 forward convolution).
import { unroll, unroll2 } from '../../program';

/**
 * y[b, oy, ox, co] = act(bias[co] + sum_{ky, kx, ci} x[b, oy*sh - pt + ky*dh, ox*sw - pl + kx*dw, ci] * w[ky, kx, ci, co]),
 * x outside the image = 0. One invocation: P consecutive ox x 4*C4 output channels (C4 vec4), channel tile fastest.
 */
export function genConv(P: number, C4: number): string {
  return `fn compute(index : i32) {
  let cout4 = uniforms.outChannels / 4;
  var rest = index;
  let ct = rest % uniforms.channelTiles;
  rest = rest / uniforms.channelTiles;
  let xt = rest % uniforms.columnTiles;
  rest = rest / uniforms.columnTiles;
  let oy = rest % uniforms.outHeight;
  let b = rest / uniforms.outHeight;
  let ox0 = ${P} * xt;
  let lastX = uniforms.inWidth - 1;
  let iy0 = oy * uniforms.strideHeight - uniforms.padTop;
  let ixBase = ox0 * uniforms.strideWidth - uniforms.padLeft;
  let taps = uniforms.filterHeight * uniforms.filterWidth * uniforms.inChannels;
${unroll(C4, (c) => `  let co${c} = min(${C4} * ct + ${c}, cout4 - 1);`)}
${unroll2(P, C4, (p, c) => `  var acc${p}_${c} = vec4<f32>(0.0);`)}
  var ky = 0; var kx = 0; var ci = 0;
  var wIndex = 0;
  for (var k = 0; k < taps; k++) {
    let iy = iy0 + ky * uniforms.dilationHeight;
    let rowIn = iy >= 0 && iy < uniforms.inHeight;
    let rowBase = (b * uniforms.inHeight + clamp(iy, 0, uniforms.inHeight - 1)) * uniforms.inWidth;
    let ixk = ixBase + kx * uniforms.dilationWidth;
${unroll(C4, (c) => `    let w${c} = W[wIndex + co${c}];`)}
${unroll(
  P,
  (p) => `    let ix${p} = ixk + ${p} * uniforms.strideWidth;
    let x${p} = select(0.0, X[(rowBase + clamp(ix${p}, 0, lastX)) * uniforms.inChannels + ci], rowIn && ix${p} >= 0 && ix${p} <= lastX);
${unroll(C4, (c) => `    acc${p}_${c} += x${p} * w${c};`)}`,
)}
    wIndex += cout4;
    ci++;
    if (ci == uniforms.inChannels) { ci = 0; kx++; }
    if (kx == uniforms.filterWidth) { kx = 0; ky++; }
  }
  let outRow = (b * uniforms.outHeight + oy) * uniforms.outWidth;
${unroll(
  P,
  (p) => `  if (ox0 + ${p} < uniforms.outWidth) {
    let base${p} = (outRow + ox0 + ${p}) * cout4;
${unroll(C4, (c) => `    if (${C4} * ct + ${c} < cout4) { result[base${p} + co${c}] = epilogue(acc${p}_${c}, 4 * co${c}); }`)}
  }`,
)}
}`;
}

/**
 * dx[b, iy, ix, ci] = sum_{ky, kx, co} dy[b, oy, ox, co] * w[ky, kx, ci, co] over oy*sh - pt + ky = iy and
 * ox*sw - pl + kx = ix inside dy; dy and w read as vec4 along co. One invocation: P consecutive ix of one
 * (b, iy, ci); the w reads are shared by the P pixels. With unit strides the variant has no integer division
 * in the loop (a division per lane is the slowest thing in it on SwiftShader).
 */
export function genConvBackpropInput(P: number, unitStride: boolean): string {
  const divide = (v: string, stride: string) => (unitStride ? v : `${v} / ${stride}`);
  const exact = (q: string, stride: string, v: string) => (unitStride ? 'true' : `${q} * ${stride} == ${v}`);
  return `fn compute(index : i32) {
  let cout4 = uniforms.outChannels / 4;
  var rest = index;
  let ci = rest % uniforms.inChannels;
  rest = rest / uniforms.inChannels;
  let xt = rest % uniforms.columnTiles;
  rest = rest / uniforms.columnTiles;
  let iy = rest % uniforms.inHeight;
  let b = rest / uniforms.inHeight;
  let ix0 = ${P} * xt;
  let lastOx = uniforms.outWidth - 1;
  let steps = uniforms.filterHeight * uniforms.filterWidth * cout4;
${unroll(P, (p) => `  var acc${p} = vec4<f32>(0.0);`)}
  var ky = 0; var kx = 0; var c = 0;
  for (var k = 0; k < steps; k++) {
    let oyScaled = iy + uniforms.padTop - ky;
    let oy = ${divide('oyScaled', 'uniforms.strideHeight')};
    let rowIn = oyScaled >= 0 && oy < uniforms.outHeight && ${exact('oy', 'uniforms.strideHeight', 'oyScaled')};
    let dyRow = (b * uniforms.outHeight + clamp(oy, 0, uniforms.outHeight - 1)) * uniforms.outWidth;
    let w = W[((ky * uniforms.filterWidth + kx) * uniforms.inChannels + ci) * cout4 + c];
    let sBase = ix0 + uniforms.padLeft - kx;
${unroll(
  P,
  (p) => `    let s${p} = sBase + ${p};
    let ox${p} = ${divide(`s${p}`, 'uniforms.strideWidth')};
    let in${p} = rowIn && s${p} >= 0 && ox${p} <= lastOx && ${exact(`ox${p}`, 'uniforms.strideWidth', `s${p}`)};
    acc${p} += select(vec4<f32>(0.0), DY[(dyRow + clamp(ox${p}, 0, lastOx)) * cout4 + c], in${p}) * w;`,
)}
    c++;
    if (c == cout4) { c = 0; kx++; }
    if (kx == uniforms.filterWidth) { kx = 0; ky++; }
  }
  let outBase = ((b * uniforms.inHeight + iy) * uniforms.inWidth + ix0) * uniforms.inChannels + ci;
  let ones = vec4<f32>(1.0);
${unroll(P, (p) => `  if (ix0 + ${p} < uniforms.inWidth) { result[outBase + ${p} * uniforms.inChannels] = dot(acc${p}, ones); }`)}
}`;
}

/**
 * partial[chunk, ky, kx, ci, co] = sum over output pixels (b, oy, ox) in the chunk's rows of
 * x[b, oy*sh - pt + ky, ox*sw - pl + kx, ci] * dy[b, oy, ox, co] (x outside the image = 0). One invocation:
 * one chunk, T filter taps from tapBlock*T, one ci, 4 output channels (vec4).
 */
export function genConvBackpropFilter(T: number): string {
  return `// partial[chunk, ky, kx, ci, co] = sum over output pixels (b, oy, ox) in the chunk's rows of
//   x[b, oy*sh - pt + ky, ox*sw - pl + kx, ci] * dy[b, oy, ox, co]   (x outside the image = 0).
// One invocation: one chunk, taps tapBlock*${T}.., one ci, 4 output channels (vec4).
fn compute(index : i32) {
  let cout4 = uniforms.outChannels / 4;
  let taps = uniforms.filterHeight * uniforms.filterWidth;
  var rest = index;
  let c = rest % cout4;
  rest = rest / cout4;
  let ci = rest % uniforms.inChannels;
  rest = rest / uniforms.inChannels;
  let tapBlock = rest % uniforms.tapBlocks;
  let chunk = rest / uniforms.tapBlocks;
  let tap0 = tapBlock * ${T};
${unroll(
  T,
  (j) => `  let t${j} = min(tap0 + ${j}, taps - 1);
  let ky${j} = t${j} / uniforms.filterWidth;
  let kx${j} = t${j} - ky${j} * uniforms.filterWidth;
  var acc${j} = vec4<f32>(0.0);`,
)}
  let rows = uniforms.batchSize * uniforms.outHeight;
  let first = chunk * uniforms.rowsPerChunk;
  let last = min(first + uniforms.rowsPerChunk, rows);
  let lastX = uniforms.inWidth - 1;
  for (var row = first; row < last; row++) {
    let b = row / uniforms.outHeight;
    let oy = row - b * uniforms.outHeight;
    let iyBase = oy * uniforms.strideHeight - uniforms.padTop;
${unroll(
  T,
  (j) => `    let iy${j} = iyBase + ky${j};
    let rowIn${j} = iy${j} >= 0 && iy${j} < uniforms.inHeight;
    let xRow${j} = (b * uniforms.inHeight + clamp(iy${j}, 0, uniforms.inHeight - 1)) * uniforms.inWidth;`,
)}
    var dyIndex = row * uniforms.outWidth * cout4 + c;
    for (var ox = 0; ox < uniforms.outWidth; ox++) {
      let g = DY[dyIndex];
      dyIndex += cout4;
      let ixBase = ox * uniforms.strideWidth - uniforms.padLeft;
${unroll(
  T,
  (j) => `      let ix${j} = ixBase + kx${j};
      acc${j} += select(0.0, X[(xRow${j} + clamp(ix${j}, 0, lastX)) * uniforms.inChannels + ci], rowIn${j} && ix${j} >= 0 && ix${j} <= lastX) * g;`,
)}
    }
  }
  let filterSize4 = taps * uniforms.inChannels * cout4;
${unroll(T, (j) => `  if (tap0 + ${j} < taps) { result[chunk * filterSize4 + (t${j} * uniforms.inChannels + ci) * cout4 + c] = acc${j}; }`)}
}`;
}
