// Convolution bodies, unrolled here (program/unroll.ts) over a tile of output pixels and channels, or
// over filter taps (WGSL keeps no array in registers). Each walks its loop flat with incremental counters:
// on SwiftShader nested loops cost more than the multiply-adds (measured: 104 -> 40 ms for the seed
// CNN's 128x28x28x1 -> 32 forward convolution). With `sg` (program/subgroups.ts, SwiftShader) the column
// tile is the fastest coordinate, padded to a multiple of 4, so that the four lanes of a subgroup take
// consecutive pixels of the same channels: each loads one of the filter values they all need, and
// subgroupBroadcast hands it to the others (the same values, the same sums).
import { laneDeclaration, loadShared, splitIndex, unroll, unroll2 } from '../../program';

/** The index split: the channel tile fastest, or with `sg` the column tile (lanes share the channels). */
const tileIndex = (channel: [string, string], sg: boolean, rest: [string, string][]): string =>
  splitIndex([...(sg ? [['xt', 'uniforms.columnTiles'] as [string, string], channel] : [channel, ['xt', 'uniforms.columnTiles'] as [string, string]]), ...rest]);

/** The forward tile's writes: acc{p}_{c} through the epilogue to output pixels ox0 + p, channels co{c}. */
const convOutputWrites = (P: number, C4: number): string => `  let outRow = (b * uniforms.outHeight + oy) * uniforms.outWidth;
${unroll(
  P,
  (p) => `  if (ox0 + ${p} < uniforms.outWidth) {
    let base${p} = (outRow + ox0 + ${p}) * cout4;
${unroll(C4, (c) => `    if (${C4} * ct + ${c} < cout4) { result[base${p} + co${c}] = epilogue(acc${p}_${c}, 4 * co${c}); }`)}
  }`,
)}`;

/** Output channel vec4 `c` of the tile: the precomputed co{c}, or an expression's. */
const channelOf = (C4: number, c: number | string): string => (typeof c === 'number' ? `co${c}` : `min(${C4} * ct + ${c}, cout4 - 1)`);

/**
 * y[b, oy, ox, co] = act(bias[co] + sum_{ky, kx, ci} x[b, oy*sh - pt + ky*dh, ox*sw - pl + kx*dw, ci] * w[ky, kx, ci, co]),
 * x outside the image = 0. One invocation: P consecutive ox x 4*C4 output channels (C4 vec4), channel tile fastest.
 */
export function genConv(P: number, C4: number, sg = false): string {
  return `fn compute(index : i32) {
  let cout4 = uniforms.outChannels / 4;
${tileIndex(['ct', 'uniforms.channelTiles'], sg, [['oy', 'uniforms.outHeight'], ['b', '']])}
  let ox0 = ${P} * xt;
  let lastX = uniforms.inWidth - 1;
  let iy0 = oy * uniforms.strideHeight - uniforms.padTop;
  let ixBase = ox0 * uniforms.strideWidth - uniforms.padLeft;
  let taps = uniforms.filterHeight * uniforms.filterWidth * uniforms.inChannels;
${unroll(C4, (c) => `  let co${c} = min(${C4} * ct + ${c}, cout4 - 1);`)}
${laneDeclaration(sg)}
${unroll2(P, C4, (p, c) => `  var acc${p}_${c} = vec4<f32>(0.0);`)}
  var ky = 0; var kx = 0; var ci = 0;
  var wIndex = 0;
  for (var k = 0; k < taps; k++) {
    let iy = iy0 + ky * uniforms.dilationHeight;
    let rowIn = iy >= 0 && iy < uniforms.inHeight;
    let rowBase = (b * uniforms.inHeight + clamp(iy, 0, uniforms.inHeight - 1)) * uniforms.inWidth;
    let ixk = ixBase + kx * uniforms.dilationWidth;
${loadShared(C4, 'w', (c) => `W[wIndex + ${channelOf(C4, c)}]`, sg)}
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
${convOutputWrites(P, C4)}
}`;
}

/**
 * genConv's sum for a small input (CI channels, FW columns, stride SW, dilation 1, all set-up time): one
 * invocation takes P consecutive ox x 4*C4 output channels, and per filter row reads the input's
 * (P - 1) * SW + FW columns x CI channels once (their bounds tested once per invocation) for all taps and
 * pixels, the taps and channels unrolled. The terms in genConv's order (ky, kx, ci; ci fastest), so the sums
 * are the same bit for bit. The seed CNN's one-channel 3x3: each input value read once instead of 9 times.
 */
