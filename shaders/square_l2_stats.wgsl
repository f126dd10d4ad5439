// SquareL2Stats: one invocation per row and channel; delta = xBest - x0, window 1 at (vh, vw), window 2
// at (vh2, vw2), both of side `side`. Writes [n1, nd, target, energy]:
//   n1 = ||delta over window 1||, e = eta sign + delta / (1e-12 + n1) over window 1, nd = ||e||,
//   target = sqrt(max(eps^2 - ||delta||^2, 0) / c + ||delta over both windows||^2) (||delta||: all channels),
//   energy = ||delta outside both windows||^2 + ||e / (1e-12 + nd) target||^2.
fn deltaAt(i : i32) -> f32 {
  return xBest[i] - x0[i];
}

fn compute(index : i32) {
  let c = uniforms.channels;
  let row = index / c;
  let ch = index % c;
  let side = uniforms.side;
  let rowSize = uniforms.height * uniforms.width * c;
  let rowBase = row * rowSize;
  let d = queryDraws(row);
  let sgn = querySign(row, ch);
  var whole = 0.0;
  for (var j = 0; j < rowSize; j++) {
    let v = deltaAt(rowBase + j);
    whole = whole + v * v;
  }
  var w1 = 0.0;
  var both = 0.0;
  var outside = 0.0;
  for (var y = 0; y < uniforms.height; y++) {
    for (var x = 0; x < uniforms.width; x++) {
      let v = deltaAt(rowBase + (y * uniforms.width + x) * c + ch);
      let sq = v * v;
      let in1 = inWindow(y, x, d.vh, d.vw, side);
      let in2 = inWindow(y, x, d.vh2, d.vw2, side);
      if (in1) { w1 = w1 + sq; }
      if (in1 || in2) { both = both + sq; } else { outside = outside + sq; }
    }
  }
  let n1 = sqrt(w1);
  var nd2 = 0.0;
  for (var a = 0; a < side; a++) {
    for (var b = 0; b < side; b++) {
      let v = deltaAt(rowBase + ((d.vh + a) * uniforms.width + d.vw + b) * c + ch);
      let e = etaAt(a, b, side, d.transposed) * sgn + v / (TINY + n1);
      nd2 = nd2 + e * e;
    }
  }
  let nd = sqrt(nd2);
  let normImage = sqrt(whole);
  let nw = sqrt(both);
  let room = uniforms.epsilon * uniforms.epsilon - normImage * normImage;
  let slack = select(0.0, room, room > 0.0) / f32(c);
  let goal = sqrt(slack + nw * nw);
  var after = 0.0;
  for (var a = 0; a < side; a++) {
    for (var b = 0; b < side; b++) {
      let v = deltaAt(rowBase + ((d.vh + a) * uniforms.width + d.vw + b) * c + ch);
      let e = etaAt(a, b, side, d.transposed) * sgn + v / (TINY + n1);
      let scaled = (e / (TINY + nd)) * goal;
      after = after + scaled * scaled;
    }
  }
  let o = index * 4;
  result[o] = n1;
  result[o + 1] = nd;
  result[o + 2] = goal;
  result[o + 3] = outside + after;
}
