// PgdStepL2's row pass, one invocation per example r (rowSize elements):
//   norms[2 r]     = ||grad_r||                                   (NaN elements count as 0)
//   norms[2 r + 1] = ||d_r||, d = xAdv + stepSize * grad / (||grad|| + 1e-12) - x0.

fn compute(row : i32) {
  let base = row * uniforms.rowSize;
  var gg = 0.0;
  for (var j = 0; j < uniforms.rowSize; j++) {
    gg = gg + gradSquare(grad[base + j]);
  }
  let gradNorm = sqrt(gg);
  var dd = 0.0;
  for (var j = 0; j < uniforms.rowSize; j++) {
    let d = pgdL2Offset(xAdv[base + j], x0[base + j], grad[base + j], gradNorm);
    dd = dd + d * d;
  }
  result[2 * row] = gradNorm;
  result[2 * row + 1] = sqrt(dd);
}
