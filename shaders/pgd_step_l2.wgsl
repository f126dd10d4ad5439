// PgdStepL2 (PGD in the L2 ball; FGM when xAdv = x0 and stepSize = epsilon), with the row's norms from the
// row pass:  d = xAdv + stepSize * grad / (||grad|| + 1e-12) - x0,
//            out = clamp(x0 + d * min(1, epsilon / ||d||), clipMin, clipMax).
// A NaN gradient element counts as 0; NaN in xAdv or x0 makes the example's row NaN.

fn pgdL2Offset(current : F, origin : F, g : F, gradNorm : f32) -> F {
  return (current + uniforms.stepSize * l2Direction(g, gradNorm)) - origin;
}
