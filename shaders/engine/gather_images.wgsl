// x[b, p] = bytes[indices[b] * pixels + p] * (1 / 255): images stored as bytes, four to an i32 word
// (little-endian), any pixel count. Indices outside [0, count) are clamped.
fn byteAt(word : u32, lane : u32) -> f32 {
  return f32((word >> (8u * lane)) & 0xffu) * (1.0 / 255.0);
}

fn compute(index : i32) {
  let b = index / uniforms.pixels;
  let p = index - b * uniforms.pixels;
  let image = clamp(indices[b], 0, uniforms.count - 1);
  let byteIndex = image * uniforms.pixels + p;
  result[index] = byteAt(bitcast<u32>(packed[byteIndex / 4]), u32(byteIndex % 4));
}
