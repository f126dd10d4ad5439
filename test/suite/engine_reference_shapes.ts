// Plain-TypeScript float64 references of the engine's Mean (and its gradient), PadV2, Slice, Sum and the
// broadcast of Add and Multiply: the tests' oracle (not shipped in the package), on flat row-major arrays.

type Values = ArrayLike<number>;

const strides = (shape: number[]): number[] => {
  const out = new Array(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) out[d] = out[d + 1] * shape[d + 1];
  return out;
};
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** The coordinates of flat index i in `shape`. */
function coordsOf(i: number, shape: number[]): number[] {
  const c = new Array(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    c[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return c;
}

/** Mean of x over `axes` (kept axes in order), and the sum of |x| over them divided alike (the error scale). */
export function meanReference(x: Values, shape: number[], axes: number[]): { values: Float64Array; scale: Float64Array } {
  const kept = shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const n = axes.reduce((p, a) => p * shape[a], 1);
  const values = new Float64Array(size(kept.map((d) => shape[d])));
  const scale = new Float64Array(values.length);
  for (let i = 0; i < x.length; i++) {
    const c = coordsOf(i, shape);
    let o = 0;
    for (const d of kept) o = o * shape[d] + c[d];
    values[o] += x[i] / n;
    scale[o] += Math.abs(x[i]) / n;
  }
  return { values, scale };
}

/** dx of the mean of x over `axes`: dy (in the kept axes' layout) / n at every element of x. */
export function meanGradReference(dy: Values, shape: number[], axes: number[]): Float64Array {
  const kept = shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const n = axes.reduce((p, a) => p * shape[a], 1);
  return Float64Array.from({ length: size(shape) }, (_, i) => {
    const c = coordsOf(i, shape);
    let o = 0;
    for (const d of kept) o = o * shape[d] + c[d];
    return dy[o] / n;
  });
}

/** y = pad(x, paddings, value): y at x's coordinates plus the pads before, `value` elsewhere. */
export function padReference(x: Values, shape: number[], paddings: [number, number][], value: number): Float64Array {
  const outShape = shape.map((d, i) => paddings[i][0] + d + paddings[i][1]);
  const out = new Float64Array(size(outShape)).fill(value);
  const os = strides(outShape);
  for (let i = 0; i < x.length; i++) {
    const c = coordsOf(i, shape);
    out[c.reduce((p, v, d) => p + (v + paddings[d][0]) * os[d], 0)] = x[i];
  }
  return out;
}

/** y = x[begin : begin + size]. */
export function sliceReference(x: Values, shape: number[], begin: number[], outShape: number[]): Float64Array {
  const is = strides(shape);
  return Float64Array.from({ length: size(outShape) }, (_, i) => x[coordsOf(i, outShape).reduce((p, v, d) => p + (v + begin[d]) * is[d], 0)]);
}

/** numpy-style broadcast of `b` (shape bShape) to outShape: the index into b for flat index i. */
export function broadcastIndex(i: number, outShape: number[], bShape: number[]): number {
  let index = 0;
  let stride = 1;
  let rest = i;
  const offset = outShape.length - bShape.length;
  const coords = new Array(outShape.length);
  for (let d = outShape.length - 1; d >= 0; d--) {
    coords[d] = rest % outShape[d];
    rest = Math.floor(rest / outShape[d]);
  }
  for (let d = bShape.length - 1; d >= 0; d--) {
    index += (bShape[d] === 1 ? 0 : coords[d + offset]) * stride;
    stride *= bShape[d];
  }
  return index;
}

/** Sums of x (shape `shape`) over `axes`, the kept axes in order. */
export function sumOverAxes(x: ArrayLike<number>, shape: number[], axes: number[]): Float64Array {
  const kept = shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const out = new Float64Array(size(kept.map((d) => shape[d])));
  for (let i = 0; i < x.length; i++) {
    let rest = i;
    const coords = new Array(shape.length);
    for (let d = shape.length - 1; d >= 0; d--) {
      coords[d] = rest % shape[d];
      rest = Math.floor(rest / shape[d]);
    }
    let o = 0;
    for (const d of kept) o = o * shape[d] + coords[d];
    out[o] += x[i];
  }
  return out;
}
