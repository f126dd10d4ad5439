// dx of max pooling whose windows tile the input exactly (stride = filter size, no padding): one
// invocation per window (b, oy, ox, 4 channels) finds the maximum's position (the last >= in row-major
// order, as tfjs-backend-webgpu) and writes dy there and 0 at the window's other pixels.
// With RELU_MASK (the pool after a ReLU, whose gradient it then applies in the same pass): each pixel's
// value r becomes x > 0 ? r : 0, NaN x giving NaN, as the ReLU gradient kernel (relu_grad.wgsl) computes it.
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
    var r = select(vec4<f32>(0.0), g, position == vec4<i32>(pixel));
    if (RELU_MASK) {
      let v = X[pixel * c4 + o.d];
      let nan = (bitcast<vec4<u32>>(v) & vec4<u32>(0x7fffffffu)) > vec4<u32>(0x7f800000u);
      r = select(select(vec4<f32>(0.0), r, v > vec4<f32>(0.0)), v, nan);
    }
    result[pixel * c4 + o.d] = r;
    pixel++;
    wx++;
    if (wx == uniforms.filterWidth) { wx = 0; pixel += uniforms.inWidth - uniforms.filterWidth; }
  }
}
