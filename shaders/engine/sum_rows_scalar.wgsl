// out[chunk, j] = sum_{r in chunk} in[r, j]: rows split into chunks of rowsPerChunk, one column per
// invocation (any column count; sum_rows.wgsl is its vec4 form). Used twice for a full column sum.
fn compute(index : i32) {
  let chunk = index / uniforms.columns;
  let j = index - chunk * uniforms.columns;
  let first = chunk * uniforms.rowsPerChunk;
  let last = min(first + uniforms.rowsPerChunk, uniforms.rows);
  var acc = 0.0;
  var i = first * uniforms.columns + j;
  for (var r = first; r < last; r++) {
    acc += X[i];
    i += uniforms.columns;
  }
  result[index] = acc;
}
