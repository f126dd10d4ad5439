// ApgdStepL2's element pass (formula in apgd_step_l2.wgsl).

fn element(i : i32) -> F {
  let row = (i * i32(LANES)) / uniforms.rowSize;
  let stepNorm = norms[3 * row + 1];
  let momentumNorm = norms[3 * row + 2];
  let origin = x0[i];
  let v = apgdL2MomentumOffset(xCur[i], xPrev[i], origin, grad[i], norms[3 * row], stepSize[row], stepNorm);
  let invalid = isNanOne(stepNorm) || isNanOne(momentumNorm);
  return select(l2Project(origin, v, momentumNorm), F(uniforms.NAN), B(invalid));
}
