// The gradient of a mean over a contiguous block of axes (x viewed as [outer, reduce, inner]):
//   dx[o, r, i] = dy[o, i] / reduce
// F is f32 or vec4<f32> (inner in vec4 when inner % 4 == 0); one dx F per invocation.
fn compute(index : i32) {
  let i = index % uniforms.inner;
  let o = index / (uniforms.reduce * uniforms.inner);
  result[index] = DY[o * uniforms.inner + i] / F(f32(uniforms.reduce));
}
