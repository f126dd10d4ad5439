// Register-tiled matmul bodies, unrolled here because WGSL keeps no array in registers: each invocation
// holds a tile of C in vec4 accumulators and reads A and B as vec4 along their contiguous axes. Tile sizes
// measured on SwiftShader (bench/): nn 4x8, tn 16x8, nt 8x16 were the fastest of 4x4..16x16.

/** C = A B: R rows x 4*C4 columns; A contiguous along k, B along n. */
export function genNN(R: number, C4: number): string {
  const L: string[] = [];
  L.push(`fn compute(index : i32) {
  let tilesPerBatch = uniforms.tilesM * uniforms.tilesN;
  let batch = index / tilesPerBatch;
  let tile = index - batch * tilesPerBatch;
  let tm = tile / uniforms.tilesN;
  let tn = tile - tm * uniforms.tilesN;
  let m0 = tm * ${R};
  let k4 = uniforms.K / 4;
  let n4 = uniforms.N / 4;
  let lastRow = uniforms.M - 1;
  let aBase = batch * uniforms.aBatchStride;
  let bBase = batch * uniforms.bBatchStride;`);
  for (let r = 0; r < R; r++) L.push(`  let aRow${r} = aBase + min(m0 + ${r}, lastRow) * k4;`);
  for (let c = 0; c < C4; c++) L.push(`  let bCol${c} = bBase + min(tn * ${C4} + ${c}, n4 - 1);`);
  for (let r = 0; r < R; r++) for (let c = 0; c < C4; c++) L.push(`  var acc${r}_${c} = vec4<f32>(0.0);`);
  L.push(`  for (var k = 0; k < k4; k++) {
    let bk = 4 * k * n4;`);
  for (let j = 0; j < 4; j++) for (let c = 0; c < C4; c++) L.push(`    let b${j}_${c} = B[bCol${c} + bk + ${j} * n4];`);
  for (let r = 0; r < R; r++) {
    L.push(`    let a${r} = A[aRow${r} + k];`);
    for (let c = 0; c < C4; c++) L.push(`    acc${r}_${c} += a${r}.x * b0_${c} + a${r}.y * b1_${c} + a${r}.z * b2_${c} + a${r}.w * b3_${c};`);
  }
  L.push(`  }`);
  for (let r = 0; r < R; r++) {
    L.push(`  if (m0 + ${r} < uniforms.M) {`);
    for (let c = 0; c < C4; c++) L.push(`    if (tn * ${C4} + ${c} < n4) { result[(batch * uniforms.M + m0 + ${r}) * n4 + tn * ${C4} + ${c}] = epilogue(acc${r}_${c}, (tn * ${C4} + ${c}) * 4); }`);
    L.push(`  }`);
  }
  L.push('}');
  return L.join('\n');
}
/** C = A^T B: 4*R4 rows x 4*C4 columns; A contiguous along m, B along n. */
export function genTN(R4: number, C4: number): string {
  const L: string[] = [];
  L.push(`fn compute(index : i32) {
  let tilesPerBatch = uniforms.tilesM * uniforms.tilesN;
  let batch = index / tilesPerBatch;
  let tile = index - batch * tilesPerBatch;
  let tm = tile / uniforms.tilesN;
  let tn = tile - tm * uniforms.tilesN;
  let m4 = uniforms.M / 4;
  let n4 = uniforms.N / 4;
  let aBase = batch * uniforms.aBatchStride;
  let bBase = batch * uniforms.bBatchStride;`);
  for (let q = 0; q < R4; q++) L.push(`  var aIdx${q} = aBase + min(tm * ${R4} + ${q}, m4 - 1);`);
  for (let c = 0; c < C4; c++) L.push(`  var bIdx${c} = bBase + min(tn * ${C4} + ${c}, n4 - 1);`);
  for (let r = 0; r < 4 * R4; r++) for (let c = 0; c < C4; c++) L.push(`  var acc${r}_${c} = vec4<f32>(0.0);`);
  L.push(`  for (var k = 0; k < uniforms.K; k++) {`);
  for (let q = 0; q < R4; q++) L.push(`    let a${q} = A[aIdx${q} + k * m4];`);
  for (let c = 0; c < C4; c++) L.push(`    let b${c} = B[bIdx${c} + k * n4];`);
  const comp = ['x', 'y', 'z', 'w'];
  for (let q = 0; q < R4; q++) for (let i = 0; i < 4; i++) for (let c = 0; c < C4; c++) L.push(`    acc${4 * q + i}_${c} += a${q}.${comp[i]} * b${c};`);
  L.push(`  }`);
  for (let q = 0; q < R4; q++) for (let i = 0; i < 4; i++) {
    L.push(`  if (tm * ${R4} + ${q} < m4) {`);
    for (let c = 0; c < C4; c++) L.push(`    if (tn * ${C4} + ${c} < n4) { result[(batch * uniforms.M + (tm * ${R4} + ${q}) * 4 + ${i}) * n4 + tn * ${C4} + ${c}] = epilogue(acc${4 * q + i}_${c}, (tn * ${C4} + ${c}) * 4); }`);
    L.push(`  }`);
  }
  L.push('}');
  return L.join('\n');
}
/** C = A B^T: R rows x 4*C4 columns, A and B both contiguous along k (scalar output through writeRow). */
export function genNT(R: number, C4: number): string {
  const L: string[] = [];
  L.push(`fn compute(index : i32) {
  let tilesPerBatch = uniforms.tilesM * uniforms.tilesN;
  let batch = index / tilesPerBatch;
  let tile = index - batch * tilesPerBatch;
  let tm = tile / uniforms.tilesN;
  let tn = tile - tm * uniforms.tilesN;
  let m0 = tm * ${R};
  let n0 = tn * ${4 * C4};
  let k4 = uniforms.K / 4;
  let lastRow = uniforms.M - 1;
  let lastCol = uniforms.N - 1;
  let aBase = batch * uniforms.aBatchStride;
  let bBase = batch * uniforms.bBatchStride;`);
  for (let r = 0; r < R; r++) L.push(`  let aRow${r} = aBase + min(m0 + ${r}, lastRow) * k4;`);
  for (let n = 0; n < 4 * C4; n++) L.push(`  let bRow${n} = bBase + min(n0 + ${n}, lastCol) * k4;`);
  for (let r = 0; r < R; r++) for (let c = 0; c < C4; c++) L.push(`  var acc${r}_${c} = vec4<f32>(0.0);`);
  L.push(`  for (var k = 0; k < k4; k++) {`);
  for (let n = 0; n < 4 * C4; n++) L.push(`    let b${n} = B[bRow${n} + k];`);
  for (let r = 0; r < R; r++) {
    L.push(`    let a${r} = A[aRow${r} + k];`);
    for (let c = 0; c < C4; c++) L.push(`    acc${r}_${c} += vec4<f32>(dot(a${r}, b${4 * c}), dot(a${r}, b${4 * c + 1}), dot(a${r}, b${4 * c + 2}), dot(a${r}, b${4 * c + 3}));`);
  }
  L.push(`  }`);
  for (let r = 0; r < R; r++) for (let c = 0; c < C4; c++) L.push(`  writeRow(batch, m0 + ${r}, n0 + ${4 * c}, acc${r}_${c});`);
  L.push('}');
  return L.join('\n');
}
