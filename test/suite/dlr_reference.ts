// Float64 references of the DLR losses and their gradients: the tests' oracle (not shipped in the package),
// written apart from the CPU backend's kernels (kernels/cpu/linf.ts, l2.ts), which round as the WebGPU
// kernels do. Per row of `classes` logits z, with pi the classes sorted by z descending (ties to the lower
// index) and y, t the first index of the largest entry of the row's label and target:
//   DLR          = -(z_y - max_{i != y} z_i) / (z_pi1 - z_pi3 + 1e-12)
//   targeted DLR = -(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2 + 1e-12)
// The gradients are the subgradients the kernels take at ties (through the indices above), times dy[r].
// A row holding a NaN logit gives NaN throughout.

/** The row's classes sorted by logit, descending, ties to the lower index. */
function order(z: ArrayLike<number>, base: number, classes: number): number[] {
  return Array.from({ length: classes }, (_, c) => c).sort((a, b) => z[base + b] - z[base + a] || a - b);
}

function firstArgMax(v: ArrayLike<number>, base: number, classes: number): number {
  let best = 0;
  for (let c = 1; c < classes; c++) if (v[base + c] > v[base + best]) best = c;
  return best;
}

function hasNaN(z: ArrayLike<number>, base: number, classes: number): boolean {
  for (let c = 0; c < classes; c++) if (Number.isNaN(z[base + c])) return true;
  return false;
}

/** One row's loss terms: numerator -(margin), denominator spread, and each index's weight in either. */
interface DlrTerms {
  margin: number;
  spread: number;
  /** d margin / d z_c for the classes in it. */
  marginWeights: [number, number][];
  /** d spread / d z_c for the classes in it. */
  spreadWeights: [number, number][];
}

function untargetedTerms(z: ArrayLike<number>, labels: ArrayLike<number>, base: number, classes: number): DlrTerms {
  const pi = order(z, base, classes);
  const y = firstArgMax(labels, base, classes);
  const other = pi[0] === y ? pi[1] : pi[0];
  return {
    margin: z[base + y] - z[base + other],
    spread: z[base + pi[0]] - z[base + pi[2]] + 1e-12,
    marginWeights: [[y, 1], [other, -1]],
    spreadWeights: [[pi[0], 1], [pi[2], -1]],
  };
}

function targetedTerms(z: ArrayLike<number>, labels: ArrayLike<number>, targets: ArrayLike<number>, base: number, classes: number): DlrTerms {
  const pi = order(z, base, classes);
  const y = firstArgMax(labels, base, classes);
  const t = firstArgMax(targets, base, classes);
  return {
    margin: z[base + y] - z[base + t],
    spread: z[base + pi[0]] - (z[base + pi[2]] + z[base + pi[3]]) / 2 + 1e-12,
    marginWeights: [[y, 1], [t, -1]],
    spreadWeights: [[pi[0], 1], [pi[2], -0.5], [pi[3], -0.5]],
  };
}

type Terms = (base: number) => DlrTerms;

function lossOf(z: ArrayLike<number>, rows: number, classes: number, terms: Terms): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    if (hasNaN(z, base, classes)) out[r] = NaN;
    else {
      const d = terms(base);
      out[r] = -d.margin / d.spread;
    }
  }
  return out;
}

/** d(-m / s) = -dm / s + m ds / s^2, times dy[r]. */
function gradOf(z: ArrayLike<number>, dy: ArrayLike<number>, rows: number, classes: number, terms: Terms): Float64Array {
  const out = new Float64Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    if (hasNaN(z, base, classes)) {
      out.fill(NaN, base, base + classes);
      continue;
    }
    const d = terms(base);
    for (const [c, w] of d.marginWeights) out[base + c] += (-dy[r] * w) / d.spread;
    for (const [c, w] of d.spreadWeights) out[base + c] += (dy[r] * d.margin * w) / (d.spread * d.spread);
  }
  return out;
}

/** The DLR loss per row in float64. */
export const dlrLoss64 = (z: ArrayLike<number>, labels: ArrayLike<number>, rows: number, classes: number): Float64Array =>
  lossOf(z, rows, classes, (base) => untargetedTerms(z, labels, base, classes));

/** d DLR[r] / d z[r, :] times dy[r], in float64. */
export const dlrLossGrad64 = (z: ArrayLike<number>, labels: ArrayLike<number>, dy: ArrayLike<number>, rows: number, classes: number): Float64Array =>
  gradOf(z, dy, rows, classes, (base) => untargetedTerms(z, labels, base, classes));

/** The targeted DLR loss per row in float64 (classes >= 4). */
export const dlrTargetedLoss64 = (z: ArrayLike<number>, labels: ArrayLike<number>, targets: ArrayLike<number>, rows: number, classes: number): Float64Array =>
  lossOf(z, rows, classes, (base) => targetedTerms(z, labels, targets, base, classes));

/** d targeted-DLR[r] / d z[r, :] times dy[r], in float64. */
export const dlrTargetedLossGrad64 = (z: ArrayLike<number>, labels: ArrayLike<number>, targets: ArrayLike<number>, dy: ArrayLike<number>, rows: number, classes: number): Float64Array =>
  gradOf(z, dy, rows, classes, (base) => targetedTerms(z, labels, targets, base, classes));
