// The input gradient of a depthwise convolution (channel multiplier 1), visiting only the taps that hit:
//   dx[b, iy, ix, c] = sum over the taps (wy, wx) of dy[b, oy, ox, c] * w[wy, wx, c]
// where oy = (iy + pt - wy*dh) / sh is a whole number in [0, oh) (and the same for x). The taps wy with
// (iy + pt - wy*dh) % sh == 0 are wy0, wy0 + q, wy0 + 2q, ... with q = sh / gcd(sh, dh) (`tapStepHeight`)
// and wy0 the first in [0, q): found once, then stepped by q; rows (iy + pt - wy*dh) fall as wy grows, so
// the loop ends at the first negative one. Channels as vec4 (C % 4 == 0), one input vec4 per invocation.
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
  let wx0 = firstTap(tx0, uniforms.strideWidth, uniforms.dilationWidth, uniforms.tapStepWidth, uniforms.filterWidth);
  var acc = vec4<f32>(0.0);
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
        acc = acc + DY[(row + ox) * c4 + c] * W[(wy * uniforms.filterWidth + wx) * c4 + c];
      }
    }
  }
  result[index] = acc;
}
