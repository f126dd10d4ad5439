// The input gradient of a depthwise convolution with channel multiplier m (any channel count), one input
// element per invocation, visiting only the taps that hit (as depthwise_conv_backprop_input_strided.wgsl):
//   dx[b, iy, ix, c] = sum over the taps (wy, wx) and j < m of dy[b, oy, ox, c*m + j] * w[wy, wx, c, j]
// where oy = (iy + pt - wy*dh) / sh is a whole number in [0, oh) (and the same for x); w read flat as
// [fh*fw, C*m]; taps wy0, wy0 + q, ... with q = sh / gcd(sh, dh) (`tapStepHeight`).
// nhwc() splits the input index, firstTap() finds wy0 (nhwc_common.wgsl, spliced in front by the runner).
fn compute(index : i32) {
  let m = uniforms.multiplier;
  let cout = uniforms.channels * m;
  let p = nhwc(index, uniforms.inHeight, uniforms.inWidth, uniforms.channels);
  let ty0 = p.y + uniforms.padTop;
  let tx0 = p.x + uniforms.padLeft;
  let wx0 = firstTap(tx0, uniforms.strideWidth, uniforms.dilationWidth, uniforms.tapStepWidth, uniforms.filterWidth);
  var acc = 0.0;
  for (var wy = firstTap(ty0, uniforms.strideHeight, uniforms.dilationHeight, uniforms.tapStepHeight, uniforms.filterHeight); wy < uniforms.filterHeight; wy += uniforms.tapStepHeight) {
    let ty = ty0 - wy * uniforms.dilationHeight;
    if (ty < 0) { break; }
    let oy = ty / uniforms.strideHeight;
    if (oy >= uniforms.outHeight) { continue; }
    let row = (p.b * uniforms.outHeight + oy) * uniforms.outWidth;
    for (var wx = wx0; wx < uniforms.filterWidth; wx += uniforms.tapStepWidth) {
      let tx = tx0 - wx * uniforms.dilationWidth;
      if (tx < 0) { break; }
      let ox = tx / uniforms.strideWidth;
      if (ox < uniforms.outWidth) {
        let dyBase = (row + ox) * cout + p.d * m;
        let wBase = (wy * uniforms.filterWidth + wx) * cout + p.d * m;
        for (var j = 0; j < m; j++) {
          acc = acc + DY[dyBase + j] * W[wBase + j];
        }
      }
    }
  }
  result[index] = acc;
}
