// ApgdStepL2's row pass, one invocation per example r: norms[3 r .. 3 r + 2] = ||grad_r||, ||u_r||, ||v_r||
// (u and v as in apgd_step_l2.wgsl; each loop needs the norm before it).

fn compute(row : i32) {
  let base = row * uniforms.rowSize;
  let eta = stepSize[row];
  var gg = 0.0;
  for (var j = 0; j < uniforms.rowSize; j++) {
    gg = gg + gradSquare(grad[base + j]);
  }
  let gradNorm = sqrt(gg);
  var uu = 0.0;
  for (var j = 0; j < uniforms.rowSize; j++) {
    let u = apgdL2StepOffset(xCur[base + j], x0[base + j], grad[base + j], gradNorm, eta);
    uu = uu + u * u;
  }
  let stepNorm = sqrt(uu);
  var vv = 0.0;
  for (var j = 0; j < uniforms.rowSize; j++) {
    let k = base + j;
    let v = apgdL2MomentumOffset(xCur[k], xPrev[k], x0[k], grad[k], gradNorm, eta, stepNorm);
    vv = vv + v * v;
  }
  result[3 * row] = gradNorm;
  result[3 * row + 1] = stepNorm;
  result[3 * row + 2] = sqrt(vv);
}
