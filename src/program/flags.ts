// The kernels' tfjs flags (vec4 path on or off, print each generated WGSL body), the width choice of the
// element-wise kernels, and their workgroup size.
import { env } from '@tensorflow/tfjs-core';

/** Scalar (one f32 per invocation) or vec4 (four per invocation): a set-up-time choice, part of the key. */
export type Width = 1 | 4;

/** Invocations per workgroup of the element-wise kernels: 256 measured best on SwiftShader (bench/, interleaved runs; 64 and 4-per-invocation variants were slower). */
export const WORKGROUP_SIZE = 256;

/** tfjs flag: use the vec4 path where the element count allows it (tests turn it off to cover the scalar path). */
export const FLAG_VEC4 = 'ADVERSARIAL_VEC4';
/** tfjs flag: print each kernel's generated WGSL body when its pipeline is built. */
export const FLAG_PRINT_SHADER = 'ADVERSARIAL_PRINT_SHADER';

/**
 * tfjs flag: the kernels that share loads across a subgroup of four do so where the adapter allows
 * (subgroups.ts subgroupsOfFour; default true); false runs them without (the bench compares the two in one run).
 */
export const FLAG_SUBGROUPS = 'ADVERSARIAL_SUBGROUPS';

let flagsRegistered = false;
export function registerFlags(): void {
  if (flagsRegistered) return;
  flagsRegistered = true;
  const e = env();
  e.registerFlag(FLAG_VEC4, () => true);
  e.registerFlag(FLAG_PRINT_SHADER, () => false);
  e.registerFlag(FLAG_SUBGROUPS, () => true);
}

/** The width to run `size` elements at: vec4 when the count is a multiple of 4 and the flag allows it. */
export function chooseWidth(size: number): Width {
  registerFlags();
  return size % 4 === 0 && env().getBool(FLAG_VEC4) ? 4 : 1;
}

/** Prints `code` under the flag, labelled with the kernel and the pipeline key. */
export function printShader(kernelName: string, key: string, code: string): void {
  registerFlags();
  if (env().getBool(FLAG_PRINT_SHADER)) console.log(`// ${kernelName} (${key})\n${code}`);
}
