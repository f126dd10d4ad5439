// Register-tiled matmul bodies, unrolled here (program/unroll.ts) because WGSL keeps no array in
// registers: each invocation holds a tile of C in vec4 accumulators and reads A and B as vec4 along their
// contiguous axes. Tile sizes measured on SwiftShader (bench/): nn 8x8, nt 8x8 and tn 16x8 were the
// fastest of 2x8..16x16 over the seed CNN's dense layer, MobileNetV2's pointwise layers and 1024^3 (nn
// 4x8 -> 8x8: the seed's [64,5408]x[5408,128] 43 -> 23 ms, 1024^3 1.0 -> 0.67 s; nt 8x16 -> 8x8: 1.3-1.7x).
// Each output sums in the same order whatever the tile. With `sg` (program/subgroups.ts: subgroups of four
// on SwiftShader, the tile columns padded to a multiple of 4 so that four consecutive invocations share
// their tile row tm), each lane loads a quarter of the tile's rows of A and takes the others from its
// three neighbours by subgroupBroadcast: the same values, so the same sums; 1.3-1.9x on SwiftShader.
import { laneDeclaration, loadShared, sharedItem, unroll, unroll2 } from '../../program';

/** The tile's coordinates from the flat invocation index (batch, tile row tm, tile column tn). */
const TILE_INDEX = `  let tilesPerBatch = uniforms.tilesM * uniforms.tilesN;
  let batch = index / tilesPerBatch;
  let tile = index - batch * tilesPerBatch;
  let tm = tile / uniforms.tilesN;
  let tn = tile - tm * uniforms.tilesN;`;

/**
 * `result[i] = v`, or with `mask` v where ReLU6's gradient at its output Z[i] passes (0 < Z[i] < 6, as
 * shaders/engine/relu6_grad.wgsl) and 0 elsewhere: the store of an input gradient whose input was a ReLU6's
 * output (genNT's maskZ, the depthwise row kernels').
 */
export const relu6MaskedStore = (i: string, v: string, mask: boolean): string =>
  mask ? `result[${i}] = select(vec4<f32>(0.0), ${v}, (Z[${i}] > vec4<f32>(0.0)) & (Z[${i}] < vec4<f32>(6.0)));` : `result[${i}] = ${v};`;

/** C = A B: R rows x 4*C4 columns; A contiguous along k, B along n. `sg`: A's rows shared over 4 lanes. */
export function genNN(R: number, C4: number, sg = false): string {
  const a = rowsOfA(R, sg, (r) => `aBase + min(m0 + ${r}, lastRow) * k4`, (base) => `A[${base} + k]`);
  return `fn compute(index : i32) {
${TILE_INDEX}
  let m0 = tm * ${R};
  let k4 = uniforms.K / 4;
  let n4 = uniforms.N / 4;
  let lastRow = uniforms.M - 1;
  let aBase = batch * uniforms.aBatchStride;
  let bBase = batch * uniforms.bBatchStride;
${a.before}
${unroll(C4, (c) => `  let bCol${c} = bBase + min(tn * ${C4} + ${c}, n4 - 1);`)}
${unroll2(R, C4, (r, c) => `  var acc${r}_${c} = vec4<f32>(0.0);`)}
  for (var k = 0; k < k4; k++) {
    let bk = 4 * k * n4;
${unroll2(4, C4, (j, c) => `    let b${j}_${c} = B[bCol${c} + bk + ${j} * n4];`)}
${a.loads}
${unroll(R, (r) => unroll(C4, (c) => `    acc${r}_${c} += a${r}.x * b0_${c} + a${r}.y * b1_${c} + a${r}.z * b2_${c} + a${r}.w * b3_${c};`))}
  }
${unroll(
  R,
  (r) => `  if (m0 + ${r} < uniforms.M) {
${unroll(C4, (c) => `    if (tn * ${C4} + ${c} < n4) { result[(batch * uniforms.M + m0 + ${r}) * n4 + tn * ${C4} + ${c}] = epilogue(acc${r}_${c}, (tn * ${C4} + ${c}) * 4); }`)}
  }`,
)}
}`;
}

const LANES = ['x', 'y', 'z', 'w'];

/**
 * The declarations and loads of A's R per-row values `a0..a{R-1}` at step k: each its own load
 * (`row(r)`: the index of row r's value, hoisted out of the k loop), or with `sg` each lane (index & 3)
 * loading its quarter of the rows and subgroupBroadcast handing each lane all R (program/subgroups.ts).
 */
