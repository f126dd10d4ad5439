// The one helper for WGSL that TypeScript unrolls (register tiles, filter taps: WGSL keeps no array in
// registers): a line template repeated over its index, the copies one per line.

/** `line(0)` .. `line(n - 1)`, joined by newlines. */
export const unroll = (n: number, line: (i: number) => string): string => Array.from({ length: n }, (_, i) => line(i)).join('\n');

/** `line(i, j)` over i < n, then j < m (j fastest), joined by newlines. */
export const unroll2 = (n: number, m: number, line: (i: number, j: number) => string): string => unroll(n, (i) => unroll(m, (j) => line(i, j)));
