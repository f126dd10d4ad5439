// result[r] = KL(softmax(pLogits[r, :]) || softmax(qLogits[r, :])) (kl_divergence.wgsl's klRow).
fn compute(index : i32) {
  result[index] = klRow(index);
}
