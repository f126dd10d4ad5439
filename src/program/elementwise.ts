// The element-wise program: a body from shaders/ that defines `fn element(i : i32) -> F`, at scalar or
// vec4 width, behind the width aliases (`F`/`U`/`B`) and shaders/elementwise_common.wgsl; one invocation
// per element (or per vec4), `result[i] = element(i)`.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import commonWgsl from '../../shaders/elementwise_common.wgsl';
import { chooseWidth, WORKGROUP_SIZE, type Width } from './flags';
import { runProgram } from './run';
import { sizeOf, type Components, type ProgramSpec, type UniformValue } from './spec';
import { wgslWith } from './wgsl';

/** The width aliases and the shared helpers of shaders/elementwise_common.wgsl. */
export const elementwisePreamble = (width: Width): string => wgslWith({ width, include: [commonWgsl] });

/** The body of an element-wise program: the preamble, the kernel's body, `compute`. */
export function elementwiseBody(kernelBody: string, width: Width): string {
  return wgslWith({ width, include: [commonWgsl] }, kernelBody, `fn compute(i : i32) {\n  result[i] = element(i);\n}`);
}

export interface ElementwiseArgs {
  kernelName: string;
  body: string;
  /** Element count of the output. */
  size: number;
  width: Width;
  inputs: string[];
  /** Components per input: `width` unless given (per-row inputs hold one f32 each). */
  inputComponents?: Components[];
  uniforms: UniformValue[];
}

/** The spec of an element-wise kernel: key `kernelName_vec4` or `kernelName_scalar`, 256 per workgroup. */
export function elementwiseSpec(a: ElementwiseArgs): ProgramSpec {
  return {
    kernelName: a.kernelName,
    variant: [a.width === 4 ? 'vec4' : 'scalar'],
    body: elementwiseBody(a.body, a.width),
    inputs: a.inputs,
    inputComponents: a.inputComponents ?? a.inputs.map(() => a.width),
    outputComponent: a.width,
    invocations: Math.ceil(a.size / a.width),
    workgroupSize: WORKGROUP_SIZE,
    uniforms: a.uniforms,
  };
}

/**
 * Runs an element-wise kernel over `tensors` (named `inputs`) into a new float32 tensor of the first one's
 * shape, at `width` (default: vec4 where the element count allows it).
 */
export function runElementwise(backend: WebGPUBackend, a: Omit<ElementwiseArgs, 'size' | 'width'> & { width?: Width }, tensors: TensorInfo[]): TensorInfo {
  const size = sizeOf(tensors[0]);
  return runProgram(backend, elementwiseSpec({ ...a, size, width: a.width ?? chooseWidth(size) }), tensors, tensors[0].shape);
}
