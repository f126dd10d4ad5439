// Partial sums of the filter gradient of a depthwise convolution with channel multiplier m, over a chunk of
// output rows r = b*oh + oy (rows [chunk*rowsPerChunk, +rowsPerChunk)):
//   partial[chunk, wy, wx, c*m + j] = sum over r in the chunk and ox of x[b, iy, ix, c] * dy[b, oy, ox, c*m + j]
// with iy = oy*sh - pt + wy*dh, ix = ox*sw - pl + wx*dw inside the image (the ox range computed once).
// F (and LANES, spliced in front by the runner) is vec4<f32> for multiplier 1 and C % 4 == 0 (4 channels
// per invocation) or f32 for any channel count and multiplier (one element): one F of one tap of one chunk
// per invocation; a column sum over the chunks follows.
fn compute(index : i32) {
  let xDepth = uniforms.channels / i32(LANES);
  let cout = xDepth * uniforms.multiplier;
  let taps = uniforms.filterHeight * uniforms.filterWidth;
  var rest = index;
  let co = rest % cout;
  rest = rest / cout;
  let k = rest % taps;
  let chunk = rest / taps;
  let c = co / uniforms.multiplier;
  let wy = k / uniforms.filterWidth;
  let wx = k % uniforms.filterWidth;
  let sw = uniforms.strideWidth;
  let ixOff = wx * uniforms.dilationWidth - uniforms.padLeft;
  let oxFirst = select(0, (sw - 1 - ixOff) / sw, ixOff < 0);
  let oxEnd = select(0, min(uniforms.outWidth, (uniforms.inWidth - 1 - ixOff) / sw + 1), uniforms.inWidth - 1 - ixOff >= 0);
  let first = chunk * uniforms.rowsPerChunk;
  let last = min(first + uniforms.rowsPerChunk, uniforms.batchSize * uniforms.outHeight);
  var acc = F(0.0);
  for (var r = first; r < last; r++) {
    let b = r / uniforms.outHeight;
    let oy = r - b * uniforms.outHeight;
    let iy = oy * uniforms.strideHeight - uniforms.padTop + wy * uniforms.dilationHeight;
    if (iy < 0 || iy >= uniforms.inHeight) { continue; }
    var xi = ((b * uniforms.inHeight + iy) * uniforms.inWidth + oxFirst * sw + ixOff) * xDepth + c;
    var dyi = (r * uniforms.outWidth + oxFirst) * cout + co;
    for (var ox = oxFirst; ox < oxEnd; ox++) {
      acc = acc + X[xi] * DY[dyi];
      xi += sw * xDepth;
      dyi += cout;
    }
  }
  result[index] = acc;
}
