// PgdStepL2's element pass (formula in pgd_step_l2.wgsl).

fn element(i : i32) -> F {
  let row = (i * i32(LANES)) / uniforms.rowSize;
  let offsetNorm = norms[2 * row + 1];
  let origin = x0[i];
  let d = pgdL2Offset(xAdv[i], origin, grad[i], norms[2 * row]);
  return select(l2Project(origin, d, offsetNorm), F(uniforms.NAN), B(isNanOne(offsetNorm)));
}
