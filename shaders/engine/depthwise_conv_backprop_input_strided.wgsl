// The input gradient of a depthwise convolution (channel multiplier 1), visiting only the taps that hit:
//   dx[b, iy, ix, c] = sum over the taps (wy, wx) of dy[b, oy, ox, c] * w[wy, wx, c]
// where oy = (iy + pt - wy*dh) / sh is a whole number in [0, oh) (and the same for x). The taps wy with
// (iy + pt - wy*dh) % sh == 0 are wy0, wy0 + q, wy0 + 2q, ... with q = sh / gcd(sh, dh) (`tapStepHeight`)
// and wy0 the first in [0, q): found once, then stepped by q; rows (iy + pt - wy*dh) fall as wy grows, so
// the loop ends at the first negative one. Channels as vec4 (C % 4 == 0), one input vec4 per invocation.
// The window's sizes come from functions fh(), fw(), sh(), sw(), dh(), dw(), qh(), qw() the runner
// prepends: constants for MobileNet's 3x3 stride 2 (the compiler unrolls and folds), else the uniforms.
// nhwc() splits the input index, firstTap() finds wy0 (nhwc_common.wgsl, spliced in front by the runner).
fn compute(index : i32) {
  let c4 = uniforms.channels / 4;
  let p = nhwc(index, uniforms.inHeight, uniforms.inWidth, c4);
  let ty0 = p.y + uniforms.padTop;
  let tx0 = p.x + uniforms.padLeft;
  let wx0 = firstTap(tx0, sw(), dw(), qw(), fw());
  var acc = vec4<f32>(0.0);
  for (var wy = firstTap(ty0, sh(), dh(), qh(), fh()); wy < fh(); wy += qh()) {
    let ty = ty0 - wy * dh();
    if (ty < 0) { break; }
    let oy = ty / sh();
    if (oy >= uniforms.outHeight) { continue; }
    let row = (p.b * uniforms.outHeight + oy) * uniforms.outWidth;
    for (var wx = wx0; wx < fw(); wx += qw()) {
      let tx = tx0 - wx * dw();
      if (tx < 0) { break; }
      let ox = tx / sw();
      if (ox < uniforms.outWidth) {
        acc = acc + DY[(row + ox) * c4 + p.d] * W[(wy * fw() + wx) * c4 + p.d];
      }
    }
  }
  result[index] = acc;
}
