// d loss / d logits[r, c] = dy * (softmax(logits[r, :])[c] * sum_k labels[r, k] - labels[r, c]) / rows.
fn compute(index : i32) {
  let r = index / uniforms.classes;
  let base = r * uniforms.classes;
  var top = logits[base];
  for (var c = 1; c < uniforms.classes; c++) { top = max(top, logits[base + c]); }
  var total = 0.0;
  var labelSum = 0.0;
  for (var c = 0; c < uniforms.classes; c++) {
    total += exp(logits[base + c] - top);
    labelSum += f32(labels[base + c]);
  }
  let probability = exp(logits[index] - top) / total;
  result[index] = dy[0] * (probability * labelSum - f32(labels[index])) / f32(uniforms.rows);
}
