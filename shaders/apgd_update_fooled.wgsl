// ApgdUpdate's second pass: the misclassified point found, r the element's example (row):
//   xFooledOut = wrong[r] != 0 ? next : xFooled   (values copied bit for bit).

fn compute(i : i32) {
  let row = (i * WIDTH) / uniforms.rowSize;
  xFooledOut[i] = select(xFooled[i], next[i], f32(wrong[row]) != 0.0);
}
