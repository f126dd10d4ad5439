// RandomStartL2 (the reference's L2 start): out = clamp(x + epsilon * t / (||t|| + 1e-12), clipMin, clipMax),
// t a row of near-normal noise: t = (a + b + c + d) * 2^-16 - 2, with a, b the 16-bit halves of
// pcg(pcg(2 k) ^ key) and c, d those of pcg(pcg(2 k + 1) ^ key), k the element's flat index, key = pcg(seed)
// (a sum of four uniforms, exact in float32, so every runtime draws the same bits). ||t|| per example comes
// from the row pass; t / ||t|| is uniform on the sphere up to the noise's departure from a normal.

fn l2Noise(counter : U) -> F {
  let h1 = pcg(pcg(counter * U(2u)) ^ U(uniforms.key));
  let h2 = pcg(pcg(counter * U(2u) + U(1u)) ^ U(uniforms.key));
  let sum = F(h1 & U(0xffffu)) + F(h1 >> U(16u)) + F(h2 & U(0xffffu)) + F(h2 >> U(16u));
  return sum * 0x1p-16f - 2.0;
}
