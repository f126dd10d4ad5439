// The input gradient of a depthwise convolution (channel multiplier 1), visiting only the taps that hit:
//   dx[b, iy, ix, c] = sum over the taps (wy, wx) of dy[b, oy, ox, c] * w[wy, wx, c]
// where oy = (iy + pt - wy*dh) / sh is a whole number in [0, oh) (and the same for x). The taps wy with
// (iy + pt - wy*dh) % sh == 0 are wy0, wy0 + q, wy0 + 2q, ... with q = sh / gcd(sh, dh) (`tapStepHeight`)
// and wy0 the first in [0, q): found once, then stepped by q; rows (iy + pt - wy*dh) fall as wy grows, so
// the loop ends at the first negative one. Channels as vec4 (C % 4 == 0), one input vec4 per invocation.
// The window's sizes come from functions fh(), fw(), sh(), sw(), dh(), dw(), qh(), qw() the runner
// prepends: constants for MobileNet's 3x3 stride 2 (the compiler unrolls and folds), else the uniforms.
fn firstTap(t0 : i32, stride : i32, dilation : i32, step : i32, taps : i32) -> i32 {
  for (var w = 0; w < step; w++) {
    if ((t0 - w * dilation) % stride == 0) { return w; }
  }
  return taps;
}

fn compute(index : i32) {
  let c4 = uniforms.channels / 4;
  var rest = index;
  let c = rest % c4;
  rest = rest / c4;
  let ix = rest % uniforms.inWidth;
  rest = rest / uniforms.inWidth;
  let iy = rest % uniforms.inHeight;
  let b = rest / uniforms.inHeight;
  let ty0 = iy + uniforms.padTop;
  let tx0 = ix + uniforms.padLeft;
  let wx0 = firstTap(tx0, sw(), dw(), qw(), fw());
  var acc = vec4<f32>(0.0);
  for (var wy = firstTap(ty0, sh(), dh(), qh(), fh()); wy < fh(); wy += qh()) {
    let ty = ty0 - wy * dh();
    if (ty < 0) { break; }
    let oy = ty / sh();
    if (oy >= uniforms.outHeight) { continue; }
    let row = (b * uniforms.outHeight + oy) * uniforms.outWidth;
    for (var wx = wx0; wx < fw(); wx += qw()) {
      let tx = tx0 - wx * dw();
      if (tx < 0) { break; }
      let ox = tx / sw();
      if (ox < uniforms.outWidth) {
        acc = acc + DY[(row + ox) * c4 + c] * W[(wy * fw() + wx) * c4 + c];
      }
    }
  }
  result[index] = acc;
}
