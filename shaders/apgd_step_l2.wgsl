// ApgdStepL2 (APGD, Croce and Hein 2020, the L2 branch of the reference's attack_single_run), with eta the
// row's step size, a the momentum weight, dir = grad / (||grad|| + 1e-12) and P(x0 + v) = clamp(x0 + v *
// min(1, epsilon / ||v||), clipMin, clipMax) (the L2 projection, then the box, as the reference orders them):
//   z   = P(x0 + u),  u = xCur + eta * dir - x0
//   out = P(x0 + v),  v = xCur + a * (z - xCur) + (1 - a) * (xCur - xPrev) - x0.
// Three row norms (||grad||, ||u||, ||v||) come from the row pass. A NaN gradient element counts as 0;
// NaN in xCur, xPrev or x0 makes the example's row NaN.

fn apgdL2StepOffset(current : F, origin : F, g : F, gradNorm : f32, eta : f32) -> F {
  return (current + eta * l2Direction(g, gradNorm)) - origin;
}

fn apgdL2MomentumOffset(current : F, previous : F, origin : F, g : F, gradNorm : f32, eta : f32, stepNorm : f32) -> F {
  let z = l2Project(origin, apgdL2StepOffset(current, origin, g, gradNorm, eta), stepNorm);
  let moved = current + uniforms.momentum * (z - current) + (1.0 - uniforms.momentum) * (current - previous);
  return moved - origin;
}
