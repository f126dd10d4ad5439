// kl[r] = sum_c p[c] (log p[c] - log q[c]), p = softmax(pLogits[r, :]), q = softmax(qLogits[r, :]), in log
// space (log p[c] = pLogits[r, c] - logsumexp(pLogits[r, :])): one invocation per row. logSumExpP and
// logSumExpQ come from kl_divergence.ts (one template, per input array).
fn klRow(r : i32) -> f32 {
  let base = r * uniforms.classes;
  let lseP = logSumExpP(base);
  let lseQ = logSumExpQ(base);
  var kl = 0.0;
  for (var c = 0; c < uniforms.classes; c++) {
    let logP = pLogits[base + c] - lseP;
    kl += exp(logP) * (logP - (qLogits[base + c] - lseQ));
  }
  return kl;
}
