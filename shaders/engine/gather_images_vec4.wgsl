// x[b, p..p+3] = bytes[indices[b] * pixels + p..p+3] * (1 / 255): images stored as bytes, four to an i32
// word (little-endian); pixels % 4 == 0, so one word gives four pixels. Indices outside [0, count) are clamped.
fn byteAt(word : u32, lane : u32) -> f32 {
  return f32((word >> (8u * lane)) & 0xffu) * (1.0 / 255.0);
}

fn compute(index : i32) {
  let words = uniforms.pixels / 4;
  let b = index / words;
  let q = index - b * words;
  let image = clamp(indices[b], 0, uniforms.count - 1);
  let word = bitcast<u32>(packed[image * words + q]);
  result[index] = vec4<f32>(byteAt(word, 0u), byteAt(word, 1u), byteAt(word, 2u), byteAt(word, 3u));
}
