// Targeted DLR (Croce and Hein 2020, the loss of APGD-T) per row of logits [rows, classes >= 4], after
// dlr_common.wgsl (the label, the top four logits, the NaN flag): the target (the first index of the
// largest entry of its one-hot row),
//   margin = z_label - z_target,  spread = z_pi1 - (z_pi3 + z_pi4) / 2 + 1e-12;
// NaN anywhere in the row makes the row NaN. The spread is computed as (z_pi1 - z_pi3) + (z_pi3 - z_pi4) / 2:
// the same number, but each difference of close logits rounds exactly, where z_pi3 + z_pi4 would round at
// the logits' magnitude.
struct DlrTargetedRow {
  label : i32,
  targetClass : i32,
  first : i32,
  third : i32,
  fourth : i32,
  /** z_label - z_target */
  margin : f32,
  /** z_pi1 - (z_pi3 + z_pi4) / 2 + 1e-12 */
  spread : f32,
  nan : bool,
}

fn dlrTargetedRow(row : i32) -> DlrTargetedRow {
  let base = row * uniforms.classes;
  let t = topLogits(base);
  var targetClass = 0;
  var targetValue = f32(targets[base]);
  for (var c = 1; c < uniforms.classes; c++) {
    let v = f32(targets[base + c]);
    if (v > targetValue) { targetValue = v; targetClass = c; }
  }
  var r : DlrTargetedRow;
  r.label = t.label;
  r.targetClass = targetClass;
  r.first = t.i1;
  r.third = t.i3;
  r.fourth = t.i4;
  r.margin = logits[base + t.label] - logits[base + targetClass];
  r.spread = ((t.v1 - t.v3) + 0.5 * (t.v3 - t.v4)) + 1e-12;
  r.nan = t.nan;
  return r;
}
