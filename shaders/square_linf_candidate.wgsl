// SquareLinfCandidate: inside the point's square (side `side` at its drawn row and column)
// v = xBest + 2 eps sign (the channel's drawn sign), elsewhere v = xBest; then
// out = clamp(min(max(v, x0 - eps), x0 + eps), clipMin, clipMax). NaN in xBest or x0 gives NaN.
fn compute(i : i32) {
  let p = pixelOf(i);
  let d = queryDraws(p.row);
  let best = xBest[i];
  let origin = x0[i];
  var v = best;
  if (inWindow(p.y, p.x, d.vh, d.vw, uniforms.side)) {
    v = best + uniforms.twoEpsilon * querySign(p.row, p.ch);
  }
  let projected = min(max(v, origin - uniforms.epsilon), origin + uniforms.epsilon);
  let invalid = isNanScalar(best) || isNanScalar(origin);
  result[i] = select(clampKeepNaN(projected, uniforms.clipMin, uniforms.clipMax), uniforms.NAN, invalid);
}
