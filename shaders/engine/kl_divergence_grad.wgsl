// The gradient of kl[r] = sum_c p[c] (log p[c] - log q[c]) times dy[r], one invocation per (r, c):
//   WRT_P: d kl[r] / d pLogits[r, c] = p[c] (log p[c] - log q[c] - kl[r]);
//   else:  d kl[r] / d qLogits[r, c] = q[c] - p[c].
fn compute(index : i32) {
  let r = index / uniforms.classes;
  let base = r * uniforms.classes;
  let logP = pLogits[index] - logSumExpP(base);
  let logQ = qLogits[index] - logSumExpQ(base);
  if (WRT_P) {
    result[index] = dy[r] * exp(logP) * (logP - logQ - klRow(r));
  } else {
    result[index] = dy[r] * (exp(logQ) - exp(logP));
  }
}
