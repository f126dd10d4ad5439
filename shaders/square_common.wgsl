// Helpers of the Square attack's kernels (src/kernels/webgpu/square_kernels.ts puts this file after tfjs's
// bindings and uniforms, before the kernel's own file). Images are NHWC, flat: element
// ((row h + y) w + x) c + ch; `rowIds` holds each row's point id (its position in the batch), so a
// point's draws do not depend on the rows beside it. Draws: h = pcg(pcg(counter) ^ key), key per
// iteration from the seed (hashed on the CPU); pcg is PCG-RXS-M-XS (Jarzynski and Olano, JCGT 2020).
// A query's draws of point n: counter n (5 + c) + j, j = 0 row, 1 column, 2 and 3 the second window's
// row and column, 4 transposition, 5 + ch the sign of channel ch. An integer below m: ((h >> 16) m) >> 16.

const TINY : f32 = 1e-12;

fn pcg(v : u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

fn squareDraw(key : u32, counter : u32) -> u32 {
  return pcg(pcg(counter) ^ key);
}

fn pickBelow(h : u32, m : i32) -> i32 {
  return i32(((h >> 16u) * u32(m)) >> 16u);
}

fn signOf(h : u32) -> f32 {
  return select(-1.0, 1.0, (h >> 31u) == 1u);
}

fn isNanScalar(v : f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

fn clampKeepNaN(v : f32, lo : f32, hi : f32) -> f32 {
  return select(clamp(v, lo, hi), v, isNanScalar(v));
}
