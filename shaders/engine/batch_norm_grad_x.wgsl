// The input gradient of a batch normalisation: dx = (dy * r[c]) * s[c], r = rsqrt(variance + eps) and s the
// scale per channel c (the last axis: element i's channel is i mod C), multiplied in tfjs's order (its
// gradient multiplies dy by the tiled r, then by the scale), so the values are tfjs's; one pass over dy.
fn element(i : i32) -> F {
  let c = i % uniforms.channels;
  return (dy[i] * r[c]) * s[c];
}
