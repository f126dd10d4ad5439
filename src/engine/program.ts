// The program layer of the engine kernels (conv, pooling, matmul, reductions, loss, optimizer): one WGSL
// body from shaders/engine/, wrapped by one helper into a flat-dispatch tfjs-backend-webgpu program. tfjs
// writes the bindings (output at 0, inputs 1..n in `variableNames` order, uniforms last); shapes and
// scalars go in uniforms, so only set-up-time choices (variant, vec4 or scalar, fused epilogue) key the
// pipeline.
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { backend, env, getBackend, type Tensor, type TensorInfo } from '@tensorflow/tfjs-core';
import { FLAG_PRINT_SHADER, registerFlags } from '../kernels/elementwise_program';

/** A uniform value as tfjs writes it (int32 fields are declared `i32`, float32 ones `f32`). */
export interface UniformValue {
  name: string;
  type: 'i32' | 'f32' | 'u32';
  value: number;
}

export interface EngineProgramSpec {
  /** Labels the pipeline and starts the shader key. */
  kernelName: string;
  /** Set-up-time choices that change the WGSL (variant, widths, epilogue); joined into the key. */
  variant: string[];
  /** WGSL constants prepended to the body, e.g. `const HAS_BIAS = true;`. */
  constants: string[];
  /** The body: defines `fn main(index : i32)` after the bounds guard the helper adds. */
  body: string;
  variableNames: string[];
  /** Components per input binding (1: f32, 4: vec4<f32>). */
  variableComponents: number[];
  outputComponent: number;
  /** Invocations to run; `index >= uniforms.size` returns at once. */
  invocations: number;
  workgroupSize: number;
  uniforms: UniformValue[];
}

/** A flat-dispatch program around an engine WGSL body: `fn compute(index : i32)` behind the bounds guard. */
export class EngineProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  size = false;
  outputComponent: number;
  variableNames: string[];
  variableComponents: number[];
  uniforms: string;

  constructor(readonly spec: EngineProgramSpec, outputSize: number) {
    this.outputShape = [outputSize];
    this.variableNames = spec.variableNames;
    this.variableComponents = spec.variableComponents;
    this.outputComponent = spec.outputComponent;
    this.workgroupSize = [spec.workgroupSize, 1, 1];
    const groups = Math.ceil(spec.invocations / spec.workgroupSize);
    this.dispatch = [groups, 1, 1];
    this.uniforms = ['invocations : i32,', ...spec.uniforms.map((u) => `${u.name} : ${u.type},`)].join(' ');
    this.shaderKey = ['Engine', spec.kernelName, ...spec.variant].join('_');
  }

  getUserCode(): string {
    const code = [
      ...this.spec.constants,
      this.spec.body,
      `fn main(index : i32) {
  if (index >= uniforms.invocations) { return; }
  compute(index);
}`,
    ].join('\n');
    registerFlags();
    if (env().getBool(FLAG_PRINT_SHADER)) console.log(`// ${this.spec.kernelName} (${this.shaderKey})\n${code}`);
    return code;
  }
}

const flatView = (t: TensorInfo): TensorInfo => ({ dataId: t.dataId, shape: [t.shape.reduce((a, b) => a * b, 1)], dtype: t.dtype });

/**
 * Runs an engine program over flat views of `inputs` into `output` (a new float32 tensor of `outShape`
 * unless given). The flat views keep every input at rank 1, so shapes never enter the pipeline key.
 */
export function runEngineProgram(
  backend: WebGPUBackend,
  spec: EngineProgramSpec,
  inputs: TensorInfo[],
  outShape: number[],
  output?: TensorInfo,
): TensorInfo {
  const out = output ?? backend.makeTensorInfo(outShape, 'float32');
  const outSize = outShape.reduce((a, b) => a * b, 1);
  if (outSize === 0) return out;
  // reshapeDispatch in tfjs spreads a too-large x dispatch over y and z; getGlobalIndex then folds it back.
  const program = new EngineProgram(spec, outSize);
  const uniforms = [{ type: 'int32', data: [spec.invocations] }, ...uniformData(spec.uniforms)];
  backend.runWebGPUProgram(program, inputs.map(flatView), 'float32', uniforms, { dataId: out.dataId, shape: [outSize], dtype: 'float32' });
  return out;
}

/** tfjs's uniform data for engine uniform fields (i32 -> int32, u32 -> uint32, f32 -> float32). */
export function uniformData(fields: { type: 'i32' | 'f32' | 'u32'; value: number }[]): { type: string; data: number[] }[] {
  return fields.map((u) => ({ type: u.type === 'f32' ? 'float32' : u.type === 'u32' ? 'uint32' : 'int32', data: [u.value] }));
}

export const i32u = (name: string, value: number): UniformValue => ({ name, type: 'i32', value });
export const f32u = (name: string, value: number): UniformValue => ({ name, type: 'f32', value });

/** Uploads the tensors' data to the GPU now (tfjs would on first use, inside a training step). */
export function uploadNow(tensors: Tensor[]): void {
  if (getBackend() !== 'webgpu') return;
  const webgpu = backend() as WebGPUBackend;
  for (const t of tensors) webgpu.uploadToGPU(t.dataId);
}

