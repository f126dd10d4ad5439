// The one helper for generated WGSL: what a kernel's body from shaders/ shares with others is written once
// and spliced in front of it here — the element type of a width (`F`, `U`, `B`, `LANES`, `LANE_OFFSETS`),
// set-up-time constants, and shared snippets (shaders/*_common.wgsl, shaders/engine/*_common.wgsl, or WGSL a
// runner generates). Everything spliced in is a set-up-time choice: it belongs in the spec's variant too.
import type { Width } from './flags';

/** What goes in front of a kernel's body, in this order. */
export interface WgslPrelude {
  /** The element type: `F` is f32 (1) or vec4<f32> (4), `U`/`B` its u32/bool twins, `LANES` the width. */
  width?: Width;
  /** `const NAME = value;` lines (booleans and numbers as WGSL writes them: `true`, `4`, `0.5`). */
  constants?: Record<string, number | boolean>;
  /** Shared snippets, each a WGSL text (an imported shaders/ file or generated functions), in order. */
  include?: string[];
}

/** The aliases of the element type at `width` (shaders/elementwise_common.wgsl expects all of them). */
export function widthAliases(width: Width): string {
  const vector = width === 4;
  return [
    `alias F = ${vector ? 'vec4<f32>' : 'f32'};`,
    `alias U = ${vector ? 'vec4<u32>' : 'u32'};`,
    `alias B = ${vector ? 'vec4<bool>' : 'bool'};`,
    `const LANES : u32 = ${width}u;`,
    `const LANE_OFFSETS : U = ${vector ? 'U(0u, 1u, 2u, 3u)' : 'U(0u)'};`,
  ].join('\n');
}

/**
 * A kernel's WGSL: the width aliases, the constants, the shared snippets, then the `body` parts, one
 * per line (no body: the prelude alone).
 *
 * @example
 * // nhwcWgsl, padWgsl: shaders/engine/nhwc_common.wgsl and pad.wgsl, imported as text
 * const body = wgslWith({ width: 4, include: [nhwcWgsl] }, padWgsl); // variant: ['vec4']
 * wgslWith({ constants: { WRT_P: true } }, gradWgsl); // 'const WRT_P = true;\n' + gradWgsl
 */
export function wgslWith(prelude: WgslPrelude, ...body: string[]): string {
  const constants = Object.entries(prelude.constants ?? {}).map(([name, value]) => `const ${name} = ${String(value)};`);
  return [...(prelude.width === undefined ? [] : [widthAliases(prelude.width)]), ...constants, ...(prelude.include ?? []), ...body].join('\n');
}
