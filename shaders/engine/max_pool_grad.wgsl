// dx[b, iy, ix, c] = sum of dy[b, oy, ox, c] over the windows (oy, ox) whose maximum is at (iy, ix).
// The maximum's position is the last one that is >= every earlier one in row-major window order, as
// tfjs-backend-webgpu picks it. Channels as vec4 (C % 4 == 0); dilation 1.
// nhwc() splits the input index (nhwc_common.wgsl, spliced in front by the runner).
fn windowArgmax(b : i32, oy : i32, ox : i32, c : i32, c4 : i32) -> vec4<i32> {
  var best = vec4<f32>(-3.4028234e38);
  var position = vec4<i32>(-1);
  for (var wy = 0; wy < uniforms.filterHeight; wy++) {
    let iy = oy * uniforms.strideHeight - uniforms.padTop + wy;
    if (iy < 0 || iy >= uniforms.inHeight) { continue; }
    for (var wx = 0; wx < uniforms.filterWidth; wx++) {
      let ix = ox * uniforms.strideWidth - uniforms.padLeft + wx;
      if (ix < 0 || ix >= uniforms.inWidth) { continue; }
      let pixel = (b * uniforms.inHeight + iy) * uniforms.inWidth + ix;
      let v = X[pixel * c4 + c];
      let take = v >= best;
      best = select(best, v, take);
      position = select(position, vec4<i32>(pixel), take);
    }
  }
  return position;
}

fn compute(index : i32) {
  let c4 = uniforms.channels / 4;
  let p = nhwc(index, uniforms.inHeight, uniforms.inWidth, c4);
  let pixel = vec4<i32>((p.b * uniforms.inHeight + p.y) * uniforms.inWidth + p.x);
  // Windows containing (iy, ix) = (p.y, p.x): oy*sh - pt <= iy <= oy*sh - pt + fh - 1.
  let oyFirst = max(0, (p.y + uniforms.padTop - uniforms.filterHeight + uniforms.strideHeight) / uniforms.strideHeight);
  let oyLast = min(uniforms.outHeight - 1, (p.y + uniforms.padTop) / uniforms.strideHeight);
  let oxFirst = max(0, (p.x + uniforms.padLeft - uniforms.filterWidth + uniforms.strideWidth) / uniforms.strideWidth);
  let oxLast = min(uniforms.outWidth - 1, (p.x + uniforms.padLeft) / uniforms.strideWidth);
  var acc = vec4<f32>(0.0);
  for (var oy = oyFirst; oy <= oyLast; oy++) {
    for (var ox = oxFirst; ox <= oxLast; ox++) {
      let position = windowArgmax(p.b, oy, ox, p.d, c4);
      let g = DY[((p.b * uniforms.outHeight + oy) * uniforms.outWidth + ox) * c4 + p.d];
      acc += select(vec4<f32>(0.0), g, position == pixel);
    }
  }
  result[index] = acc;
}
