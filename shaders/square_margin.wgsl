// SquareMargin: margin[r] = z_y - max_{i != y} z_i, y the first index of the row's largest label entry,
// one invocation per row; NaN anywhere in the row gives NaN.
fn compute(row : i32) {
  let base = row * uniforms.classes;
  var label = 0;
  var labelValue = labels[base];
  for (var c = 1; c < uniforms.classes; c++) {
    if (labels[base + c] > labelValue) { labelValue = labels[base + c]; label = c; }
  }
  var other = -uniforms.INFINITY;
  var nan = false;
  for (var c = 0; c < uniforms.classes; c++) {
    let v = logits[base + c];
    nan = nan || isNanScalar(v);
    if (c != label && v > other) { other = v; }
  }
  result[row] = select(logits[base + label] - other, uniforms.NAN, nan);
}
