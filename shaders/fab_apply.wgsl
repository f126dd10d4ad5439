// FabProjectionApply: d[i] = the projection's move of element i (fab_common.wgsl's fabMove) from its row's
// [lambda, sigma, norm, 0] (FabHyperplane's output), one invocation per element; NaN inputs give NaN.
fn compute(i : i32) {
  let row = i / uniforms.cols;
  let lambda = params[row * 4];
  let sigma = params[row * 4 + 1];
  let t = points[i];
  let wi = w[i];
  let bad = fabIsNan(t) || fabIsNan(wi) || fabIsNan(lambda) || fabIsNan(sigma);
  result[i] = select(fabMove(t, wi, lambda, sigma), uniforms.NAN, bad);
}
