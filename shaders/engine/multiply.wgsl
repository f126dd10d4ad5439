// y = a * b, same shapes.
fn element(i : i32) -> F {
  return a[i] * b[i];
}
