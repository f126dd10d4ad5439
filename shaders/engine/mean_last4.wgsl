// Mean over the innermost axis when its size is a multiple of 4: x viewed as [outer, reduce4] of vec4,
//   y[o] = (sum over r < reduce4 of (x[o, r].x + .y + .z + .w)) / (4 * reduce4)
// summed as one vec4 accumulator, its four lanes added at the end; one output per invocation.
fn compute(index : i32) {
  var at = index * uniforms.reduce4;
  var acc = vec4<f32>(0.0);
  for (var r = 0; r < uniforms.reduce4; r++) {
    acc += X[at];
    at++;
  }
  result[index] = ((acc.x + acc.y) + (acc.z + acc.w)) / f32(4 * uniforms.reduce4);
}