export function genConvSmallInput(P: number, C4: number, CI: number, FW: number, SW: number, sg = false): string {
  const columns = (P - 1) * SW + FW;
  return `fn compute(index : i32) {
  let cout4 = uniforms.outChannels / 4;
${tileIndex(['ct', 'uniforms.channelTiles'], sg, [['oy', 'uniforms.outHeight'], ['b', '']])}
  let ox0 = ${P} * xt;
  let lastX = uniforms.inWidth - 1;
  let iy0 = oy * uniforms.strideHeight - uniforms.padTop;
  let ixBase = ox0 * ${SW} - uniforms.padLeft;
${unroll(C4, (c) => `  let co${c} = min(${C4} * ct + ${c}, cout4 - 1);`)}
${laneDeclaration(sg)}
${unroll(columns, (j) => `  let in${j} = ixBase + ${j} >= 0 && ixBase + ${j} <= lastX;
  let col${j} = clamp(ixBase + ${j}, 0, lastX) * ${CI};`)}
${unroll2(P, C4, (p, c) => `  var acc${p}_${c} = vec4<f32>(0.0);`)}
  var wRow = 0;
  for (var ky = 0; ky < uniforms.filterHeight; ky++) {
    let iy = iy0 + ky;
    let rowIn = iy >= 0 && iy < uniforms.inHeight;
    let rowBase = (b * uniforms.inHeight + clamp(iy, 0, uniforms.inHeight - 1)) * uniforms.inWidth * ${CI};
${unroll2(columns, CI, (j, i) => `    let x${j}_${i} = select(0.0, X[rowBase + col${j} + ${i}], rowIn && in${j});`)}
${unroll2(FW, CI, (kx, i) =>
  [
    loadShared(C4, `w${kx}_${i}_`, (c) => `W[wRow + ${kx * CI + i} * cout4 + ${channelOf(C4, c)}]`, sg),
    unroll2(P, C4, (p, c) => `    acc${p}_${c} += x${p * SW + kx}_${i} * w${kx}_${i}_${c};`),
  ].join('\n'),
)}
    wRow += ${FW * CI} * cout4;
  }
${convOutputWrites(P, C4)}
}`;
}

/**
 * dx[b, iy, ix, ci] = sum_{ky, kx, co} dy[b, oy, ox, co] * w[ky, kx, ci, co] over oy*sh - pt + ky = iy and
 * ox*sw - pl + kx = ix inside dy; dy and w read as vec4 along co. One invocation: P input pixels of one
 * row iy and one column phase (ix = phase + sw * (P * xt + p), so that all P take the same taps) times CI
 * input channels from CI * cg. It visits only the taps that hit: ky = ky0, ky0 + sh, ... with
 * ky0 = (iy + pt) mod sh, likewise kx; oy and ox step down by one per tap, so the loop has no integer
 * division (a division per lane is the slowest thing in it on SwiftShader). The taps in row-major order,
 * co fastest, as a loop over every tap adding zeros would sum; each dy read is shared by the CI channels
 * and each w read by the P pixels.
 */
