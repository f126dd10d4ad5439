// Targeted DLR (Croce and Hein 2020, the loss of APGD-T) per row of logits [rows, classes >= 4]: the label
// and the target (each the first index of the largest entry of its one-hot row), the top four logits ordered
// by value (ties to the lower index). NaN anywhere in the row makes the row NaN. The spread
// z_pi1 - (z_pi3 + z_pi4) / 2 is computed as (z_pi1 - z_pi3) + (z_pi3 - z_pi4) / 2: the same number, but each
// difference of close logits rounds exactly, where z_pi3 + z_pi4 would round at the logits' magnitude.
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

fn isNanScalar(v : f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

fn dlrTargetedRow(row : i32) -> DlrTargetedRow {
  let base = row * uniforms.classes;
  var label = 0;
  var labelValue = f32(labels[base]);
  var targetClass = 0;
  var targetValue = f32(targets[base]);
  var i1 = 0;
  var v1 = logits[base];
  var i2 = -1;
  var v2 = 0.0;
  var i3 = -1;
  var v3 = 0.0;
  var i4 = -1;
  var v4 = 0.0;
  var nan = isNanScalar(v1);
  for (var c = 1; c < uniforms.classes; c++) {
    let l = f32(labels[base + c]);
    if (l > labelValue) { labelValue = l; label = c; }
    let t = f32(targets[base + c]);
    if (t > targetValue) { targetValue = t; targetClass = c; }
    let v = logits[base + c];
    nan = nan || isNanScalar(v);
    if (v > v1) {
      i4 = i3; v4 = v3; i3 = i2; v3 = v2; i2 = i1; v2 = v1; i1 = c; v1 = v;
    } else if (i2 < 0 || v > v2) {
      i4 = i3; v4 = v3; i3 = i2; v3 = v2; i2 = c; v2 = v;
    } else if (i3 < 0 || v > v3) {
      i4 = i3; v4 = v3; i3 = c; v3 = v;
    } else if (i4 < 0 || v > v4) {
      i4 = c; v4 = v;
    }
  }
  var r : DlrTargetedRow;
  r.label = label;
  r.targetClass = targetClass;
  r.first = i1;
  r.third = i3;
  r.fourth = i4;
  r.margin = logits[base + label] - logits[base + targetClass];
  r.spread = ((v1 - v3) + 0.5 * (v3 - v4)) + 1e-12;
  r.nan = nan;
  return r;
}
