// The adapter's multiply-add ceiling: a kernel that does nothing but multiply-adds on registers (CHAINS
// independent vec4 chains per invocation, a few loads and one store in all), so that a model's achieved
// GFLOP/s can be put beside what this adapter can do at all; on SwiftShader the CPU's SIMD lanes across
// invocations, on a GPU its ALUs. bench:real prints it beside the engine matmul's GFLOP/s.
//   acc_i = acc_i * m + c   (vec4, i < CHAINS), ITERATIONS times; 8 FLOPs per chain per iteration
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import { unroll } from '../program';

/** Independent vec4 chains per invocation (16 was the fastest of 4, 8 and 16 on SwiftShader). */
export const FMA_CHAINS = 16;
const ITERATIONS = 2048;
const WORKGROUP = 64;

/** The WGSL of the ceiling kernel (its own bindings: one storage buffer of one vec4 per invocation). */
export function fmaPeakWgsl(chains = FMA_CHAINS, iterations = ITERATIONS): string {
  return `@group(0) @binding(0) var<storage, read_write> out : array<vec4<f32>>;
@compute @workgroup_size(${WORKGROUP}) fn main(@builtin(global_invocation_id) gid : vec3<u32>) {
  let seed = vec4<f32>(f32(gid.x) * 1e-9);
${unroll(chains, (i) => `  var a${i} = seed + vec4<f32>(${i}.0);`)}
  let m = vec4<f32>(0.999);
  let c = vec4<f32>(0.001);
  for (var i = 0u; i < ${iterations}u; i++) {
${unroll(chains, (i) => `    a${i} = a${i} * m + c;`)}
  }
  out[gid.x] = ${unroll(chains, (i) => `a${i}`).split('\n').join(' + ')};
}`;
}

export interface FmaPeak {
  /** Multiply-add FLOPs per second at the median run, in GFLOP/s (a multiply and an add: 2 FLOPs). */
  gflops: number;
  seconds: number[];
  invocations: number;
  chains: number;
}

/**
 * Times the ceiling kernel on tfjs's webgpu device (after initWebGPU): one warm-up and `runs` timed
 * dispatches of `workgroups` x 64 invocations, each alone on the queue.
 *
 * @example
 * const { gflops } = await measureFmaPeak(); // e.g. 7-10 on SwiftShader on 2 cores
 */
export async function measureFmaPeak(options: { workgroups?: number; runs?: number } = {}): Promise<FmaPeak> {
  if (tf.getBackend() !== 'webgpu') throw new Error('measureFmaPeak: the active tfjs backend must be webgpu');
  const device = (tf.backend() as WebGPUBackend).device;
  const workgroups = options.workgroups ?? 128;
  const invocations = workgroups * WORKGROUP;
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code: fmaPeakWgsl() });
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const out = device.createBuffer({ size: invocations * 16, usage: GPUBufferUsage.STORAGE });
  const error = await device.popErrorScope();
  if (error) {
    out.destroy();
    throw new Error(`measureFmaPeak: ${error.message}`);
  }
  const bindGroup = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: out } }] });
  const once = async (): Promise<number> => {
    const t0 = performance.now();
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(workgroups);
    pass.end();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    return (performance.now() - t0) / 1000;
  };
  try {
    await once();
    const seconds: number[] = [];
    for (let r = 0; r < (options.runs ?? 3); r++) seconds.push(await once());
    const median = [...seconds].sort((a, b) => a - b)[Math.floor(seconds.length / 2)]!;
    return { gflops: (invocations * ITERATIONS * FMA_CHAINS * 8) / median / 1e9, seconds, invocations, chains: FMA_CHAINS };
  } finally {
    out.destroy();
  }
}
