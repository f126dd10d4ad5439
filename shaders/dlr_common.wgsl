// DLR (Croce and Hein 2020) per row of logits [rows, classes >= 3]: the label (the first index of the
// largest one-hot entry), the top three logits ordered by value, ties to the lower index, and the
// largest logit other than the label's. NaN anywhere in the row makes the row NaN.
struct DlrRow {
  label : i32,
  first : i32,
  third : i32,
  other : i32,
  /** z_label - z_other */
  margin : f32,
  /** z_first - z_third + 1e-12 */
  spread : f32,
  nan : bool,
}

fn isNanScalar(v : f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

fn dlrRow(row : i32) -> DlrRow {
  let base = row * uniforms.classes;
  var label = 0;
  var labelValue = f32(labels[base]);
  var i1 = 0;
  var v1 = logits[base];
  var i2 = -1;
  var v2 = 0.0;
  var i3 = -1;
  var v3 = 0.0;
  var nan = isNanScalar(v1);
  for (var c = 1; c < uniforms.classes; c++) {
    let l = f32(labels[base + c]);
    if (l > labelValue) { labelValue = l; label = c; }
    let v = logits[base + c];
    nan = nan || isNanScalar(v);
    if (v > v1) {
      i3 = i2; v3 = v2; i2 = i1; v2 = v1; i1 = c; v1 = v;
    } else if (i2 < 0 || v > v2) {
      i3 = i2; v3 = v2; i2 = c; v2 = v;
    } else if (i3 < 0 || v > v3) {
      i3 = c; v3 = v;
    }
  }
  let other = select(i1, i2, i1 == label);
  var r : DlrRow;
  r.label = label;
  r.first = i1;
  r.third = i3;
  r.other = other;
  r.margin = logits[base + label] - logits[base + other];
  r.spread = (v1 - v3) + 1e-12;
  r.nan = nan;
  return r;
}
