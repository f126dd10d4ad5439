// y = x < 0 ? 0 : x (NaN stays NaN, as tfjs's Relu).
fn element(i : i32) -> F {
  let a = x[i];
  return select(a, F(0.0), a < F(0.0));
}
