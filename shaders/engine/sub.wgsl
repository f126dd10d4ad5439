// y = a - b, b the same shape as a or a vector over a's last axis (BN's x - mean): b[i mod bSize].
fn element(i : i32) -> F {
  return a[i] - b[i % uniforms.bSize];
}
