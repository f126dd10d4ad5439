// result[o] = sum_k X[o * outStride + k * elemStride], k in 0..length-1, added in exactly the order of
// tfjs-backend-webgpu's ReduceProgram (one workgroup of W per output): lane t sums k = t, t + W, ... from
// 0.0, then the lanes are halved as tfjs does (size -> ceil(size / 2), v[i] += v[i + ceil(size / 2)]).
// One invocation per output replays that order, so the sums are bit-identical to tfjs's. W (64, 256 or
// 512, as tfjs picks it from length) is a const the runner prepends.
fn compute(index : i32) {
  let len = uniforms.length;
  let base = index * uniforms.outStride;
  var v : array<f32, W>;
  let n = min(len, W);
  for (var t = 0; t < n; t++) {
    var acc = 0.0;
    for (var k = t; k < len; k += W) {
      acc = acc + X[base + k * uniforms.elemStride];
    }
    v[t] = acc;
  }
  var size = n;
  while (size > 1) {
    let current = size / 2;
    let interval = (size + 1) / 2;
    for (var i = 0; i < current; i++) {
      v[i] = v[i] + v[i + interval];
    }
    size = interval;
  }
  result[index] = select(0.0, v[0], n > 0);
}
