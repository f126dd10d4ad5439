// y = x > 0 ? 1 : alpha, NaN stays NaN (tfjs's Step; ReLU's derivative with alpha = 0).
fn element(i : i32) -> F {
  let a = x[i];
  return select(select(F(uniforms.alpha), F(1.0), a > F(0.0)), a, isNanF(a));
}
