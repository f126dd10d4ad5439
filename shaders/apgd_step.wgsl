// ApgdStep (APGD, Croce and Hein 2020, L-infinity): with P the projection onto the eps-ball around x0 and
// the box [clipMin, clipMax], eta the row's step size and a the momentum weight,
//   z   = P(xCur + eta * sign(grad))
//   out = P(xCur + a * (z - xCur) + (1 - a) * (xCur - xPrev)).
// A NaN gradient element makes no step; NaN in xCur, xPrev or x0 gives NaN.

fn project(v : F, origin : F) -> F {
  return clampKeepNaN(min(max(v, origin - uniforms.epsilon), origin + uniforms.epsilon), uniforms.clipMin, uniforms.clipMax);
}

fn element(i : i32) -> F {
  let origin = x0[i];
  let current = xCur[i];
  let previous = xPrev[i];
  let row = (i * i32(LANES)) / uniforms.rowSize;
  let eta = F(stepSize[row]);
  let z = project(current + eta * stepDirection(grad[i]), origin);
  let moved = current + uniforms.momentum * (z - current) + (1.0 - uniforms.momentum) * (current - previous);
  let invalid = isNanF(current) | isNanF(origin) | isNanF(previous);
  return select(project(moved, origin), F(uniforms.NAN), invalid);
}
