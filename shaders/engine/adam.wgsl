// One Adam step per element, as tfjs's AdamOptimizer computes it:
//   m' = beta1 m + (1 - beta1) g          v' = beta2 v + (1 - beta2) g^2   ((1 - beta) as tfjs rounds it to f32)
//   x' = x - lr (m' / c1) / (sqrt(v' / c2) + epsilon),   c1 = 1 - beta1^t, c2 = 1 - beta2^t
fn compute(i : i32) {
  let g = grad[i];
  let m = beta1Moment[i] * uniforms.beta1 + g * uniforms.oneMinusBeta1;
  let v = beta2Moment[i] * uniforms.beta2 + (g * g) * uniforms.oneMinusBeta2;
  let mHat = m / uniforms.biasCorrection1;
  let vHat = v / uniforms.biasCorrection2;
  newValue[i] = (mHat / (sqrt(vHat) + uniforms.epsilon)) * (-uniforms.learningRate) + value[i];
  newBeta1Moment[i] = m;
  newBeta2Moment[i] = v;
}
