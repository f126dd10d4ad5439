// RandomStart: out = clamp(x + u, clipMin, clipMax), u = (2 r - 1) * epsilon, r = (h >> 8) * 2^-24 in [0, 1),
// h = pcg(pcg(counter) ^ key), counter = the element's flat index, key = pcg(seed) (hashed once, on the CPU).
// pcg (shaders/pcg.wgsl, prepended) is the PCG-RXS-M-XS 32-bit hash.

fn element(i : i32) -> F {
  let counter = U(u32(i) * LANES) + LANE_OFFSETS;
  let h = pcg(pcg(counter) ^ U(uniforms.key));
  let r = F(h >> U(8u)) * 0x1p-24f;
  let u = (2.0 * r - 1.0) * uniforms.epsilon;
  return clampKeepNaN(x[i] + u, uniforms.clipMin, uniforms.clipMax);
}
