// Copy: out = x. The bandwidth ceiling the benchmark compares the attack kernels with.

fn element(i : i32) -> F {
  return x[i];
}
