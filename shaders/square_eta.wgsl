// eta (row-major side x side) at (a, b), or at (b, a) when transposed.
fn etaAt(a : i32, b : i32, side : i32, transposed : bool) -> f32 {
  return select(eta[a * side + b], eta[b * side + a], transposed);
}
