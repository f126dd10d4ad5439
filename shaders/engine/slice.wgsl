// Slice of a tensor of rank <= 4, viewed as rank 4 (leading sizes 1):
//   y[c0, c1, c2, c3] = x[c0 + b0, c1 + b1, c2 + b2, c3 + b3]
// with b the slice's begin. F is f32 or vec4<f32> (the last axis in vec4 when its size in x, in y and
// its begin are multiples of 4); one output F per invocation.
fn compute(index : i32) {
  var rest = index;
  let c3 = rest % uniforms.outD3;
  rest = rest / uniforms.outD3;
  let c2 = rest % uniforms.outD2;
  rest = rest / uniforms.outD2;
  let c1 = rest % uniforms.outD1;
  let c0 = rest / uniforms.outD1;
  result[index] = X[(((c0 + uniforms.begin0) * uniforms.inD1 + c1 + uniforms.begin1) * uniforms.inD2 + c2 + uniforms.begin2) * uniforms.inD3 + c3 + uniforms.begin3];
}
