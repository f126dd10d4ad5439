// y[b, oy, ox, c] = max over the window's pixels inside the image of x[b, oy*sh - pt + wy*dh, ox*sw - pl + wx*dw, c];
// channels as vec4 (C % 4 == 0). A window entirely outside the image gives -inf as in tfjs... never for valid sizes.
// nhwc() splits the output index (nhwc_common.wgsl, spliced in front by the runner).
fn compute(index : i32) {
  let c4 = uniforms.channels / 4;
  let o = nhwc(index, uniforms.outHeight, uniforms.outWidth, c4);
  var best = vec4<f32>(-3.4028234e38);
  // One flat loop over the window (nested loops cost more than the loads on SwiftShader).
  let iy0 = o.y * uniforms.strideHeight - uniforms.padTop;
  let ix0 = o.x * uniforms.strideWidth - uniforms.padLeft;
  var wy = 0;
  var wx = 0;
  for (var k = 0; k < uniforms.filterHeight * uniforms.filterWidth; k++) {
    let iy = iy0 + wy * uniforms.dilationHeight;
    let ix = ix0 + wx * uniforms.dilationWidth;
    let inside = iy >= 0 && iy < uniforms.inHeight && ix >= 0 && ix < uniforms.inWidth;
    let pixel = (o.b * uniforms.inHeight + clamp(iy, 0, uniforms.inHeight - 1)) * uniforms.inWidth + clamp(ix, 0, uniforms.inWidth - 1);
    best = select(best, max(best, X[pixel * c4 + o.d]), inside);
    wx++;
    if (wx == uniforms.filterWidth) { wx = 0; wy++; }
  }
  result[index] = best;
}
