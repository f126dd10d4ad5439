// DlrLoss: loss[r] = -(z_y - max_{i != y} z_i) / (z_pi1 - z_pi3 + 1e-12), one invocation per row.
fn compute(row : i32) {
  let r = dlrRow(row);
  result[row] = select(-(r.margin / r.spread), uniforms.NAN, r.nan);
}