export function genConvBackpropInput(P: number, CI: number, sg = false): string {
  return `fn compute(index : i32) {
  let cout4 = uniforms.outChannels / 4;
${tileIndex(['cg', 'uniforms.channelTiles'], sg, [['phase', 'uniforms.strideWidth'], ['iy', 'uniforms.inHeight'], ['b', '']])}
  let lastOx = uniforms.outWidth - 1;
  let lastCi = uniforms.inChannels - 1;
${unroll(CI, (j) => `  let ci${j} = min(${CI} * cg + ${j}, lastCi);`)}
${laneDeclaration(sg)}
  let ix0 = phase + uniforms.strideWidth * ${P} * xt;
  let ky0 = (iy + uniforms.padTop) % uniforms.strideHeight;
  let kx0 = (ix0 + uniforms.padLeft) % uniforms.strideWidth;
  let nky = max(0, (uniforms.filterHeight - ky0 + uniforms.strideHeight - 1) / uniforms.strideHeight);
  let nkx = max(0, (uniforms.filterWidth - kx0 + uniforms.strideWidth - 1) / uniforms.strideWidth);
  let oyFirst = (iy + uniforms.padTop - ky0) / uniforms.strideHeight;
  let oxFirst = (ix0 + uniforms.padLeft - kx0) / uniforms.strideWidth;
${unroll2(P, CI, (p, j) => `  var acc${p}_${j} = vec4<f32>(0.0);`)}
  var ky = ky0; var kx = kx0; var c = 0;
  var oy = oyFirst; var oxBase = oxFirst;
  let steps = nky * nkx * cout4;
  for (var k = 0; k < steps; k++) {
    let rowIn = oy >= 0 && oy < uniforms.outHeight;
    let dyRow = (b * uniforms.outHeight + clamp(oy, 0, uniforms.outHeight - 1)) * uniforms.outWidth;
    let wTap = (ky * uniforms.filterWidth + kx) * uniforms.inChannels;
${loadShared(CI, 'w', (j) => `W[(wTap + ${typeof j === 'number' ? `ci${j}` : `min(${CI} * cg + ${j}, lastCi)`}) * cout4 + c]`, sg)}
${unroll(
  P,
  (p) => `    let ox${p} = oxBase + ${p};
    let g${p} = select(vec4<f32>(0.0), DY[(dyRow + clamp(ox${p}, 0, lastOx)) * cout4 + c], rowIn && ox${p} >= 0 && ox${p} <= lastOx);
${unroll(CI, (j) => `    acc${p}_${j} += g${p} * w${j};`)}`,
)}
    c++;
    if (c == cout4) { c = 0; kx += uniforms.strideWidth; oxBase--; }
    if (kx >= uniforms.filterWidth) { kx = kx0; oxBase = oxFirst; ky += uniforms.strideHeight; oy--; }
  }
  let ones = vec4<f32>(1.0);
${unroll(
  P,
  (p) => `  let px${p} = ix0 + ${p} * uniforms.strideWidth;
  if (px${p} < uniforms.inWidth) {
    let outBase${p} = ((b * uniforms.inHeight + iy) * uniforms.inWidth + px${p}) * uniforms.inChannels;
${unroll(CI, (j) => `    if (${CI} * cg + ${j} <= lastCi) { result[outBase${p} + ci${j}] = dot(acc${p}_${j}, ones); }`)}
  }`,
)}
}`;
}

/**
 * genConvBackpropInput's dx for a small input (CI = all its channels, FW columns, stride 1, dilation 1; all
 * set-up time): one invocation takes P consecutive ix x the CI channels, and per filter row ky and vec4 of
 * output channels reads the P + FW - 1 columns of dy it needs once (their bounds tested once per invocation)
 * for all FW taps and P pixels: (P + FW - 1) + FW * CI reads for P * FW * CI vec4 multiply-adds, where
 * genConvBackpropInput reads P + CI for P * CI. Sums in the order ky, co, kx (not genConvBackpropInput's).
 */
export function genConvBackpropInputSmall(P: number, CI: number, FW: number, sg = false): string {
  const columns = P + FW - 1;
  return `fn compute(index : i32) {
  let cout4 = uniforms.outChannels / 4;
${splitIndex([['xt', 'uniforms.columnTiles'], ['iy', 'uniforms.inHeight'], ['b', '']])}
  let ix0 = ${P} * xt;
  let lastOx = uniforms.outWidth - 1;
  let oxStart = ix0 + uniforms.padLeft - ${FW - 1};
${unroll(columns, (j) => `  let in${j} = oxStart + ${j} >= 0 && oxStart + ${j} <= lastOx;\n  let col${j} = clamp(oxStart + ${j}, 0, lastOx) * cout4;`)}
${laneDeclaration(sg)}
${unroll2(P, CI, (p, i) => `  var acc${p}_${i} = vec4<f32>(0.0);`)}
  for (var ky = 0; ky < uniforms.filterHeight; ky++) {
    let oy = iy + uniforms.padTop - ky;
    let rowIn = oy >= 0 && oy < uniforms.outHeight;
    let dyRow = (b * uniforms.outHeight + clamp(oy, 0, uniforms.outHeight - 1)) * uniforms.outWidth * cout4;
    let wRow = ky * ${FW * CI} * cout4;
    for (var c = 0; c < cout4; c++) {
${unroll(columns, (j) => `      let g${j} = select(vec4<f32>(0.0), DY[dyRow + col${j} + c], rowIn && in${j});`)}
${loadShared(FW * CI, 'w', (t) => `W[wRow + ${t} * cout4 + c]`, sg, '      ')}
${unroll(P, (p) => unroll2(FW, CI, (kx, i) => `      acc${p}_${i} += g${p + FW - 1 - kx} * w${kx * CI + i};`))}
    }
  }
  let ones = vec4<f32>(1.0);
${unroll(
  P,
  (p) => `  if (ix0 + ${p} < uniforms.inWidth) {
    let outBase${p} = ((b * uniforms.inHeight + iy) * uniforms.inWidth + ix0 + ${p}) * ${CI};
${unroll(CI, (i) => `    result[outBase${p} + ${i}] = dot(acc${p}_${i}, ones);`)}
  }`,
)}
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
