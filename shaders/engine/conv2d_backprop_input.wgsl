// dx[b, iy, ix, ci] = sum_{ky, kx, co} dy[b, oy, ox, co] * w[ky, kx, ci, co] over the (oy, ox) with
// oy*sh - pt + ky = iy and ox*sw - pl + kx = ix inside dy. dy and w read as vec4 along co (Cout % 4 == 0).
// One invocation: 4 consecutive ix of one (b, iy, ci); the w reads are shared by the four.
fn compute(index : i32) {
  let cout4 = uniforms.outChannels / 4;
  var rest = index;
  let ci = rest % uniforms.inChannels;
  rest = rest / uniforms.inChannels;
  let xt = rest % uniforms.columnTiles;
  rest = rest / uniforms.columnTiles;
  let iy = rest % uniforms.inHeight;
  let b = rest / uniforms.inHeight;
  let ix0 = 4 * xt;
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  let lastOx = uniforms.outWidth - 1;
  for (var ky = 0; ky < uniforms.filterHeight; ky++) {
    let oyScaled = iy + uniforms.padTop - ky;
    let oy = oyScaled / uniforms.strideHeight;
    if (oyScaled < 0 || oy >= uniforms.outHeight || oy * uniforms.strideHeight != oyScaled) { continue; }
    let dyRow = (b * uniforms.outHeight + oy) * uniforms.outWidth;
    for (var kx = 0; kx < uniforms.filterWidth; kx++) {
      let s0 = ix0 + uniforms.padLeft - kx;
      let s1 = s0 + 1;
      let s2 = s0 + 2;
      let s3 = s0 + 3;
      let ox0 = s0 / uniforms.strideWidth;
      let ox1 = s1 / uniforms.strideWidth;
      let ox2 = s2 / uniforms.strideWidth;
      let ox3 = s3 / uniforms.strideWidth;
      let in0 = s0 >= 0 && ox0 <= lastOx && ox0 * uniforms.strideWidth == s0;
      let in1 = s1 >= 0 && ox1 <= lastOx && ox1 * uniforms.strideWidth == s1;
      let in2 = s2 >= 0 && ox2 <= lastOx && ox2 * uniforms.strideWidth == s2;
      let in3 = s3 >= 0 && ox3 <= lastOx && ox3 * uniforms.strideWidth == s3;
      let d0 = (dyRow + clamp(ox0, 0, lastOx)) * cout4;
      let d1 = (dyRow + clamp(ox1, 0, lastOx)) * cout4;
      let d2 = (dyRow + clamp(ox2, 0, lastOx)) * cout4;
      let d3 = (dyRow + clamp(ox3, 0, lastOx)) * cout4;
      let wBase = ((ky * uniforms.filterWidth + kx) * uniforms.inChannels + ci) * cout4;
      for (var c = 0; c < cout4; c++) {
        let w = W[wBase + c];
        acc0 += select(vec4<f32>(0.0), DY[d0 + c], in0) * w;
        acc1 += select(vec4<f32>(0.0), DY[d1 + c], in1) * w;
        acc2 += select(vec4<f32>(0.0), DY[d2 + c], in2) * w;
        acc3 += select(vec4<f32>(0.0), DY[d3 + c], in3) * w;
      }
    }
  }
  let outBase = ((b * uniforms.inHeight + iy) * uniforms.inWidth + ix0) * uniforms.inChannels + ci;
  let ones = vec4<f32>(1.0);
  result[outBase] = dot(acc0, ones);
  if (ix0 + 1 < uniforms.inWidth) { result[outBase + uniforms.inChannels] = dot(acc1, ones); }
  if (ix0 + 2 < uniforms.inWidth) { result[outBase + 2 * uniforms.inChannels] = dot(acc2, ones); }
  if (ix0 + 3 < uniforms.inWidth) { result[outBase + 3 * uniforms.inChannels] = dot(acc3, ones); }
}
