// SquareAccept (two outputs): a row still to fool (best margin > 0) takes the candidate when its margin
// is lower than the best or <= 0; xBestNext[i] = improved ? xNew[i] : xBest[i], and the row's first
// element writes marginBestNext[row] = improved ? margin : best.
fn compute(i : i32) {
  let row = i / uniforms.rowSize;
  let best = marginBest[row];
  let m = margin[row];
  let improved = best > 0.0 && (m < best || m <= 0.0);
  xBestNext[i] = select(xBest[i], xNew[i], improved);
  if (i % uniforms.rowSize == 0) {
    marginBestNext[row] = select(best, m, improved);
  }
}
