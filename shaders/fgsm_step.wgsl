// FgsmStep: out = clamp(x + stepSize * sign(grad), clipMin, clipMax);
// stepSize = +epsilon (untargeted, up the loss) or -epsilon (targeted, down the loss).

fn element(i : i32) -> F {
  return clampKeepNaN(x[i] + uniforms.stepSize * stepDirection(grad[i]), uniforms.clipMin, uniforms.clipMax);
}
