// The one helper for WGSL that TypeScript unrolls (register tiles, filter taps: WGSL keeps no array in
// registers): a line template repeated over its index, the copies one per line.

/** `line(0)` .. `line(n - 1)`, joined by newlines. */
export const unroll = (n: number, line: (i: number) => string): string => Array.from({ length: n }, (_, i) => line(i)).join('\n');

/** `line(i, j)` over i < n, then j < m (j fastest), joined by newlines. */
export const unroll2 = (n: number, m: number, line: (i: number, j: number) => string): string => unroll(n, (i) => unroll(m, (j) => line(i, j)));

/**
 * WGSL that splits the flat invocation `index` into coordinates, the first fastest: each [name, extent]
 * but the last takes `rest % extent`; the last takes what remains.
 *
 * @example
 * splitIndex([['c', 'c4'], ['xt', 'uniforms.columnTiles'], ['b', '']]);
 * // var rest = index; let c = rest % c4; rest = rest / c4; let xt = ...; let b = rest;
 */
export function splitIndex(coordinates: [string, string][]): string {
  const lines = ['  var rest = index;'];
  coordinates.forEach(([name, extent], i) => {
    if (i === coordinates.length - 1) lines.push(`  let ${name} = rest;`);
    else lines.push(`  let ${name} = rest % ${extent};`, `  rest = rest / ${extent};`);
  });
  return lines.join('\n');
}
