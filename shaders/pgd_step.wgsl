// PgdStep: out = clamp(clamp(xAdv + stepSize * sign(grad), x0 - epsilon, x0 + epsilon), clipMin, clipMax);
// NaN in xAdv or x0 gives NaN.

fn element(i : i32) -> F {
  let origin = x0[i];
  let current = xAdv[i];
  let stepped = current + uniforms.stepSize * stepDirection(grad[i]);
  let projected = min(max(stepped, origin - uniforms.epsilon), origin + uniforms.epsilon);
  let invalid = isNanF(current) | isNanF(origin);
  return select(clampKeepNaN(projected, uniforms.clipMin, uniforms.clipMax), F(uniforms.NAN), invalid);
}
