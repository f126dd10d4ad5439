// Helpers shared by the element-wise kernels. src/program/elementwise.ts puts this file after
// tfjs's bindings and uniforms and after the aliases F (f32 or vec4<f32>), U and B of the chosen width,
// and before the kernel's own file, which defines `fn element(i : i32) -> F`.

fn isNanF(v : F) -> B {
  return (bitcast<U>(v) & U(0x7fffffffu)) > U(0x7f800000u);
}

// sign(g), or 0 where g is NaN: a NaN gradient makes no step.
fn stepDirection(g : F) -> F {
  return select(sign(g), F(0.0), isNanF(g));
}

// clamp(v, lo, hi), NaN kept as NaN (as tfjs clipByValue does).
fn clampKeepNaN(v : F, lo : f32, hi : f32) -> F {
  return select(clamp(v, F(lo), F(hi)), v, isNanF(v));
}
