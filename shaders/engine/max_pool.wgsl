// y[b, oy, ox, c] = max over the window's pixels inside the image of x[b, oy*sh - pt + wy*dh, ox*sw - pl + wx*dw, c];
// channels as vec4 (C % 4 == 0). A window entirely outside the image gives -inf as in tfjs... never for valid sizes.
fn compute(index : i32) {
  let c4 = uniforms.channels / 4;
  var rest = index;
  let c = rest % c4;
  rest = rest / c4;
  let ox = rest % uniforms.outWidth;
  rest = rest / uniforms.outWidth;
  let oy = rest % uniforms.outHeight;
  let b = rest / uniforms.outHeight;
  var best = vec4<f32>(-3.4028234e38);
  // One flat loop over the window (nested loops cost more than the loads on SwiftShader).
  let iy0 = oy * uniforms.strideHeight - uniforms.padTop;
  let ix0 = ox * uniforms.strideWidth - uniforms.padLeft;
  var wy = 0;
  var wx = 0;
  for (var k = 0; k < uniforms.filterHeight * uniforms.filterWidth; k++) {
    let iy = iy0 + wy * uniforms.dilationHeight;
    let ix = ix0 + wx * uniforms.dilationWidth;
    let inside = iy >= 0 && iy < uniforms.inHeight && ix >= 0 && ix < uniforms.inWidth;
    let pixel = (b * uniforms.inHeight + clamp(iy, 0, uniforms.inHeight - 1)) * uniforms.inWidth + clamp(ix, 0, uniforms.inWidth - 1);
    best = select(best, max(best, X[pixel * c4 + c]), inside);
    wx++;
    if (wx == uniforms.filterWidth) { wx = 0; wy++; }
  }
  result[index] = best;
}
