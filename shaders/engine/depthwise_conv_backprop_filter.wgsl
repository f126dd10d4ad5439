// Partial sums of the filter gradient of a depthwise convolution (channel multiplier 1), over a chunk of
// output rows r = b*oh + oy (rows [chunk*rowsPerChunk, +rowsPerChunk)):
//   partial[chunk, wy, wx, c] = sum over r in the chunk and ox of x[b, iy, ix, c] * dy[b, oy, ox, c]
// with iy = oy*sh - pt + wy*dh, ix = ox*sw - pl + wx*dw inside the image (the ox range computed once).
// Channels as vec4 (C % 4 == 0), one vec4 of one tap of one chunk per invocation; a column sum over the
// chunks follows.
fn compute(index : i32) {
  let c4 = uniforms.channels / 4;
  let taps = uniforms.filterHeight * uniforms.filterWidth;
  var rest = index;
  let c = rest % c4;
  rest = rest / c4;
  let k = rest % taps;
  let chunk = rest / taps;
  let wy = k / uniforms.filterWidth;
  let wx = k % uniforms.filterWidth;
  let sw = uniforms.strideWidth;
  let ixOff = wx * uniforms.dilationWidth - uniforms.padLeft;
  let oxFirst = select(0, (sw - 1 - ixOff) / sw, ixOff < 0);
  let oxEnd = select(0, min(uniforms.outWidth, (uniforms.inWidth - 1 - ixOff) / sw + 1), uniforms.inWidth - 1 - ixOff >= 0);
  let first = chunk * uniforms.rowsPerChunk;
  let last = min(first + uniforms.rowsPerChunk, uniforms.batchSize * uniforms.outHeight);
  var acc = vec4<f32>(0.0);
  for (var r = first; r < last; r++) {
    let b = r / uniforms.outHeight;
    let oy = r - b * uniforms.outHeight;
    let iy = oy * uniforms.strideHeight - uniforms.padTop + wy * uniforms.dilationHeight;
    if (iy < 0 || iy >= uniforms.inHeight) { continue; }
    var xi = ((b * uniforms.inHeight + iy) * uniforms.inWidth + oxFirst * sw + ixOff) * c4 + c;
    var dyi = (r * uniforms.outWidth + oxFirst) * c4 + c;
    for (var ox = oxFirst; ox < oxEnd; ox++) {
      acc = acc + X[xi] * DY[dyi];
      xi += sw * c4;
      dyi += c4;
    }
  }
  result[index] = acc;
}
