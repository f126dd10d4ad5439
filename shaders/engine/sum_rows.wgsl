// out[chunk, j] = (sum_{r in chunk} in[r, j]) / divisor: rows split into chunks of rowsPerChunk, columns
// read as vec4. Used twice for a full column sum: many chunks in parallel, then one chunk over the partial
// sums (divisor 1, exact, except in a mean's last pass: the row count).
fn compute(index : i32) {
  let chunk = index / uniforms.columns4;
  let j = index - chunk * uniforms.columns4;
  let first = chunk * uniforms.rowsPerChunk;
  let last = min(first + uniforms.rowsPerChunk, uniforms.rows);
  var acc = vec4<f32>(0.0);
  var i = first * uniforms.columns4 + j;
  for (var r = first; r < last; r++) {
    acc += X[i];
    i += uniforms.columns4;
  }
  result[index] = acc / uniforms.divisor;
}
