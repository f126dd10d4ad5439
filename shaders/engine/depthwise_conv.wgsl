// Depthwise convolution, channel multiplier 1 (MobileNet's), with the epilogue (bias, activation) of
// FusedDepthwiseConv2D (identity for DepthwiseConv2dNative):
//   y[b, oy, ox, c] = act(bias[c] + sum over the taps (wy, wx) whose pixel lies in the image of
//                     x[b, oy*sh - pt + wy*dh, ox*sw - pl + wx*dw, c] * w[wy, wx, c])
// the taps in row-major order; channels as vec4 (C % 4 == 0), one output vec4 per invocation.
// The window's sizes come from functions fh(), fw(), sh(), sw(), dh(), dw() the runner prepends (the
// uniforms; constants where a runner specialises a window).
// nhwc() splits the output index (nhwc_common.wgsl, spliced in front by the runner).
fn compute(index : i32) {
  let c4 = uniforms.channels / 4;
  let o = nhwc(index, uniforms.outHeight, uniforms.outWidth, c4);
  let iy0 = o.y * sh() - uniforms.padTop;
  let ix0 = o.x * sw() - uniforms.padLeft;
  var acc = vec4<f32>(0.0);
  // One flat loop over the window (nested loops cost more than the loads on SwiftShader).
  var wy = 0;
  var wx = 0;
  for (var k = 0; k < fh() * fw(); k++) {
    let iy = iy0 + wy * dh();
    let ix = ix0 + wx * dw();
    if (iy >= 0 && iy < uniforms.inHeight && ix >= 0 && ix < uniforms.inWidth) {
      acc = acc + X[((o.b * uniforms.inHeight + iy) * uniforms.inWidth + ix) * c4 + o.d] * W[k * c4 + o.d];
    }
    wx++;
    if (wx == fw()) { wx = 0; wy++; }
  }
  result[index] = epilogue(acc, 4 * o.d);
}