function rowsOfA(R: number, sg: boolean, row: (r: string) => string, load: (base: string) => string): { before: string; loads: string } {
  if (sg && R % 4 !== 0) throw new Error(`rowsOfA: ${R} rows do not split over 4 lanes`);
  const before = sg ? `${laneDeclaration(sg)}\n${unroll(R / 4, (s) => `  let aShare${s} = ${row(sharedItem(R, s))};`)}` : unroll(R, (r) => `  let aRow${r} = ${row(String(r))};`);
  return { before, loads: loadShared(R, 'a', (item, slot) => load(typeof item === 'number' ? `aRow${item}` : `aShare${slot}`), sg) };
}

/** C = A^T B: 4*R4 rows x 4*C4 columns; A contiguous along m, B along n. `sg`: A's R4 vec4 shared over 4 lanes. */
export function genTN(R4: number, C4: number, sg = false): string {
  const a = rowsOfA(R4, sg, (q) => `aBase + min(tm * ${R4} + ${q}, m4 - 1)`, (base) => `A[${base} + k * m4]`);
  return `fn compute(index : i32) {
${TILE_INDEX}
  let m4 = uniforms.M / 4;
  let n4 = uniforms.N / 4;
  let aBase = batch * uniforms.aBatchStride;
  let bBase = batch * uniforms.bBatchStride;
${a.before}
${unroll(C4, (c) => `  var bIdx${c} = bBase + min(tn * ${C4} + ${c}, n4 - 1);`)}
${unroll2(4 * R4, C4, (r, c) => `  var acc${r}_${c} = vec4<f32>(0.0);`)}
  for (var k = 0; k < uniforms.K; k++) {
${a.loads}
${unroll(C4, (c) => `    let b${c} = B[bIdx${c} + k * n4];`)}
${unroll2(4 * R4, C4, (r, c) => `    acc${r}_${c} += a${r >> 2}.${LANES[r & 3]} * b${c};`)}
  }
${unroll(
  4 * R4,
  (r) => `  if (tm * ${R4} + ${r >> 2} < m4) {
${unroll(C4, (c) => `    if (tn * ${C4} + ${c} < n4) { result[(batch * uniforms.M + (tm * ${R4} + ${r >> 2}) * 4 + ${r & 3}) * n4 + tn * ${C4} + ${c}] = epilogue(acc${r}_${c}, (tn * ${C4} + ${c}) * 4); }`)}
  }`,
)}
}`;
}

/**
 * C = A B^T: R rows x 4*C4 columns, A and B both contiguous along k. The output as vec4 where N is a
 * multiple of 4 (`vec4Out`: one store per 4 columns), else scalars through writeRow. `maskZ` (vec4Out
 * only): C = (A B^T) * relu6'(Z), Z [M, N] (the input gradient of a product whose input was relu6(Z)).
 */
export function genNT(R: number, C4: number, vec4Out: boolean, maskZ = false, sg = false): string {
  if (maskZ && !vec4Out) throw new Error('genNT: the ReLU6 mask needs the vec4 output');
  const a = rowsOfA(R, sg, (r) => `aBase + min(m0 + ${r}, lastRow) * k4`, (base) => `A[${base} + k]`);
  return `fn compute(index : i32) {
${TILE_INDEX}
  let m0 = tm * ${R};
  let n0 = tn * ${4 * C4};
  let k4 = uniforms.K / 4;
  let lastRow = uniforms.M - 1;
  let lastCol = uniforms.N - 1;
  let aBase = batch * uniforms.aBatchStride;
  let bBase = batch * uniforms.bBatchStride;
${a.before}
${unroll(4 * C4, (n) => `  let bRow${n} = bBase + min(n0 + ${n}, lastCol) * k4;`)}
${unroll2(R, C4, (r, c) => `  var acc${r}_${c} = vec4<f32>(0.0);`)}
  for (var k = 0; k < k4; k++) {
${unroll(4 * C4, (n) => `    let b${n} = B[bRow${n} + k];`)}
${a.loads}
${unroll(R, (r) => unroll(C4, (c) => `    acc${r}_${c} += vec4<f32>(dot(a${r}, b${4 * c}), dot(a${r}, b${4 * c + 1}), dot(a${r}, b${4 * c + 2}), dot(a${r}, b${4 * c + 3}));`))}
  }
${
  vec4Out
    ? unroll(
        R,
        (r) => `  if (m0 + ${r} < uniforms.M) {
${unroll(C4, (c) => `    if (n0 + ${4 * c} < uniforms.N) { ${relu6MaskedStore(`((batch * uniforms.M + m0 + ${r}) * uniforms.N + n0 + ${4 * c}) / 4`, `epilogue(acc${r}_${c}, n0 + ${4 * c})`, maskZ)} }`)}
  }`,
      )
    : unroll2(R, C4, (r, c) => `  writeRow(batch, m0 + ${r}, n0 + ${4 * c}, acc${r}_${c});`)
}
}`;
}
