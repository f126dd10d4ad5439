// Programs with several outputs (the fused Adam step writes value, first and second moment in one pass),
// which tfjs's runWebGPUProgram cannot express: this module writes the bindings (outputs first, then
// inputs, then uniforms, in that fixed order), builds and caches the pipeline (labelled with the kernel
// name), and records the dispatch into tfjs's own command encoder and compute pass, as tfjs does.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { env, type TensorInfo } from '@tensorflow/tfjs-core';
import { FLAG_PRINT_SHADER, registerFlags } from '../kernels/elementwise_program';
import { uniformData, type UniformValue } from './program';

export interface MultiOutputSpec {
  kernelName: string;
  /** Set-up-time choices only (vec4 or scalar); with the kernel name, the pipeline cache key. */
  variant: string[];
  body: string;
  outputNames: string[];
  inputNames: string[];
  /** 1 (f32) or 4 (vec4<f32>) for every binding... */
  components: 1 | 4;
  /** ...but these inputs (by name) hold one value each of this type (per-row values beside vec4 elements). */
  scalarInputs?: Record<string, 'f32' | 'i32'>;
  /** Invocations; `uniforms.size` guards the rest of the last workgroup. */
  invocations: number;
  workgroupSize: number;
  uniforms: UniformValue[];
}

type BackendInternals = {
  device: GPUDevice;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  commandQueueOwnedIds: WeakSet<object>;
  dispatchCountInPass: number;
  computePassEncoder: GPUComputePassEncoder | null;
  commandEncoder: GPUCommandEncoder;
  makeUniforms(data: { type: string; data: number[] }[]): GPUBufferBinding;
  tensorToBinding(t: TensorInfo): GPUBindingResource;
  uploadToGPU(dataId: object): void;
};

const pipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

/** The keys (`kernelName_variant...`) of the pipelines built on `device` so far: which variants ran. */
export const multiOutputPipelineKeys = (device: GPUDevice): string[] => [...(pipelines.get(device)?.keys() ?? [])];

/** The WGSL module: bindings in the fixed order, the uniforms struct, the bounds guard, then the body. */
export function multiOutputShader(spec: MultiOutputSpec): string {
  const type = spec.components === 4 ? 'vec4<f32>' : 'f32';
  const bindings = [
    ...spec.outputNames.map((n, i) => `@group(0) @binding(${i}) var<storage, read_write> ${n} : array<${type}>;`),
    ...spec.inputNames.map((n, i) => `@group(0) @binding(${spec.outputNames.length + i}) var<storage, read> ${n} : array<${spec.scalarInputs?.[n] ?? type}>;`),
  ];
  const uniformBinding = spec.outputNames.length + spec.inputNames.length;
  return [
    `struct Uniforms { size : i32, ${spec.uniforms.map((u) => `${u.name} : ${u.type},`).join(' ')} };`,
    ...bindings,
    `@group(0) @binding(${uniformBinding}) var<uniform> uniforms : Uniforms;`,
    spec.body,
    `@compute @workgroup_size(${spec.workgroupSize})
fn main(@builtin(global_invocation_id) id : vec3<u32>, @builtin(num_workgroups) groups : vec3<u32>) {
  let i = i32(id.x + id.y * groups.x * ${spec.workgroupSize}u);
  if (i >= uniforms.size) { return; }
  compute(i);
}`,
  ].join('\n');
}

/** Records one dispatch of `spec` writing `outputs` (allocated by the caller) from `inputs`. */
export function runMultiOutputProgram(backendArg: WebGPUBackend, spec: MultiOutputSpec, inputs: TensorInfo[], outputs: TensorInfo[]): void {
  const backend = backendArg as unknown as BackendInternals;
  const device = backend.device;
  let cache = pipelines.get(device);
  if (!cache) pipelines.set(device, (cache = new Map()));
  const key = [spec.kernelName, ...spec.variant].join('_');
  let pipeline = cache.get(key);
  if (!pipeline) {
    const code = multiOutputShader(spec);
    registerFlags();
    if (env().getBool(FLAG_PRINT_SHADER)) console.log(`// ${spec.kernelName} (${key})\n${code}`);
    const module = device.createShaderModule({ code, label: spec.kernelName });
    pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: spec.kernelName });
    cache.set(key, pipeline);
  }
  const ready = pipeline;
  for (const t of [...outputs, ...inputs]) backend.uploadToGPU(t.dataId);
  const uniforms = backend.makeUniforms([
    { type: 'int32', data: [spec.invocations] },
    ...uniformData(spec.uniforms),
  ]);
  const resources = [...outputs, ...inputs].map((t) => backend.tensorToBinding(t));
  const bindGroup = device.createBindGroup({
    layout: ready.getBindGroupLayout(0),
    entries: [...resources, uniforms].map((resource, binding) => ({ binding, resource })),
  });
  for (const t of [...outputs, ...inputs]) backend.commandQueueOwnedIds.add(t.dataId);
  backend.ensureCommandEncoderReady();
  if (!backend.computePassEncoder) backend.computePassEncoder = backend.commandEncoder.beginComputePass({});
  const groups = Math.ceil(spec.invocations / spec.workgroupSize);
  const maxPerDimension = device.limits.maxComputeWorkgroupsPerDimension;
  const x = Math.min(groups, maxPerDimension);
  backend.computePassEncoder.setPipeline(ready);
  backend.computePassEncoder.setBindGroup(0, bindGroup);
  backend.computePassEncoder.dispatchWorkgroups(x, Math.ceil(groups / x), 1);
  backend.dispatchCountInPass++;
  if ((env().get('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE') as number) <= backend.dispatchCountInPass) {
    backend.endComputePassEncoder();
    backend.submitQueue();
  }
}
