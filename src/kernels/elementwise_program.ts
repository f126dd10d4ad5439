// The program layer of the element-wise attack kernels: one WGSL body from shaders/, wrapped by one helper
// into a tfjs-backend-webgpu program (tfjs writes the bindings: output at 0, inputs 1..n, uniforms last).
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { env } from '@tensorflow/tfjs-core';
import commonWgsl from '../../shaders/elementwise_common.wgsl';

/** Scalar (one f32 per invocation) or vec4 (four per invocation): a set-up-time choice, part of the key. */
export type Width = 1 | 4;

/** A uniform field after tfjs's own ones (shapes, `size`): name, WGSL type and how tfjs writes it. */
export interface UniformField {
  name: string;
  type: 'f32' | 'u32' | 'i32';
}

/** Invocations per workgroup: 256 measured best on SwiftShader (bench/, interleaved runs; 64 and 4-per-invocation variants were slower). */
export const WORKGROUP_SIZE = 256;

/** tfjs flag: use the vec4 path where the element count allows it (tests turn it off to cover the scalar path). */
export const FLAG_VEC4 = 'ADVERSARIAL_VEC4';
/** tfjs flag: print each attack kernel's generated WGSL body when its pipeline is built. */
export const FLAG_PRINT_SHADER = 'ADVERSARIAL_PRINT_SHADER';

let flagsRegistered = false;
export function registerFlags(): void {
  if (flagsRegistered) return;
  flagsRegistered = true;
  const e = env();
  e.registerFlag(FLAG_VEC4, () => true);
  e.registerFlag(FLAG_PRINT_SHADER, () => false);
}

/** The width to run `size` elements at: vec4 when the count is a multiple of 4 and the flag allows it. */
export function chooseWidth(size: number): Width {
  registerFlags();
  return size % 4 === 0 && env().getBool(FLAG_VEC4) ? 4 : 1;
}

/**
 * Wraps a kernel body (which defines `fn element(i : i32) -> F`) into tfjs's `main`: the width aliases,
 * the shared helpers, the body, and the bounds guard.
 */
export function elementwiseShader(kernelBody: string, width: Width): string {
  const vector = width === 4;
  return [
    `alias F = ${vector ? 'vec4<f32>' : 'f32'};`,
    `alias U = ${vector ? 'vec4<u32>' : 'u32'};`,
    `alias B = ${vector ? 'vec4<bool>' : 'bool'};`,
    `const LANES : u32 = ${width}u;`,
    `const LANE_OFFSETS : U = ${vector ? 'U(0u, 1u, 2u, 3u)' : 'U(0u)'};`,
    commonWgsl,
    kernelBody,
    `fn main(i : i32) {
  if (i >= uniforms.size) { return; }
  result[i] = element(i);
}`,
  ].join('\n');
}

/** Base of every element-wise program: flat dispatch over `size / width` invocations. */
export abstract class ElementwiseProgram implements WebGPUProgram {
  outputShape: number[];
  /** `kernelName_vec4` or `kernelName_scalar`: set-up-time choices only (tfjs appends ranks and dtypes). */
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [WORKGROUP_SIZE, 1, 1];
  size = true;
  outputComponent: number;
  uniforms: string;
  abstract variableNames: string[];

  constructor(
    readonly kernelName: string,
    private readonly body: string,
    size: number,
    readonly width: Width,
    uniformFields: UniformField[],
  ) {
    this.outputShape = [size];
    this.outputComponent = width;
    this.dispatchLayout = { x: [0] };
    this.dispatch = [Math.ceil(Math.ceil(size / width) / WORKGROUP_SIZE), 1, 1];
    this.uniforms = uniformFields.map((f) => `${f.name} : ${f.type},`).join(' ');
    this.shaderKey = `${kernelName}_${width === 4 ? 'vec4' : 'scalar'}`;
  }

  getUserCode(): string {
    const code = elementwiseShader(this.body, this.width);
    if (env().getBool(FLAG_PRINT_SHADER)) {
      console.log(`// ${this.kernelName} (${this.shaderKey})\n${code}`);
    }
    return code;
  }
}
