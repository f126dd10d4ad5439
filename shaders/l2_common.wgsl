// Helpers of the L2 kernels (PgdStepL2, ApgdStepL2, RandomStartL2), shared by their row passes (F = f32,
// one invocation sums one example's row) and their element passes (F = f32 or vec4<f32>), so that both
// compute the same offsets with the same roundings. After elementwise_common.wgsl (and pcg.wgsl).
// A row's norm ||v|| is sqrt of the float32 sum of v_j * v_j in element order.

const TINY : f32 = 1e-12;

fn isNanOne(v : f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

fn isInfOne(v : f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) == 0x7f800000u;
}

// A gradient element's term of the squared norm: NaN counts as 0.
fn gradSquare(g : f32) -> f32 {
  return select(g * g, 0.0, isNanOne(g));
}

// g / (||g|| + 1e-12): the step direction. 0 where g is NaN, and on a row whose squared norm overflowed.
fn l2Direction(g : F, gradNorm : f32) -> F {
  let unit = g / F(gradNorm + TINY);
  return select(unit, F(0.0), isNanF(g) | B(isInfOne(gradNorm)));
}

// The factor that brings an offset of norm n into the ball of radius epsilon: epsilon / n beyond it, else 1.
fn l2Scale(n : f32) -> f32 {
  return select(1.0, uniforms.epsilon / n, n > uniforms.epsilon);
}

// x0 + d * l2Scale(||d||), clamped to the box (the projection onto the ball, then the box).
fn l2Project(origin : F, offset : F, offsetNorm : f32) -> F {
  return clampKeepNaN(origin + offset * l2Scale(offsetNorm), uniforms.clipMin, uniforms.clipMax);
}
