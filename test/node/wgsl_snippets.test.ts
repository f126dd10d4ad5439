// The one WGSL splicing helper (src/program/wgsl.ts: the text it builds) and the shared snippets it splices
// (shaders/engine/nhwc_common.wgsl) on real WebGPU through Dawn, against their references.
import { beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { hoistDirectives } from '../../src/program/subgroups';
import { widthAliases, wgslWith } from '../../src/program/wgsl';
import { withGpuErrorScope } from '../suite/kernel_suite';
import { firstTapCases, firstTapReference, nhwcCases, nhwcReference, runFirstTapCase, runNhwcCase } from '../suite/wgsl_snippet_suite';

const textCases: { name: string; got: () => string; want: string }[] = [
  { name: 'body alone', got: () => wgslWith({}, 'fn compute(i : i32) {}'), want: 'fn compute(i : i32) {}' },
  { name: 'prelude alone', got: () => wgslWith({ include: ['fn a() {}'] }), want: 'fn a() {}' },
  { name: 'constants, booleans and numbers', got: () => wgslWith({ constants: { IS_L2: true, W: 4, HALF: 0.5 } }, 'B'), want: 'const IS_L2 = true;\nconst W = 4;\nconst HALF = 0.5;\nB' },
  { name: 'order: width, constants, includes, body parts', got: () => wgslWith({ include: ['S1', 'S2'], constants: { K: 1 }, width: 1 }, 'B1', 'B2'), want: `${widthAliases(1)}\nconst K = 1;\nS1\nS2\nB1\nB2` },
  { name: 'width 1 aliases', got: () => widthAliases(1), want: 'alias F = f32;\nalias U = u32;\nalias B = bool;\nconst LANES : u32 = 1u;\nconst LANE_OFFSETS : U = U(0u);' },
  { name: 'width 4 aliases', got: () => widthAliases(4), want: 'alias F = vec4<f32>;\nalias U = vec4<u32>;\nalias B = vec4<bool>;\nconst LANES : u32 = 4u;\nconst LANE_OFFSETS : U = U(0u, 1u, 2u, 3u);' },
];

// The subgroup programs' directives, moved to the top of the module tfjs writes (program/subgroups.ts).
const hoistCases: { name: string; code: string; want: string }[] = [
  { name: 'no directive: unchanged', code: 'struct U { a : i32 };\nfn f() {}', want: 'struct U { a : i32 };\nfn f() {}' },
  { name: 'enable and diagnostic after the prologue', code: 'struct U { a : i32 };\nenable subgroups;\ndiagnostic(off, subgroup_uniformity);\nfn f() {}', want: 'enable subgroups;\ndiagnostic(off, subgroup_uniformity);\nstruct U { a : i32 };\n\n\nfn f() {}' },
  { name: 'a directive twice: once', code: 'A\n  enable subgroups;\nB\nenable subgroups;', want: 'enable subgroups;\nA\n\nB\n' },
  { name: 'text that only mentions one stays', code: '// enable subgroups; in a comment\nlet x = 1;', want: '// enable subgroups; in a comment\nlet x = 1;' },
];

describe('hoistDirectives moves the directives to the top', () => {
  for (const c of hoistCases) test(c.name, () => expect(hoistDirectives(c.code)).toBe(c.want));
});

describe('wgslWith builds the text', () => {
  for (const c of textCases) test(c.name, () => expect(c.got()).toBe(c.want));
});

describe('shared snippets on Dawn', () => {
  beforeAll(async () => {
    await lib.initWebGPU();
  });
  const device = (): GPUDevice => lib.currentWebGPU()!.device;
  for (const c of nhwcCases) {
    test(`nhwc: ${c.name}`, async () => {
      const { value, errors } = await withGpuErrorScope(device(), () => runNhwcCase(device(), c));
      expect(errors).toEqual([]);
      expect(value).toEqual(nhwcReference(c.dims));
    });
  }
  for (const c of firstTapCases) {
    test(`firstTap: ${c.name}`, async () => {
      const { value, errors } = await withGpuErrorScope(device(), () => runFirstTapCase(device(), c));
      expect(errors).toEqual([]);
      expect(value).toEqual(firstTapReference(c.queries));
    });
  }
});
