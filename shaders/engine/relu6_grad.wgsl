// dx = 0 < y < 6 ? dy : 0, from ReLU6's output y = min(max(x, 0), 6): the gradient of ReLU6 at x wherever
// x is not exactly 0 or 6 (tfjs's relu(x) then clipByValue(., 0, 6) passes dy at x = 6; this gives 0 there,
// as PyTorch's hardtanh does). A NaN y gives 0.
fn element(i : i32) -> F {
  let v = y[i];
  return select(F(0.0), dy[i], (v > F(0.0)) & (v < F(6.0)));
}
