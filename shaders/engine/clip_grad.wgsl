// dx = clipMin <= x <= clipMax ? dy : 0 (tfjs's ClipByValue gradient, where(x >= min && x <= max, dy, 0),
// in one pass; a NaN x gives 0, as its comparisons do). ReLU6 is ClipByValue(x, 0, 6).
fn element(i : i32) -> F {
  let v = x[i];
  return select(F(0.0), dy[i], (v >= F(uniforms.clipMin)) & (v <= F(uniforms.clipMax)));
}
