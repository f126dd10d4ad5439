// Batch normalisation over the last axis (channel c = i mod C), tfjs-webgpu's formula and order:
//   inv = scale[c] * inverseSqrt(variance[c] + eps),  y = dot((x, -mean[c], offset[c]), (inv, inv, 1))
// (so that the values are the stock kernel's); scale 1 and offset 0 where the op has none.
fn element(i : i32) -> F {
  let c = i % uniforms.channels;
  let inv = scale[c] * inverseSqrt(variance[c] + uniforms.varianceEpsilon);
  return dot(vec3<f32>(x[i], -mean[c], offset[c]), vec3<f32>(inv, inv, 1.0));
}
