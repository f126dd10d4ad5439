// DLR (Croce and Hein 2020) per row of logits [rows, classes >= 3], and what the targeted DLR shares with
// it (dlr_targeted_common.wgsl follows this file): the label (the first index of the largest one-hot
// entry), the top four logits ordered by value, ties to the lower index (slots past the class count stay
// -1), and whether the row holds a NaN. DLR's row: the largest logit other than the label's,
//   margin = z_label - z_other,  spread = z_pi1 - z_pi3 + 1e-12;
// NaN anywhere in the row makes the row NaN.
struct TopLogits {
  label : i32,
  i1 : i32,
  i2 : i32,
  i3 : i32,
  i4 : i32,
  v1 : f32,
  v2 : f32,
  v3 : f32,
  v4 : f32,
  nan : bool,
}

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

fn topLogits(base : i32) -> TopLogits {
  var t : TopLogits;
  t.label = 0;
  var labelValue = f32(labels[base]);
  t.i1 = 0;
  t.v1 = logits[base];
  t.i2 = -1;
  t.v2 = 0.0;
  t.i3 = -1;
  t.v3 = 0.0;
  t.i4 = -1;
  t.v4 = 0.0;
  t.nan = isNanScalar(t.v1);
  for (var c = 1; c < uniforms.classes; c++) {
    let l = f32(labels[base + c]);
    if (l > labelValue) { labelValue = l; t.label = c; }
    let v = logits[base + c];
    t.nan = t.nan || isNanScalar(v);
    if (v > t.v1) {
      t.i4 = t.i3; t.v4 = t.v3; t.i3 = t.i2; t.v3 = t.v2; t.i2 = t.i1; t.v2 = t.v1; t.i1 = c; t.v1 = v;
    } else if (t.i2 < 0 || v > t.v2) {
      t.i4 = t.i3; t.v4 = t.v3; t.i3 = t.i2; t.v3 = t.v2; t.i2 = c; t.v2 = v;
    } else if (t.i3 < 0 || v > t.v3) {
      t.i4 = t.i3; t.v4 = t.v3; t.i3 = c; t.v3 = v;
    } else if (t.i4 < 0 || v > t.v4) {
      t.i4 = c; t.v4 = v;
    }
  }
  return t;
}

fn dlrRow(row : i32) -> DlrRow {
  let base = row * uniforms.classes;
  let t = topLogits(base);
  let other = select(t.i1, t.i2, t.i1 == t.label);
  var r : DlrRow;
  r.label = t.label;
  r.first = t.i1;
  r.third = t.i3;
  r.other = other;
  r.margin = logits[base + t.label] - logits[base + other];
  r.spread = (t.v1 - t.v3) + 1e-12;
  r.nan = t.nan;
  return r;
}
