// The index helpers the engine's NHWC kernels share (depthwise convolutions, pooling, pad and slice),
// spliced in front of their bodies by wgslWith (src/program/wgsl.ts).
// nhwc: a flat index over [batch, height, width, depth], depth fastest, split into its coordinates:
//   index = ((b * height + y) * width + x) * depth + d,  0 <= y < height, 0 <= x < width, 0 <= d < depth
// firstTap: the first tap w in [0, step) whose row t0 - w*dilation is a multiple of the stride, else
// `taps` (no tap hits); the taps that hit are then w, w + step, w + 2*step, ... (step = stride / gcd).
struct Nhwc {
  b : i32,
  y : i32,
  x : i32,
  d : i32,
}

fn nhwc(index : i32, height : i32, width : i32, depth : i32) -> Nhwc {
  var rest = index;
  let d = rest % depth;
  rest = rest / depth;
  let x = rest % width;
  rest = rest / width;
  let y = rest % height;
  return Nhwc(rest / height, y, x, d);
}

fn firstTap(t0 : i32, stride : i32, dilation : i32, step : i32, taps : i32) -> i32 {
  for (var w = 0; w < step; w++) {
    if ((t0 - w * dilation) % stride == 0) { return w; }
  }
  return taps;
}
