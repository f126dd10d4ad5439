// Programs with several outputs (the fused Adam step writes value, first and second moment in one pass),
// which tfjs's runWebGPUProgram cannot express: this module writes the bindings (outputs first, then
// inputs, then uniforms, in that fixed order), builds and caches the pipeline (labelled with the kernel
// name), and records the dispatch into tfjs's own command encoder and compute pass, as tfjs does.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { env, type TensorInfo } from '@tensorflow/tfjs-core';
import { printShader } from './flags';
import { SUBGROUP_DIRECTIVES } from './subgroups';
import { GUARDED_COMPUTE, programKey, uniformData, uniformFields, type ProgramSpec } from './spec';

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

/** The keys (`kernelName_variant...`) of the multi-output pipelines built on `device` so far: which variants ran. */
export const multiOutputPipelineKeys = (device: GPUDevice): string[] => [...(pipelines.get(device)?.keys() ?? [])];

const arrayType = (components: number, type: 'f32' | 'i32') => (components === 4 ? `vec4<${type}>` : type);

/** The WGSL module: bindings in the fixed order, the uniforms struct, the body, then `main` and the bounds guard. */
export function multiOutputShader(spec: ProgramSpec): string {
  const outputs = spec.outputs ?? ['result'];
  const bindings = [
    ...outputs.map((n, i) => `@group(0) @binding(${i}) var<storage, read_write> ${n} : array<${arrayType(spec.outputComponent, 'f32')}>;`),
    ...spec.inputs.map(
      (n, i) => `@group(0) @binding(${outputs.length + i}) var<storage, read> ${n} : array<${arrayType(spec.inputComponents[i], spec.inputTypes?.[n] ?? 'f32')}>;`,
    ),
  ];
  return [
    ...(spec.subgroups ? SUBGROUP_DIRECTIVES : []),
    `struct Uniforms { ${uniformFields(spec)} };`,
    ...bindings,
    `@group(0) @binding(${outputs.length + spec.inputs.length}) var<uniform> uniforms : Uniforms;`,
    spec.body,
    `@compute @workgroup_size(${spec.workgroupSize})
fn main(@builtin(global_invocation_id) id : vec3<u32>, @builtin(num_workgroups) groups : vec3<u32>) {
  let index = i32(id.x + id.y * groups.x * ${spec.workgroupSize}u);
${GUARDED_COMPUTE}
}`,
  ].join('\n');
}

/** Records one dispatch of a several-output `spec` writing `outputs` from `inputs`. */
export function runMultiOutput(backendArg: WebGPUBackend, spec: ProgramSpec, inputs: TensorInfo[], outputs: TensorInfo[]): void {
  const backend = backendArg as unknown as BackendInternals;
  const device = backend.device;
  let cache = pipelines.get(device);
  if (!cache) pipelines.set(device, (cache = new Map()));
  const key = programKey(spec);
  let pipeline = cache.get(key);
  if (!pipeline) {
    const code = multiOutputShader(spec);
    printShader(spec.kernelName, key, code);
    const module = device.createShaderModule({ code, label: spec.kernelName });
    pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: spec.kernelName });
    cache.set(key, pipeline);
  }
  const ready = pipeline;
  for (const t of [...outputs, ...inputs]) backend.uploadToGPU(t.dataId);
  const uniforms = backend.makeUniforms(uniformData(spec));
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
