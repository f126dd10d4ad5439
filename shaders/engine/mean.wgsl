// Mean over a contiguous block of axes: x viewed as [outer, reduce, inner],
//   y[o, i] = (sum over r < reduce of x[o, r, i]) / reduce
// (NHWC global average pooling: outer = batch, reduce = h*w, inner = channels). F is f32 or vec4<f32>
// (inner in vec4 when inner % 4 == 0); one output F per invocation, the rows summed in order.
fn compute(index : i32) {
  let o = index / uniforms.inner;
  let i = index - o * uniforms.inner;
  var at = o * uniforms.reduce * uniforms.inner + i;
  var acc = F(0.0);
  for (var r = 0; r < uniforms.reduce; r++) {
    acc += X[at];
    at += uniforms.inner;
  }
  result[index] = acc / F(f32(uniforms.reduce));
}
