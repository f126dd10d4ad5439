// SquareL2Candidate: delta = xBest - x0; in window 1 delta = (eta sign + delta / (1e-12 + n1)) / (1e-12 + nd)
// target (the row and channel's stats [n1, nd, target, energy]), else in window 2 delta = 0; then
// out = clamp(x0 + (delta / (sqrt(sum of the row's energies) + 1e-12)) eps, clipMin, clipMax).
fn compute(i : i32) {
  let p = pixelOf(i);
  let d = queryDraws(p.row);
  let c = uniforms.channels;
  var energy = 0.0;
  for (var k = 0; k < c; k++) {
    energy = energy + stats[(p.row * c + k) * 4 + 3];
  }
  let total = sqrt(energy) + TINY;
  let o = (p.row * c + p.ch) * 4;
  var v = xBest[i] - x0[i];
  if (inWindow(p.y, p.x, d.vh, d.vw, uniforms.side)) {
    let e = etaAt(p.y - d.vh, p.x - d.vw, uniforms.side, d.transposed) * querySign(p.row, p.ch) + v / (TINY + stats[o]);
    v = (e / (TINY + stats[o + 1])) * stats[o + 2];
  } else if (inWindow(p.y, p.x, d.vh2, d.vw2, uniforms.side)) {
    v = 0.0;
  }
  result[i] = clampKeepNaN(x0[i] + (v / total) * uniforms.epsilon, uniforms.clipMin, uniforms.clipMax);
}
