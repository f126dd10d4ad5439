// The element's point, row, column and channel (NHWC), and window membership; needs uniforms height, width, channels.
struct Pixel {
  row : i32,
  y : i32,
  x : i32,
  ch : i32,
}

fn pixelOf(i : i32) -> Pixel {
  var p : Pixel;
  p.ch = i % uniforms.channels;
  let pix = i / uniforms.channels;
  p.x = pix % uniforms.width;
  p.y = (pix / uniforms.width) % uniforms.height;
  p.row = pix / (uniforms.width * uniforms.height);
  return p;
}

fn inWindow(y : i32, x : i32, top : i32, left : i32, side : i32) -> bool {
  return y >= top && y < top + side && x >= left && x < left + side;
}
