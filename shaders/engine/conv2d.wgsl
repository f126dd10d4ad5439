// y[b, oy, ox, co] = act(bias[co] + sum_{ky, kx, ci} x[b, oy*sh - pt + ky*dh, ox*sw - pl + kx*dw, ci] * w[ky, kx, ci, co]),
// x outside the image = 0 (padding). NHWC; w read as vec4 along co (Cout % 4 == 0).
// One invocation: 4 consecutive ox x 8 output channels (two vec4), channel tile fastest.
fn compute(index : i32) {
  let cout4 = uniforms.outChannels / 4;
  var rest = index;
  let ct = rest % uniforms.channelTiles;
  rest = rest / uniforms.channelTiles;
  let xt = rest % uniforms.columnTiles;
  rest = rest / uniforms.columnTiles;
  let oy = rest % uniforms.outHeight;
  let b = rest / uniforms.outHeight;
  let co4a = min(2 * ct, cout4 - 1);
  let co4b = min(2 * ct + 1, cout4 - 1);
  let ox0 = 4 * xt;
  var acc0a = vec4<f32>(0.0); var acc0b = vec4<f32>(0.0);
  var acc1a = vec4<f32>(0.0); var acc1b = vec4<f32>(0.0);
  var acc2a = vec4<f32>(0.0); var acc2b = vec4<f32>(0.0);
  var acc3a = vec4<f32>(0.0); var acc3b = vec4<f32>(0.0);
  let lastX = uniforms.inWidth - 1;
  for (var ky = 0; ky < uniforms.filterHeight; ky++) {
    let iy = oy * uniforms.strideHeight - uniforms.padTop + ky * uniforms.dilationHeight;
    if (iy < 0 || iy >= uniforms.inHeight) { continue; }
    let rowBase = (b * uniforms.inHeight + iy) * uniforms.inWidth;
    for (var kx = 0; kx < uniforms.filterWidth; kx++) {
      let ix0 = ox0 * uniforms.strideWidth - uniforms.padLeft + kx * uniforms.dilationWidth;
      let ix1 = ix0 + uniforms.strideWidth;
      let ix2 = ix1 + uniforms.strideWidth;
      let ix3 = ix2 + uniforms.strideWidth;
      let in0 = ix0 >= 0 && ix0 <= lastX;
      let in1 = ix1 >= 0 && ix1 <= lastX;
      let in2 = ix2 >= 0 && ix2 <= lastX;
      let in3 = ix3 >= 0 && ix3 <= lastX;
      let p0 = (rowBase + clamp(ix0, 0, lastX)) * uniforms.inChannels;
      let p1 = (rowBase + clamp(ix1, 0, lastX)) * uniforms.inChannels;
      let p2 = (rowBase + clamp(ix2, 0, lastX)) * uniforms.inChannels;
      let p3 = (rowBase + clamp(ix3, 0, lastX)) * uniforms.inChannels;
      var wIndex = (ky * uniforms.filterWidth + kx) * uniforms.inChannels * cout4;
      for (var ci = 0; ci < uniforms.inChannels; ci++) {
        let wa = W[wIndex + co4a];
        let wb = W[wIndex + co4b];
        wIndex += cout4;
        let x0 = select(0.0, X[p0 + ci], in0);
        let x1 = select(0.0, X[p1 + ci], in1);
        let x2 = select(0.0, X[p2 + ci], in2);
        let x3 = select(0.0, X[p3 + ci], in3);
        acc0a += x0 * wa; acc0b += x0 * wb;
        acc1a += x1 * wa; acc1b += x1 * wb;
        acc2a += x2 * wa; acc2b += x2 * wb;
        acc3a += x3 * wa; acc3b += x3 * wb;
      }
    }
  }
  let outRow = (b * uniforms.outHeight + oy) * uniforms.outWidth;
  let writeB = 2 * ct + 1 < cout4;
  writePixel(outRow, ox0, co4a, co4b, writeB, acc0a, acc0b);
  writePixel(outRow, ox0 + 1, co4a, co4b, writeB, acc1a, acc1b);
  writePixel(outRow, ox0 + 2, co4a, co4b, writeB, acc2a, acc2b);
  writePixel(outRow, ox0 + 3, co4a, co4b, writeB, acc3a, acc3b);
}

fn writePixel(outRow : i32, ox : i32, co4a : i32, co4b : i32, writeB : bool, a : vec4<f32>, b : vec4<f32>) {
  if (ox >= uniforms.outWidth) { return; }
  let base = (outRow + ox) * (uniforms.outChannels / 4);
  result[base + co4a] = epilogue(a, 4 * co4a);
  if (writeB) { result[base + co4b] = epilogue(b, 4 * co4b); }
}
