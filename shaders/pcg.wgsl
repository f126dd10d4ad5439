// The PCG-RXS-M-XS 32-bit hash (Jarzynski and Olano, "Hash Functions for GPU Rendering", JCGT 2020), at the
// width U of the program (u32 or vec4<u32>): the counter-based generator of the random starts.
fn pcg(v : U) -> U {
  let state = v * U(747796405u) + U(2891336453u);
  let word = ((state >> ((state >> U(28u)) + U(4u))) ^ state) * U(277803737u);
  return (word >> U(22u)) ^ word;
}
