// ApgdUpdate's first pass: the best-loss point and its gradient, r the element's example (row):
//   xBestOut    = loss[r] > lossBest[r] ? next : xBest
//   gradBestOut = loss[r] > lossBest[r] ? grad : gradBest
// A NaN loss never improves (as tf.greater); values are copied bit for bit. (Two passes, not one: the
// misclassified point too would need 11 storage buffers, over WebGPU's default limit of 8 per stage.)

fn compute(i : i32) {
  let row = (i * WIDTH) / uniforms.rowSize;
  let improved = f32(loss[row]) > f32(lossBest[row]);
  xBestOut[i] = select(xBest[i], next[i], improved);
  gradBestOut[i] = select(gradBest[i], grad[i], improved);
}
