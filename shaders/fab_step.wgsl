// FabStep (FAB's update, Croce and Hein 2020): with d1 and d2 the projections of the current point x and
// of the clean point x0 onto the current hyperplane (params rows r and rows + r, fab_common.wgsl),
// a_k = max(|d_k|, 1e-8) and alpha = min(max(a1 / (a1 + a2), 0), alphaMax):
//   out = clamp((x + eta d1) (1 - alpha) + (x0 + eta d2) alpha, 0, 1), one invocation per element.
// NaN in x, x0, w or the rows' parameters gives NaN.
fn compute(i : i32) {
  let row = i / uniforms.cols;
  let q1 = row * 4;
  let q2 = (uniforms.rows + row) * 4;
  let x = xCur[i];
  let origin = x0[i];
  let wi = w[i];
  let d1 = fabMove(x, wi, params[q1], params[q1 + 1]);
  let d2 = fabMove(origin, wi, params[q2], params[q2 + 1]);
  let a1 = max(params[q1 + 2], 1e-8);
  let a2 = max(params[q2 + 2], 1e-8);
  let alpha = min(max(a1 / (a1 + a2), 0.0), uniforms.alphaMax);
  let v = (x + uniforms.eta * d1) * (1.0 - alpha) + (origin + uniforms.eta * d2) * alpha;
  var bad = fabIsNan(x) || fabIsNan(origin) || fabIsNan(wi) || fabIsNan(v);
  for (var k = 0; k < 3; k++) { bad = bad || fabIsNan(params[q1 + k]) || fabIsNan(params[q2 + k]); }
  result[i] = select(clamp(v, 0.0, 1.0), uniforms.NAN, bad);
}
