// RandomStartL2's element pass (formula in random_start_l2.wgsl).

fn element(i : i32) -> F {
  let counter = U(u32(i) * LANES) + LANE_OFFSETS;
  let row = (i * i32(LANES)) / uniforms.rowSize;
  let t = l2Noise(counter);
  return clampKeepNaN(x[i] + uniforms.epsilon * (t / F(norms[row] + TINY)), uniforms.clipMin, uniforms.clipMax);
}
