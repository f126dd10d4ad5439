// Slice of a tensor of rank <= 4, viewed as rank 4 (leading sizes 1):
//   y[c0, c1, c2, c3] = x[c0 + b0, c1 + b1, c2 + b2, c3 + b3]
// with b the slice's begin. F is f32 or vec4<f32> (the last axis in vec4 when its size in x, in y and
// its begin are multiples of 4); one output F per invocation.
// nhwc() splits the output index into (c0, c1, c2, c3) (nhwc_common.wgsl, spliced in front by the runner).
fn compute(index : i32) {
  let o = nhwc(index, uniforms.outD1, uniforms.outD2, uniforms.outD3);
  result[index] = X[(((o.b + uniforms.begin0) * uniforms.inD1 + o.y + uniforms.begin1) * uniforms.inD2 + o.x + uniforms.begin2) * uniforms.inD3 + o.d + uniforms.begin3];
}
