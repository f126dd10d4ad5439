// Constant padding (PadV2) of a tensor of rank <= 4, viewed as rank 4 (leading sizes 1):
//   y[c0, c1, c2, c3] = x[c0 - b0, c1 - b1, c2 - b2, c3 - b3] where every index lies in x, else value
// with b the pads before each axis. F is f32 or vec4<f32> (the last axis in vec4 when its size and both
// of its pads are multiples of 4); one output F per invocation.
// nhwc() splits the output index into (c0, c1, c2, c3) (nhwc_common.wgsl, spliced in front by the runner).
fn compute(index : i32) {
  let o = nhwc(index, uniforms.outD1, uniforms.outD2, uniforms.outD3);
  let x0 = o.b - uniforms.before0;
  let x1 = o.y - uniforms.before1;
  let x2 = o.x - uniforms.before2;
  let x3 = o.d - uniforms.before3;
  let inside = x0 >= 0 && x0 < uniforms.inD0 && x1 >= 0 && x1 < uniforms.inD1 && x2 >= 0 && x2 < uniforms.inD2 && x3 >= 0 && x3 < uniforms.inD3;
  if (inside) {
    result[index] = X[((x0 * uniforms.inD1 + x1) * uniforms.inD2 + x2) * uniforms.inD3 + x3];
  } else {
    result[index] = F(uniforms.value);
  }
}
