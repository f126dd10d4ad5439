// The input gradient of a depthwise convolution with channel multiplier m (any channel count), one input
// element per invocation, visiting only the taps that hit (as depthwise_conv_backprop_input_strided.wgsl):
//   dx[b, iy, ix, c] = sum over the taps (wy, wx) and j < m of dy[b, oy, ox, c*m + j] * w[wy, wx, c, j]
// where oy = (iy + pt - wy*dh) / sh is a whole number in [0, oh) (and the same for x); w read flat as
// [fh*fw, C*m]; taps wy0, wy0 + q, ... with q = sh / gcd(sh, dh) (`tapStepHeight`).
fn firstTap(t0 : i32, stride : i32, dilation : i32, step : i32, taps : i32) -> i32 {
  for (var w = 0; w < step; w++) {
    if ((t0 - w * dilation) % stride == 0) { return w; }
  }
  return taps;
}

fn compute(index : i32) {
  let m = uniforms.multiplier;
  let cout = uniforms.channels * m;
  var rest = index;
  let c = rest % uniforms.channels;
  rest = rest / uniforms.channels;
  let ix = rest % uniforms.inWidth;
  rest = rest / uniforms.inWidth;
  let iy = rest % uniforms.inHeight;
  let b = rest / uniforms.inHeight;
  let ty0 = iy + uniforms.padTop;
  let tx0 = ix + uniforms.padLeft;
  let wx0 = firstTap(tx0, uniforms.strideWidth, uniforms.dilationWidth, uniforms.tapStepWidth, uniforms.filterWidth);
  var acc = 0.0;
  for (var wy = firstTap(ty0, uniforms.strideHeight, uniforms.dilationHeight, uniforms.tapStepHeight, uniforms.filterHeight); wy < uniforms.filterHeight; wy += uniforms.tapStepHeight) {
    let ty = ty0 - wy * uniforms.dilationHeight;
    if (ty < 0) { break; }
    let oy = ty / uniforms.strideHeight;
    if (oy >= uniforms.outHeight) { continue; }
    let row = (b * uniforms.outHeight + oy) * uniforms.outWidth;
    for (var wx = wx0; wx < uniforms.filterWidth; wx += uniforms.tapStepWidth) {
      let tx = tx0 - wx * uniforms.dilationWidth;
      if (tx < 0) { break; }
      let ox = tx / uniforms.strideWidth;
      if (ox < uniforms.outWidth) {
        let dyBase = (row + ox) * cout + c * m;
        let wBase = (wy * uniforms.filterWidth + wx) * cout + c * m;
        for (var j = 0; j < m; j++) {
          acc = acc + DY[dyBase + j] * W[wBase + j];
        }
      }
    }
  }
  result[index] = acc;
}
