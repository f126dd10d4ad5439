// SquareL2Init: the start grid's cells (side gridSide from gridStart, gridRows x gridCols) each get eta
// (transposed or not, one draw per point and cell) times a sign per channel: counter
// (n cells + cell) (c + 1) for the transposition, + 1 + ch for the signs. Outside the grid 0. Then
// out = clamp(x0 + (v / norm) eps, clipMin, clipMax), norm the perturbation's L2 norm (+ 1e-12).
fn compute(i : i32) {
  let p = pixelOf(i);
  let gs = uniforms.gridSide;
  let start = uniforms.gridStart;
  var v = 0.0;
  if (p.y >= start && p.x >= start) {
    let gy = (p.y - start) / gs;
    let gx = (p.x - start) / gs;
    if (gy < uniforms.gridRows && gx < uniforms.gridCols) {
      let cells = u32(uniforms.gridRows * uniforms.gridCols);
      let base = (u32(rowIds[p.row]) * cells + u32(gy * uniforms.gridCols + gx)) * u32(uniforms.channels + 1);
      let transposed = (squareDraw(uniforms.key, base) >> 31u) == 1u;
      let e = etaAt(p.y - start - gy * gs, p.x - start - gx * gs, gs, transposed);
      v = e * signOf(squareDraw(uniforms.key, base + 1u + u32(p.ch)));
    }
  }
  result[i] = clampKeepNaN(x0[i] + (v / uniforms.norm) * uniforms.epsilon, uniforms.clipMin, uniforms.clipMax);
}
