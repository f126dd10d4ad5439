// FAB (Croce and Hein 2020): one coordinate of the projection of a point t onto the hyperplane
// {z : w.z = b} within the box [0, 1], the row turned by sigma = sign(w.t - b) so that wv = sigma w points
// away from the plane. Moving towards the plane, coordinate i can go p_i before it meets the box, and its
// move at radius lambda is d_i = dir_i min(lambda, p_i), which changes w.z by -q_i min(lambda, p_i):
//   L-inf: q_i = |w_i|,  p_i = t_i (wv_i > 0) or 1 - t_i (wv_i < 0),   dir_i = -sign(wv_i);  w_i = 0 stays;
//   L2:    q_i = w_i^2,  p_i = t_i / |w_i| or (1 - t_i) / |w_i|,       d_i = -wv_i min(lambda, p_i);  |w_i| <= 1e-8 stays.
// Needs the constant IS_L2 (the norm, a set-up-time choice).

fn fabIsNan(v : f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

struct FabCoord {
  q : f32,
  p : f32,
}

fn fabCoord(t : f32, wv : f32) -> FabCoord {
  var c : FabCoord;
  if (IS_L2) {
    let m = abs(wv);
    let keep = m > 1e-8;
    c.q = select(0.0, wv * wv, keep);
    c.p = select(0.0, select((1.0 - t) / m, t / m, wv > 0.0), keep);
  } else {
    c.q = abs(wv);
    c.p = select(t, 1.0 - t, wv < 0.0);
  }
  return c;
}

// d_i of coordinate (t, w) in a row of radius lambda and side sigma.
fn fabMove(t : f32, w : f32, lambda : f32, sigma : f32) -> f32 {
  let wv = w * sigma;
  if (IS_L2) {
    let m = abs(wv);
    let p = select((1.0 - t) / m, t / m, wv > 0.0);
    return select(0.0, -wv * min(lambda, p), m > 1e-8);
  }
  let p = select(t, 1.0 - t, wv < 0.0);
  let m = min(lambda, p);
  return select(select(-m, m, wv < 0.0), 0.0, wv == 0.0);
}
