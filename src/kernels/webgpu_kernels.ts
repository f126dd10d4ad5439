// Kernel configs of the attack kernels for the `webgpu` backend: each flattens its inputs (a view, no copy),
// runs its program with scalars in uniforms, and returns an output of the input's shape.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { chooseWidth } from './elementwise_program';
import {
  Copy,
  FgsmStep,
  PgdStep,
  RandomStart,
  type FgsmStepAttrs,
  type PgdStepAttrs,
  type RandomStartAttrs,
} from './kernel_names';
import { pcgHash } from '../reference';
import { CopyProgram, FgsmStepProgram, PgdStepProgram, RandomStartProgram } from './programs';

type Uniform = { type: 'float32' | 'uint32'; data: number[] };

const sizeOf = (t: TensorInfo): number => t.shape.reduce((a, b) => a * b, 1);
const flat = (t: TensorInfo, size: number): TensorInfo => ({ dataId: t.dataId, shape: [size], dtype: t.dtype });

/** Runs `program` over the flat views of `inputs` into a new float32 tensor of `shape`. */
function runFlat(
  backend: WebGPUBackend,
  makeProgram: (size: number) => Parameters<WebGPUBackend['runWebGPUProgram']>[0],
  inputs: TensorInfo[],
  uniforms: Uniform[],
): TensorInfo {
  const shape = inputs[0].shape;
  const size = sizeOf(inputs[0]);
  const out = backend.makeTensorInfo(shape, 'float32');
  if (size === 0) return out;
  backend.runWebGPUProgram(
    makeProgram(size),
    inputs.map((t) => flat(t, size)),
    'float32',
    uniforms,
    flat(out, size),
  );
  return out;
}

const f32 = (...data: number[]): Uniform => ({ type: 'float32', data });

export const fgsmStepWebGPU: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, grad } = inputs as { x: TensorInfo; grad: TensorInfo };
  const a = attrs as unknown as FgsmStepAttrs;
  return runFlat(backend as WebGPUBackend, (n) => new FgsmStepProgram(n, chooseWidth(n)), [x, grad], [
    f32(a.targeted ? -a.epsilon : a.epsilon),
    f32(a.clipMin),
    f32(a.clipMax),
  ]);
};

export const pgdStepWebGPU: KernelFunc = ({ inputs, backend, attrs }) => {
  const { xAdv, x0, grad } = inputs as { xAdv: TensorInfo; x0: TensorInfo; grad: TensorInfo };
  const a = attrs as unknown as PgdStepAttrs;
  return runFlat(backend as WebGPUBackend, (n) => new PgdStepProgram(n, chooseWidth(n)), [xAdv, x0, grad], [
    f32(a.stepSize),
    f32(a.epsilon),
    f32(a.clipMin),
    f32(a.clipMax),
  ]);
};

export const randomStartWebGPU: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  const a = attrs as unknown as RandomStartAttrs;
  return runFlat(backend as WebGPUBackend, (n) => new RandomStartProgram(n, chooseWidth(n)), [x], [
    f32(a.epsilon),
    f32(a.clipMin),
    f32(a.clipMax),
    { type: 'uint32', data: [pcgHash(a.seed)] },
  ]);
};

export const copyWebGPU: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as { x: TensorInfo };
  return runFlat(backend as WebGPUBackend, (n) => new CopyProgram(n, chooseWidth(n)), [x], []);
};

export const webgpuKernelConfigs: KernelConfig[] = [
  { kernelName: FgsmStep, backendName: 'webgpu', kernelFunc: fgsmStepWebGPU },
  { kernelName: PgdStep, backendName: 'webgpu', kernelFunc: pgdStepWebGPU },
  { kernelName: RandomStart, backendName: 'webgpu', kernelFunc: randomStartWebGPU },
  { kernelName: Copy, backendName: 'webgpu', kernelFunc: copyWebGPU },
];
