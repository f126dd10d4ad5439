// Constant padding (PadV2) of a tensor of rank <= 4, viewed as rank 4 (leading sizes 1):
//   y[c0, c1, c2, c3] = x[c0 - b0, c1 - b1, c2 - b2, c3 - b3] where every index lies in x, else value
// with b the pads before each axis. F is f32 or vec4<f32> (the last axis in vec4 when its size and both
// of its pads are multiples of 4); one output F per invocation.
fn compute(index : i32) {
  var rest = index;
  let c3 = rest % uniforms.outD3;
  rest = rest / uniforms.outD3;
  let c2 = rest % uniforms.outD2;
  rest = rest / uniforms.outD2;
  let c1 = rest % uniforms.outD1;
  let c0 = rest / uniforms.outD1;
  let x0 = c0 - uniforms.before0;
  let x1 = c1 - uniforms.before1;
  let x2 = c2 - uniforms.before2;
  let x3 = c3 - uniforms.before3;
  let inside = x0 >= 0 && x0 < uniforms.inD0 && x1 >= 0 && x1 < uniforms.inD1 && x2 >= 0 && x2 < uniforms.inD2 && x3 >= 0 && x3 < uniforms.inD3;
  if (inside) {
    result[index] = X[((x0 * uniforms.inD1 + x1) * uniforms.inD2 + x2) * uniforms.inD3 + x3];
  } else {
    result[index] = F(uniforms.value);
  }
}
