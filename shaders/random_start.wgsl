// RandomStart: out = clamp(x + u, clipMin, clipMax), u = (2 r - 1) * epsilon, r = (h >> 8) * 2^-24 in [0, 1),
// h = pcg(pcg(counter) ^ key), counter = the element's flat index, key = pcg(seed) (hashed once, on the CPU).
// pcg is the PCG-RXS-M-XS 32-bit hash (Jarzynski and Olano, "Hash Functions for GPU Rendering", JCGT 2020).

fn pcg(v : U) -> U {
  let state = v * U(747796405u) + U(2891336453u);
  let word = ((state >> ((state >> U(28u)) + U(4u))) ^ state) * U(277803737u);
  return (word >> U(22u)) ^ word;
}

fn element(i : i32) -> F {
  let counter = U(u32(i) * LANES) + LANE_OFFSETS;
  let h = pcg(pcg(counter) ^ U(uniforms.key));
  let r = F(h >> U(8u)) * 0x1p-24f;
  let u = (2.0 * r - 1.0) * uniforms.epsilon;
  return clampKeepNaN(x[i] + u, uniforms.clipMin, uniforms.clipMax);
}
