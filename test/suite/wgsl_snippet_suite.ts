// The shared WGSL snippets on their own (shaders/engine/nhwc_common.wgsl: nhwc() and firstTap()), run on
// the WebGPU device through a bare compute pipeline, against plain-TypeScript references, on named cases
// (odd sizes, ones, the edges of each range). Output poisoned first; the caller wraps it in error scopes.
import nhwcWgsl from '../../shaders/engine/nhwc_common.wgsl';

/** The sentinel every output word holds before the kernel runs. */
export const POISON_I32 = -123456789;

export interface NhwcCase {
  name: string;
  /** [batch, height, width, depth]. */
  dims: [number, number, number, number];
}

export interface FirstTapCase {
  name: string;
  /** [t0, stride, dilation, step, taps] per query. */
  queries: [number, number, number, number, number][];
}

export const nhwcCases: NhwcCase[] = [
  { name: 'all ones', dims: [1, 1, 1, 1] },
  { name: 'odd sizes', dims: [3, 5, 7, 3] },
  { name: 'depth 1', dims: [2, 4, 9, 1] },
  { name: 'height 1 (pad/slice leading axes)', dims: [5, 1, 1, 6] },
  { name: 'a MobileNet-like block, depth in vec4s', dims: [2, 14, 13, 24] },
];

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Every (t0, stride, dilation) of a small grid, with step = stride / gcd(stride, dilation) as the runners pass. */
function tapGrid(taps: number): [number, number, number, number, number][] {
  const out: [number, number, number, number, number][] = [];
  for (let stride = 1; stride <= 3; stride++) {
    for (let dilation = 1; dilation <= 3; dilation++) {
      for (let t0 = 0; t0 <= 9; t0++) out.push([t0, stride, dilation, stride / gcd(stride, dilation), taps]);
    }
  }
  return out;
}

export const firstTapCases: FirstTapCase[] = [
  { name: 'strides and dilations 1..3, 3 taps', queries: tapGrid(3) },
  { name: 'strides and dilations 1..3, 1 tap', queries: tapGrid(1) },
  { name: 'no tap hits (step past the taps)', queries: [[1, 2, 2, 1, 3], [5, 4, 4, 1, 2]] },
];

/** The reference of nhwc(): [b, y, x, d] of each flat index of `dims`, depth fastest. */
export function nhwcReference(dims: [number, number, number, number]): number[] {
  const [batch, height, width, depth] = dims;
  const out: number[] = [];
  for (let b = 0; b < batch; b++) for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let d = 0; d < depth; d++) out.push(b, y, x, d);
  return out;
}

/** The reference of firstTap(): the first w < step with (t0 - w*dilation) a multiple of stride, else taps. */
export function firstTapReference(queries: FirstTapCase['queries']): number[] {
  return queries.map(([t0, stride, dilation, step, taps]) => {
    for (let w = 0; w < step; w++) if ((((t0 - w * dilation) % stride) + stride) % stride === 0) return w;
    return taps;
  });
}

/** Runs `main` (one invocation per output vec4 of i32) over `input` i32 words; reads the output back. */
async function runBare(device: GPUDevice, main: string, input: Int32Array<ArrayBuffer>, outputs: number): Promise<number[]> {
  const code = `${nhwcWgsl}
@group(0) @binding(0) var<storage, read_write> out : array<vec4<i32>>;
@group(0) @binding(1) var<storage, read> args : array<i32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id : vec3<u32>) {
  let index = i32(id.x);
  if (index >= ${outputs}) { return; }
${main}
}`;
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
  const bytes = outputs * 16;
  const out = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(out, 0, new Int32Array(outputs * 4).fill(POISON_I32));
  const args = device.createBuffer({ size: Math.max(16, input.byteLength), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(args, 0, input);
  const read = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: out } }, { binding: 1, resource: { buffer: args } }] }));
  pass.dispatchWorkgroups(Math.ceil(outputs / 64));
  pass.end();
  encoder.copyBufferToBuffer(out, 0, read, 0, bytes);
  device.queue.submit([encoder.finish()]);
  await read.mapAsync(GPUMapMode.READ);
  const words = Array.from(new Int32Array(read.getMappedRange().slice(0)));
  read.unmap();
  for (const b of [out, args, read]) b.destroy();
  return words;
}

/** nhwc() of every flat index of the case's dims, as [b, y, x, d] per index. */
export function runNhwcCase(device: GPUDevice, c: NhwcCase): Promise<number[]> {
  const [batch, height, width, depth] = c.dims;
  const main = `  let p = nhwc(index, args[0], args[1], args[2]);
  out[index] = vec4<i32>(p.b, p.y, p.x, p.d);`;
  return runBare(device, main, new Int32Array([height, width, depth]), batch * height * width * depth);
}

/** firstTap() of each query (the first word of each output vec4). */
export async function runFirstTapCase(device: GPUDevice, c: FirstTapCase): Promise<number[]> {
  const main = `  let q = index * 5;
  out[index] = vec4<i32>(firstTap(args[q], args[q + 1], args[q + 2], args[q + 3], args[q + 4]));`;
  const words = await runBare(device, main, new Int32Array(c.queries.flat()), c.queries.length);
  return words.filter((_, i) => i % 4 === 0);
}
