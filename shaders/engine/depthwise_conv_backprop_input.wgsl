// The input gradient of a depthwise convolution (channel multiplier 1):
//   dx[b, iy, ix, c] = sum over the taps (wy, wx) of dy[b, oy, ox, c] * w[wy, wx, c]
// where iy = oy*sh - pt + wy*dh and ix = ox*sw - pl + wx*dw for an output pixel (oy, ox) of the image:
// (iy + pt - wy*dh) and (ix + pl - wx*dw) non-negative multiples of the strides, below the output size.
// Taps in row-major order; channels as vec4 (C % 4 == 0), one input vec4 per invocation.
// The window's sizes come from functions fh(), fw(), sh(), sw(), dh(), dw() the runner prepends: constants
// for MobileNet's 3x3 (the compiler unrolls and folds), else the uniforms.
// nhwc() splits the input index (nhwc_common.wgsl, spliced in front by the runner).
fn compute(index : i32) {
  let c4 = uniforms.channels / 4;
  let p = nhwc(index, uniforms.inHeight, uniforms.inWidth, c4);
  var acc = vec4<f32>(0.0);
  var wy = 0;
  var wx = 0;
  for (var k = 0; k < fh() * fw(); k++) {
    let ty = p.y + uniforms.padTop - wy * dh();
    let tx = p.x + uniforms.padLeft - wx * dw();
    if (ty >= 0 && tx >= 0 && ty % sh() == 0 && tx % sw() == 0) {
      let oy = ty / sh();
      let ox = tx / sw();
      if (oy < uniforms.outHeight && ox < uniforms.outWidth) {
        acc = acc + DY[((p.b * uniforms.outHeight + oy) * uniforms.outWidth + ox) * c4 + p.d] * W[k * c4 + p.d];
      }
    }
    wx++;
    if (wx == fw()) { wx = 0; wy++; }
  }
  result[index] = acc;
}
