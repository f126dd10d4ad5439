// The Square attack's kernels for the `webgpu` backend (flat-dispatch engine programs around
// shaders/square_*.wgsl; SquareAccept writes two outputs through the multi-output runner) and for the
// `cpu` backend (the references of src/kernels/cpu/square.ts on the tensors' values).
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import commonWgsl from '../../../shaders/square_common.wgsl';
import pixelWgsl from '../../../shaders/square_pixel.wgsl';
import queryWgsl from '../../../shaders/square_query.wgsl';
import etaWgsl from '../../../shaders/square_eta.wgsl';
import marginWgsl from '../../../shaders/square_margin.wgsl';
import acceptWgsl from '../../../shaders/square_accept.wgsl';
import linfInitWgsl from '../../../shaders/square_linf_init.wgsl';
import linfCandidateWgsl from '../../../shaders/square_linf_candidate.wgsl';
import l2InitWgsl from '../../../shaders/square_l2_init.wgsl';
import l2StatsWgsl from '../../../shaders/square_l2_stats.wgsl';
import l2CandidateWgsl from '../../../shaders/square_l2_candidate.wgsl';
import { f32u, i32u, runProgram, runProgramInto, sizeOf, u32u, type UniformValue } from '../../program';
import { squareKey, squareL2InitGrid } from '../square_schedule';
import {
  L2_STATS,
  squareAcceptReference,
  squareL2CandidateReference,
  squareL2InitReference,
  squareL2StatsReference,
  squareLinfCandidateReference,
  squareLinfInitReference,
  squareMarginReference,
  type SquareAttrs,
  type SquareShape,
} from '../cpu/square';

export const SquareMargin = 'SquareMargin';
export const SquareAccept = 'SquareAccept';
export const SquareLinfInit = 'SquareLinfInit';
export const SquareLinfCandidate = 'SquareLinfCandidate';
export const SquareL2Init = 'SquareL2Init';
export const SquareL2Stats = 'SquareL2Stats';
export const SquareL2Candidate = 'SquareL2Candidate';

const shapeOf = (t: TensorInfo): SquareShape => ({ rows: t.shape[0], height: t.shape[1], width: t.shape[2], channels: t.shape[3] });

/** The image kernels' uniforms: geometry, radius, box, key of the step, side. */
function imageUniforms(shape: SquareShape, a: SquareAttrs): UniformValue[] {
  return [
    i32u('height', shape.height),
    i32u('width', shape.width),
    i32u('channels', shape.channels),
    i32u('side', a.side),
    u32u('key', squareKey(a.seed, a.step)),
    f32u('epsilon', a.epsilon),
    f32u('twoEpsilon', 2 * a.epsilon),
    f32u('clipMin', a.clipMin),
    f32u('clipMax', a.clipMax),
  ];
}

/** Runs one square program (`invocations` of it: elements, rows, or rows x channels) into a new tensor of `outShape`. */
function runSquare(
  backend: WebGPUBackend,
  kernelName: string,
  parts: string[],
  inputs: Record<string, TensorInfo>,
  uniforms: UniformValue[],
  outShape: number[],
  invocations: number,
): TensorInfo {
  const names = Object.keys(inputs);
  return runProgram(
    backend,
    {
      kernelName,
      variant: [],
      body: parts.join('\n'),
      inputs: names,
      inputComponents: names.map(() => 1),
      outputComponent: 1,
      invocations,
      // 256 per workgroup for element kernels (measured best on SwiftShader for the attack kernels), 64 for row kernels.
      workgroupSize: outShape.length === 4 ? 256 : 64,
      uniforms,
    },
    names.map((n) => inputs[n]),
    outShape,
  );
}

type Inputs = Record<string, TensorInfo>;
const attrsOf = (attrs: unknown) => attrs as unknown as SquareAttrs;

const squareMarginWebGPU: KernelFunc = ({ inputs, backend }) => {
  const { logits, labels } = inputs as Inputs;
  const [rows, classes] = logits.shape;
  return runSquare(backend as WebGPUBackend, SquareMargin, [commonWgsl, marginWgsl], { logits, labels }, [i32u('classes', classes)], [rows], rows);
};

