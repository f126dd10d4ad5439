// Depthwise convolution with channel multiplier m (any channel count), one output element per invocation,
// with the epilogue (bias, activation) of FusedDepthwiseConv2D (identity for DepthwiseConv2dNative):
//   y[b, oy, ox, c*m + j] = act(bias[c*m + j] + sum over the taps (wy, wx) whose pixel lies in the image of
//                           x[b, oy*sh - pt + wy*dh, ox*sw - pl + wx*dw, c] * w[wy, wx, c, j])
// w [fh, fw, C, m] read flat as [fh*fw, C*m]; the taps in row-major order.
// nhwc() splits the output index (nhwc_common.wgsl, spliced in front by the runner).
fn compute(index : i32) {
  let cout = uniforms.channels * uniforms.multiplier;
  let o = nhwc(index, uniforms.outHeight, uniforms.outWidth, cout);
  let c = o.d / uniforms.multiplier;
  let iy0 = o.y * uniforms.strideHeight - uniforms.padTop;
  let ix0 = o.x * uniforms.strideWidth - uniforms.padLeft;
  var acc = 0.0;
  var wy = 0;
  var wx = 0;
  for (var k = 0; k < uniforms.filterHeight * uniforms.filterWidth; k++) {
    let iy = iy0 + wy * uniforms.dilationHeight;
    let ix = ix0 + wx * uniforms.dilationWidth;
    if (iy >= 0 && iy < uniforms.inHeight && ix >= 0 && ix < uniforms.inWidth) {
      acc = acc + X[((o.b * uniforms.inHeight + iy) * uniforms.inWidth + ix) * uniforms.channels + c] * W[k * cout + o.d];
    }
    wx++;
    if (wx == uniforms.filterWidth) { wx = 0; wy++; }
  }
  result[index] = epilogue(vec4<f32>(acc), o.d).x;
}
