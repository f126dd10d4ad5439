// SquareLinfInit: out = clamp(x0 + eps * sign, clipMin, clipMax), one sign per point, column and channel
// (vertical stripes): counter (n w + x) c + ch under the initialisation's key.
fn compute(i : i32) {
  let p = pixelOf(i);
  let id = u32(rowIds[p.row]);
  let counter = (id * u32(uniforms.width) + u32(p.x)) * u32(uniforms.channels) + u32(p.ch);
  let sgn = signOf(squareDraw(uniforms.key, counter));
  result[i] = clampKeepNaN(x0[i] + uniforms.epsilon * sgn, uniforms.clipMin, uniforms.clipMax);
}