const squareAcceptWebGPU: KernelFunc = ({ inputs, backend }) => {
  const { xNew, xBest, margin, marginBest } = inputs as Inputs;
  const gpu = backend as WebGPUBackend;
  const outputs = [gpu.makeTensorInfo(xBest.shape, 'float32'), gpu.makeTensorInfo(marginBest.shape, 'float32')];
  const size = sizeOf(xBest);
  if (size === 0) return outputs;
  runProgramInto(
    gpu,
    {
      kernelName: SquareAccept,
      variant: [],
      body: acceptWgsl,
      outputs: ['xBestNext', 'marginBestNext'],
      outputComponent: 1,
      inputs: ['xNew', 'xBest', 'margin', 'marginBest'],
      inputComponents: [1, 1, 1, 1],
      invocations: size,
      workgroupSize: 256,
      uniforms: [i32u('rowSize', size / marginBest.shape[0])],
    },
    [xNew, xBest, margin, marginBest],
    outputs,
  );
  return outputs;
};

const squareLinfInitWebGPU: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x0, rowIds } = inputs as Inputs;
  const a = { ...attrsOf(attrs), step: 0, side: 1 };
  return runSquare(backend as WebGPUBackend, SquareLinfInit, [commonWgsl, pixelWgsl, linfInitWgsl], { x0, rowIds }, imageUniforms(shapeOf(x0), a), x0.shape, sizeOf(x0));
};

const squareLinfCandidateWebGPU: KernelFunc = ({ inputs, backend, attrs }) => {
  const { xBest, x0, rowIds } = inputs as Inputs;
  const parts = [commonWgsl, pixelWgsl, queryWgsl, linfCandidateWgsl];
  return runSquare(backend as WebGPUBackend, SquareLinfCandidate, parts, { xBest, x0, rowIds }, imageUniforms(shapeOf(x0), attrsOf(attrs)), x0.shape, sizeOf(x0));
};

const squareL2InitWebGPU: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x0, rowIds, eta } = inputs as Inputs;
  const shape = shapeOf(x0);
  const grid = squareL2InitGrid(shape.height, shape.width);
  const a = { ...attrsOf(attrs), step: 0, side: grid.s };
  const uniforms = [
    ...imageUniforms(shape, a),
    i32u('gridSide', grid.s),
    i32u('gridStart', grid.start),
    i32u('gridRows', grid.rows),
    i32u('gridCols', grid.cols),
    f32u('norm', Math.fround((attrs as unknown as { norm: number }).norm + Math.fround(1e-12))),
  ];
  return runSquare(backend as WebGPUBackend, SquareL2Init, [commonWgsl, pixelWgsl, etaWgsl, l2InitWgsl], { x0, rowIds, eta }, uniforms, x0.shape, sizeOf(x0));
};

const squareL2StatsWebGPU: KernelFunc = ({ inputs, backend, attrs }) => {
  const { xBest, x0, rowIds, eta } = inputs as Inputs;
  const shape = shapeOf(x0);
  const parts = [commonWgsl, queryWgsl, etaWgsl, pixelWgsl, l2StatsWgsl];
  const rowsTimesChannels = shape.rows * shape.channels;
  return runSquare(backend as WebGPUBackend, SquareL2Stats, parts, { xBest, x0, rowIds, eta }, imageUniforms(shape, attrsOf(attrs)), [shape.rows, shape.channels, L2_STATS], rowsTimesChannels);
};

const squareL2CandidateWebGPU: KernelFunc = ({ inputs, backend, attrs }) => {
  const { xBest, x0, rowIds, eta, stats } = inputs as Inputs;
  const parts = [commonWgsl, pixelWgsl, queryWgsl, etaWgsl, l2CandidateWgsl];
  return runSquare(backend as WebGPUBackend, SquareL2Candidate, parts, { xBest, x0, rowIds, eta, stats }, imageUniforms(shapeOf(x0), attrsOf(attrs)), x0.shape, sizeOf(x0));
};

