// RandomStartL2's row pass: norms[r] = ||t_r||, one invocation per example (t as in random_start_l2.wgsl).

fn compute(row : i32) {
  let base = row * uniforms.rowSize;
  var tt = 0.0;
  for (var j = 0; j < uniforms.rowSize; j++) {
    let t = l2Noise(u32(base + j));
    tt = tt + t * t;
  }
  result[row] = sqrt(tt);
}
