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
  for (var wy = 0; wy < uniforms.filterHeight; wy++) {
    let iy = oy * uniforms.strideHeight - uniforms.padTop + wy * uniforms.dilationHeight;
    if (iy < 0 || iy >= uniforms.inHeight) { continue; }
    for (var wx = 0; wx < uniforms.filterWidth; wx++) {
      let ix = ox * uniforms.strideWidth - uniforms.padLeft + wx * uniforms.dilationWidth;
      if (ix < 0 || ix >= uniforms.inWidth) { continue; }
      best = max(best, X[((b * uniforms.inHeight + iy) * uniforms.inWidth + ix) * c4 + c]);
    }
  }
  result[index] = best;
}
