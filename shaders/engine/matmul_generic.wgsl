// C[b, m, n] = sum_k A(b, m, k) * B(b, k, n) for any transposes and sizes: scalar reads through strides
// (A(b, m, k) = A[b * aBatchStride + m * aStrideM + k * aStrideK], B likewise). One invocation: rows
// m0..m0+3 x columns n0..n0+3, clamped on read, guarded on write.
fn compute(index : i32) {
  let tilesPerBatch = uniforms.tilesM * uniforms.tilesN;
  let batch = index / tilesPerBatch;
  let tile = index - batch * tilesPerBatch;
  let tm = tile / uniforms.tilesN;
  let tn = tile - tm * uniforms.tilesN;
  let m0 = tm * 4;
  let n0 = tn * 4;
  let lastRow = uniforms.M - 1;
  let lastCol = uniforms.N - 1;
  let aBase = batch * uniforms.aBatchStride;
  let bBase = batch * uniforms.bBatchStride;
  let a0 = aBase + min(m0, lastRow) * uniforms.aStrideM;
  let a1 = aBase + min(m0 + 1, lastRow) * uniforms.aStrideM;
  let a2 = aBase + min(m0 + 2, lastRow) * uniforms.aStrideM;
  let a3 = aBase + min(m0 + 3, lastRow) * uniforms.aStrideM;
  let b0 = bBase + min(n0, lastCol) * uniforms.bStrideN;
  let b1 = bBase + min(n0 + 1, lastCol) * uniforms.bStrideN;
  let b2 = bBase + min(n0 + 2, lastCol) * uniforms.bStrideN;
  let b3 = bBase + min(n0 + 3, lastCol) * uniforms.bStrideN;
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k = 0; k < uniforms.K; k++) {
    let ka = k * uniforms.aStrideK;
    let kb = k * uniforms.bStrideK;
    let b = vec4<f32>(B[b0 + kb], B[b1 + kb], B[b2 + kb], B[b3 + kb]);
    acc0 += A[a0 + ka] * b;
    acc1 += A[a1 + ka] * b;
    acc2 += A[a2 + ka] * b;
    acc3 += A[a3 + ka] * b;
  }
  writeRow(batch, m0, n0, acc0);
  writeRow(batch, m0 + 1, n0, acc1);
  writeRow(batch, m0 + 2, n0, acc2);
  writeRow(batch, m0 + 3, n0, acc3);
}