/** The slice of tfjs-backend-cpu's MathBackendCPU these kernels use. */
interface CpuBackend {
  data: { get(dataId: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

const cpuValues = (backend: unknown, t: TensorInfo): Float32Array => {
  const v = (backend as CpuBackend).data.get(t.dataId).values;
  return v instanceof Float32Array ? v : Float32Array.from(v as ArrayLike<number>);
};
const cpuTensor = (backend: unknown, shape: number[], values: Float32Array | Float64Array): TensorInfo => (backend as CpuBackend).makeTensorInfo(shape, 'float32', values as Float32Array);

const squareMarginCpu: KernelFunc = ({ inputs, backend }) => {
  const { logits, labels } = inputs as Inputs;
  const [rows, classes] = logits.shape;
  return cpuTensor(backend, [rows], squareMarginReference(cpuValues(backend, logits), cpuValues(backend, labels), rows, classes));
};

const squareAcceptCpu: KernelFunc = ({ inputs, backend }) => {
  const { xNew, xBest, margin, marginBest } = inputs as Inputs;
  const [images, margins] = squareAcceptReference(cpuValues(backend, xNew), cpuValues(backend, xBest), cpuValues(backend, margin), cpuValues(backend, marginBest));
  return [cpuTensor(backend, xBest.shape, images), cpuTensor(backend, marginBest.shape, margins)];
};

const squareLinfInitCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x0, rowIds } = inputs as Inputs;
  return cpuTensor(backend, x0.shape, squareLinfInitReference(cpuValues(backend, x0), cpuValues(backend, rowIds), shapeOf(x0), attrsOf(attrs)));
};

const squareLinfCandidateCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { xBest, x0, rowIds } = inputs as Inputs;
  const out = squareLinfCandidateReference(cpuValues(backend, xBest), cpuValues(backend, x0), cpuValues(backend, rowIds), shapeOf(x0), attrsOf(attrs));
  return cpuTensor(backend, x0.shape, out);
};

const squareL2InitCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x0, rowIds, eta } = inputs as Inputs;
  const out = squareL2InitReference(cpuValues(backend, x0), cpuValues(backend, rowIds), cpuValues(backend, eta), shapeOf(x0), attrsOf(attrs));
  return cpuTensor(backend, x0.shape, out);
};

const squareL2StatsCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { xBest, x0, rowIds, eta } = inputs as Inputs;
  const shape = shapeOf(x0);
  const out = squareL2StatsReference(cpuValues(backend, xBest), cpuValues(backend, x0), cpuValues(backend, rowIds), cpuValues(backend, eta), shape, attrsOf(attrs));
  return cpuTensor(backend, [shape.rows, shape.channels, L2_STATS], out);
};

const squareL2CandidateCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { xBest, x0, rowIds, eta, stats } = inputs as Inputs;
  const v = (t: TensorInfo) => cpuValues(backend, t);
  return cpuTensor(backend, x0.shape, squareL2CandidateReference(v(xBest), v(x0), v(rowIds), v(eta), v(stats), shapeOf(x0), attrsOf(attrs)));
};

const pairs: [string, KernelFunc, KernelFunc][] = [
  [SquareMargin, squareMarginWebGPU, squareMarginCpu],
  [SquareAccept, squareAcceptWebGPU, squareAcceptCpu],
  [SquareLinfInit, squareLinfInitWebGPU, squareLinfInitCpu],
  [SquareLinfCandidate, squareLinfCandidateWebGPU, squareLinfCandidateCpu],
  [SquareL2Init, squareL2InitWebGPU, squareL2InitCpu],
  [SquareL2Stats, squareL2StatsWebGPU, squareL2StatsCpu],
  [SquareL2Candidate, squareL2CandidateWebGPU, squareL2CandidateCpu],
];

export const squareKernelConfigs: KernelConfig[] = pairs.flatMap(([kernelName, webgpu, cpu]) => [
  { kernelName, backendName: 'webgpu', kernelFunc: webgpu },
  { kernelName, backendName: 'cpu', kernelFunc: cpu },
]);
