// loss = (1 / rows) sum_r sum_c labels[r, c] * (logsumexp(logits[r, :]) - logits[r, c]), in one invocation
// (rows x classes is a batch of logits: small).
fn logSumExp(base : i32) -> f32 {
  var top = logits[base];
  for (var c = 1; c < uniforms.classes; c++) { top = max(top, logits[base + c]); }
  var total = 0.0;
  for (var c = 0; c < uniforms.classes; c++) { total += exp(logits[base + c] - top); }
  return top + log(total);
}

fn compute(index : i32) {
  var loss = 0.0;
  for (var r = 0; r < uniforms.rows; r++) {
    let base = r * uniforms.classes;
    let lse = logSumExp(base);
    for (var c = 0; c < uniforms.classes; c++) { loss += f32(labels[base + c]) * (lse - logits[base + c]); }
  }
  result[0] = loss / f32(uniforms.rows);
}
