// Runs a program spec. Output `result`: a flat-dispatch tfjs-backend-webgpu program (tfjs writes the bindings:
// output at 0, inputs 1..n, uniforms last, and records the dispatch); named outputs: the multi-output runner.
// Inputs go as flat views, so only the spec's variant (and tfjs's dtypes) key a pipeline.
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { backend, getBackend, type Tensor, type TensorInfo } from '@tensorflow/tfjs-core';
import { printShader } from './flags';
import { runMultiOutput } from './multi_output';
import { countSubgroupDispatch, SUBGROUP_DIRECTIVES } from './subgroups';
import { flatView, GUARDED_COMPUTE, programKey, sizeOf, uniformData, uniformFields, type ProgramSpec } from './spec';

/** The tfjs program of a one-output spec: `main(index)` is tfjs's flat global index, then the bounds guard. */
class SpecProgram implements WebGPUProgram {
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

  constructor(readonly spec: ProgramSpec, outputSize: number) {
    this.outputShape = [outputSize];
    this.variableNames = spec.inputs;
    this.variableComponents = spec.inputComponents;
    this.outputComponent = spec.outputComponent;
    this.workgroupSize = [spec.workgroupSize, 1, 1];
    // reshapeDispatch in tfjs spreads a too-large x dispatch over y and z; getGlobalIndex folds it back.
    this.dispatch = [Math.ceil(spec.invocations / spec.workgroupSize), 1, 1];
    this.uniforms = uniformFields(spec);
    this.shaderKey = programKey(spec);
  }

  getUserCode(): string {
    // tfjs writes the module's start; the device's createShaderModule (subgroups.ts) moves the directives there.
    const code = [...(this.spec.subgroups ? SUBGROUP_DIRECTIVES : []), this.spec.body, `fn main(index : i32) {\n${GUARDED_COMPUTE}\n}`].join('\n');
    printShader(this.spec.kernelName, this.shaderKey, code);
    return code;
  }
}

/** tfjs labels a pipeline with its program's class name: one subclass per kernel (`FgsmStepProgram`, ...). */
const programClasses = new Map<string, typeof SpecProgram>();
function programFor(spec: ProgramSpec, outputSize: number): SpecProgram {
  let cls = programClasses.get(spec.kernelName);
  if (!cls) {
    cls = class extends SpecProgram {};
    Object.defineProperty(cls, 'name', { value: `${spec.kernelName}Program` });
    programClasses.set(spec.kernelName, cls);
  }
  return new cls(spec, outputSize);
}

/** Records one dispatch of `spec` writing `outputs` (allocated by the caller, one per `spec.outputs`). */
export function runProgramInto(backend: WebGPUBackend, spec: ProgramSpec, inputs: TensorInfo[], outputs: TensorInfo[]): void {
  const names = spec.outputs ?? ['result'];
  if (names.length !== outputs.length) throw new Error(`${spec.kernelName}: ${outputs.length} outputs for ${names.length} bindings`);
  if (outputs.every((t) => sizeOf(t) === 0)) return;
  if (spec.subgroups) {
    if (spec.invocations % 4 !== 0) throw new Error(`${spec.kernelName}: a subgroup program runs a multiple of 4 invocations (${spec.invocations})`);
    countSubgroupDispatch();
  }
  if (spec.outputs) {
    runMultiOutput(backend, spec, inputs, outputs);
    return;
  }
  const out = flatView(outputs[0]);
  backend.runWebGPUProgram(programFor(spec, out.shape[0]), inputs.map(flatView), 'float32', uniformData(spec), out);
}

/** Runs a `result` `spec` into a new float32 tensor of `outShape`. */
export function runProgram(backend: WebGPUBackend, spec: ProgramSpec, inputs: TensorInfo[], outShape: number[]): TensorInfo {
  const out = backend.makeTensorInfo(outShape, 'float32');
  runProgramInto(backend, spec, inputs, [out]);
  return out;
}

/** Uploads the tensors' data to the GPU now (tfjs would on first use, inside a training step). */
export function uploadNow(tensors: Tensor[]): void {
  if (getBackend() !== 'webgpu') return;
  const webgpu = backend() as WebGPUBackend;
  for (const t of tensors) webgpu.uploadToGPU(t.dataId);
}
