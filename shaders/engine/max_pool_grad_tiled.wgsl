// dx of max pooling whose windows tile the input exactly (stride = filter size, no padding): one
// invocation per window (b, oy, ox, 4 channels) finds the maximum's position (the last >= in row-major
// order, as tfjs-backend-webgpu) and writes dy there and 0 at the window's other pixels.
// nhwc() splits the window index (nhwc_common.wgsl, spliced in front by the runner).
fn compute(index : i32) {
  let c4 = uniforms.channels / 4;
  let o = nhwc(index, uniforms.outHeight, uniforms.outWidth, c4);
  let corner = (o.b * uniforms.inHeight + o.y * uniforms.filterHeight) * uniforms.inWidth + o.x * uniforms.filterWidth;
  var best = vec4<f32>(-3.4028234e38);
  var position = vec4<i32>(-1);
  let windowSize = uniforms.filterHeight * uniforms.filterWidth;
  // Flat loops over the window with an incremental pixel index (no nested loops, no division).
  var pixel = corner;
  var wx = 0;
  for (var k = 0; k < windowSize; k++) {
    let v = X[pixel * c4 + o.d];
    let take = v >= best;
    best = select(best, v, take);
    position = select(position, vec4<i32>(pixel), take);
    pixel++;
    wx++;
    if (wx == uniforms.filterWidth) { wx = 0; pixel += uniforms.inWidth - uniforms.filterWidth; }
  }
  let g = DY[index];
  pixel = corner;
  wx = 0;
  for (var k = 0; k < windowSize; k++) {
    result[pixel * c4 + o.d] = select(vec4<f32>(0.0), g, position == vec4<i32>(pixel));
    pixel++;
    wx++;
    if (wx == uniforms.filterWidth) { wx = 0; pixel += uniforms.inWidth - uniforms.filterWidth; }
  }
}
