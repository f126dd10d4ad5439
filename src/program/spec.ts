// The one program description of every WGSL kernel here (attack kernels, engine kernels, the data set's
// gather): kernel name, set-up-time variant (with the name, the pipeline key), the body, the bindings,
// the invocations, workgroup size and uniforms. The helpers every runner shares: the flat view, the
// uniform encoder, and the one bounds guard.
import type { TensorInfo } from '@tensorflow/tfjs-core';

/** Components per binding: 1 (`f32` or `i32`) or 4 (`vec4<f32>`). */
export type Components = 1 | 4;

/** A uniform field after the bounds guard's `invocations`: name, WGSL type, value. */
export interface UniformValue {
  name: string;
  type: 'i32' | 'f32' | 'u32';
  value: number;
}

export interface ProgramSpec {
  /** Labels the pipeline and starts its key. */
  kernelName: string;
  /** Set-up-time choices that change the WGSL (variant, widths, epilogue, binding types): the rest of the key. */
  variant: string[];
  /** WGSL: defines `fn compute(index : i32)`, which runs behind the bounds guard. */
  body: string;
  /** Input bindings, in order after the outputs. */
  inputs: string[];
  /** Components per input binding. */
  inputComponents: Components[];
  /**
   * Output bindings. Absent: one, `result`; tfjs-backend-webgpu writes the module and records the
   * dispatch. Named (one or several): the multi-output runner writes the module (input types from `inputTypes`).
   */
  outputs?: string[];
  /** Components of every output binding. */
  outputComponent: Components;
  /** Named outputs only: inputs whose buffers hold i32 (bound as `array<i32>`; default f32). */
  inputTypes?: Record<string, 'f32' | 'i32'>;
  /**
   * The body uses subgroup operations (subgroups.ts: only where subgroupsOfFour holds; invocations a
   * multiple of 4, so that the bounds guard passes or stops whole subgroups): the module starts with
   * SUBGROUP_DIRECTIVES.
   */
  subgroups?: boolean;
  /** Invocations to run; the bounds guard returns at once for the rest of the last workgroup. */
  invocations: number;
  workgroupSize: number;
  uniforms: UniformValue[];
}

export const i32u = (name: string, value: number): UniformValue => ({ name, type: 'i32', value });
export const f32u = (name: string, value: number): UniformValue => ({ name, type: 'f32', value });
export const u32u = (name: string, value: number): UniformValue => ({ name, type: 'u32', value });

/** The pipeline key: kernel name and variant (tfjs appends ranks, all 1, and dtypes on its path). */
export const programKey = (spec: ProgramSpec): string => [spec.kernelName, ...spec.variant].join('_');

/** The uniforms' WGSL fields: `invocations` (the bounds guard's) first, then the spec's. */
export const uniformFields = (spec: ProgramSpec): string =>
  ['invocations : i32,', ...spec.uniforms.map((u) => `${u.name} : ${u.type},`)].join(' ');

/** The uniform encoder: tfjs's uniform data for `invocations` and the spec's fields, in that order. */
export function uniformData(spec: ProgramSpec): { type: string; data: number[] }[] {
  return [
    { type: 'int32', data: [spec.invocations] },
    ...spec.uniforms.map((u) => ({ type: u.type === 'f32' ? 'float32' : u.type === 'u32' ? 'uint32' : 'int32', data: [u.value] })),
  ];
}

/** The one bounds guard, the body of each runner's `main` once it has the flat `index`. */
export const GUARDED_COMPUTE = `  if (index >= uniforms.invocations) { return; }
  compute(index);`;

export const sizeOf = (t: { shape: number[] }): number => t.shape.reduce((a, b) => a * b, 1);

/** A rank-1 view of `t` (no copy): shapes never enter a pipeline key. */
export const flatView = (t: TensorInfo): TensorInfo => ({ dataId: t.dataId, shape: [sizeOf(t)], dtype: t.dtype });
