// dx = x > 0 ? dy : 0 (tfjs's ReLU gradient, dy * step(x), in one pass; NaN x gives NaN as step does).
fn element(i : i32) -> F {
  let v = x[i];
  return select(select(F(0.0), dy[i], v > F(0.0)), v, isNanF(v));
}
