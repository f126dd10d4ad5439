// FabHyperplane: per row of points t and normals w [rows, cols] and offsets b [rows], the parameters of the
// projection of t onto {z : w.z = b} within [0, 1] (fab_common.wgsl), one invocation per row, written as
// [lambda, sigma, norm of d, 0]. With g(lambda) = sum_i q_i min(lambda, p_i) (increasing, piecewise
// linear) and goal = sigma (w.t - b) >= 0, lambda solves g(lambda) = goal: found by bisection over the bits of
// lambda in [0, max p] (non-negative floats order as their bits) until no breakpoint p_i lies strictly
// inside the bracket, then exactly on that linear piece: lambda = (goal - sum_{p_i <= lo} q_i p_i) /
// sum_{p_i > lo} q_i. Out of reach (goal >= g(max p)): lambda = max p, the box corner nearest the plane.
// NaN anywhere in the row's t, w or b gives a NaN row.

// g(lambda) over the row.
fn reach(base : i32, sigma : f32, lambda : f32) -> f32 {
  var g = 0.0;
  for (var i = 0; i < uniforms.cols; i++) {
    let c = fabCoord(points[base + i], w[base + i] * sigma);
    g = g + c.q * min(lambda, c.p);
  }
  return g;
}

fn compute(row : i32) {
  let base = row * uniforms.cols;
  let offset = b[row];
  var nan = fabIsNan(offset);
  var dot = 0.0;
  for (var i = 0; i < uniforms.cols; i++) {
    let t = points[base + i];
    let wi = w[base + i];
    nan = nan || fabIsNan(t) || fabIsNan(wi);
    dot = dot + wi * t;
  }
  let side = dot - offset;
  let sigma = select(-1.0, 1.0, side >= 0.0);
  let goal = sigma * side;
  var pmax = 0.0;
  for (var i = 0; i < uniforms.cols; i++) {
    let c = fabCoord(points[base + i], w[base + i] * sigma);
    if (c.q > 0.0) { pmax = max(pmax, c.p); }
  }
  var lambda = pmax;
  if (!nan && goal < reach(base, sigma, pmax)) {
    var lo = 0u;
    var hi = bitcast<u32>(pmax);
    for (var it = 0; it < 40; it++) {
      if (hi - lo <= 1u) { break; }
      let loF = bitcast<f32>(lo);
      let hiF = bitcast<f32>(hi);
      let mid = lo + (hi - lo) / 2u;
      let midF = bitcast<f32>(mid);
      var g = 0.0;
      var inside = 0;
      for (var i = 0; i < uniforms.cols; i++) {
        let c = fabCoord(points[base + i], w[base + i] * sigma);
        g = g + c.q * min(midF, c.p);
        if (c.q > 0.0 && c.p > loF && c.p < hiF) { inside = inside + 1; }
      }
      if (inside == 0) { break; }
      if (g <= goal) { lo = mid; } else { hi = mid; }
    }
    let loF = bitcast<f32>(lo);
    var freeWeight = 0.0;
    var fixedReach = 0.0;
    for (var i = 0; i < uniforms.cols; i++) {
      let c = fabCoord(points[base + i], w[base + i] * sigma);
      if (c.p > loF) { freeWeight = freeWeight + c.q; } else { fixedReach = fixedReach + c.q * c.p; }
    }
    lambda = clamp((goal - fixedReach) / freeWeight, loF, bitcast<f32>(hi));
  }
  var norm = min(lambda, pmax);
  if (IS_L2) {
    var squares = 0.0;
    for (var i = 0; i < uniforms.cols; i++) {
      let c = fabCoord(points[base + i], w[base + i] * sigma);
      let m = min(lambda, c.p);
      squares = squares + c.q * m * m;
    }
    norm = sqrt(squares);
  }
  let slot = row * 4;
  result[slot] = select(lambda, uniforms.NAN, nan);
  result[slot + 1] = select(sigma, uniforms.NAN, nan);
  result[slot + 2] = select(norm, uniforms.NAN, nan);
  result[slot + 3] = 0.0;
}
