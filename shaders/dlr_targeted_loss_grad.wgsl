// DlrTargetedLossGrad: d loss[r] / d logits[r, :] times dy[r], one invocation per row (writes the row's
// classes): -s at the label, +s at the target, +t at the largest logit, -t/2 at the third and the fourth
// largest, with s = dy / spread and t = dy * (margin / spread) / spread; NaN rows give NaN.
fn compute(row : i32) {
  let r = dlrTargetedRow(row);
  let base = row * uniforms.classes;
  let g = dy[row];
  let s = g / r.spread;
  let t = (g * (r.margin / r.spread)) / r.spread;
  let halfT = 0.5 * t;
  for (var c = 0; c < uniforms.classes; c++) {
    var v = 0.0;
    if (c == r.label) { v = v - s; }
    if (c == r.targetClass) { v = v + s; }
    if (c == r.first) { v = v + t; }
    if (c == r.third) { v = v - halfT; }
    if (c == r.fourth) { v = v - halfT; }
    result[base + c] = select(v, uniforms.NAN, r.nan);
  }
}
