// DlrTargetedLoss: loss[r] = -(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2 + 1e-12), one invocation per row.
fn compute(row : i32) {
  let r = dlrTargetedRow(row);
  result[row] = select(-(r.margin / r.spread), uniforms.NAN, r.nan);
}
