// The kernels of ApgdUpdate, APGD's per-iteration bookkeeping of its large per-example state (the
// misclassified point, the best point and its gradient: three row selects) with three outputs, in place of
// three broadcast-and-select pairs. webgpu: two multi-output passes (best point and gradient; misclassified
// point: one pass would bind 11 storage buffers, WebGPU's default limit is 8), vec4 where every vec4 lies in
// one row, the per-row loss, best loss and wrong flags one value each; cpu: the reference.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { env, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import apgdUpdateBestWgsl from '../../../shaders/apgd_update_best.wgsl';
import apgdUpdateFooledWgsl from '../../../shaders/apgd_update_fooled.wgsl';
import { FLAG_VEC4, i32u, registerFlags, runProgramInto, sizeOf } from '../../program';
import { apgdUpdateReference } from '../cpu/linf';
import { ApgdUpdate } from '../names';

const NAMES = ['next', 'grad', 'xFooled', 'xBest', 'gradBest', 'loss', 'lossBest', 'wrong'] as const;
type Inputs = Record<(typeof NAMES)[number], TensorInfo>;

export const apgdUpdateWebGPU: KernelFunc = ({ inputs, backend }) => {
  const t = inputs as unknown as Inputs;
  const gpu = backend as WebGPUBackend;
  const size = sizeOf(t.next);
  const rows = t.loss.shape[0] ?? 0;
  const outputs = [0, 1, 2].map(() => gpu.makeTensorInfo(t.next.shape, 'float32'));
  if (size === 0) return outputs;
  const rowSize = size / rows;
  registerFlags();
  const width = rowSize % 4 === 0 && env().getBool(FLAG_VEC4) ? 4 : 1;
  // tfjs-webgpu keeps a bool tensor, and an int32 or bool one cast to float32, in an i32 buffer: bind the
  // per-row inputs at the type their buffers hold (the WGSL reads them through f32()).
  const storage = (info: TensorInfo) => (gpu as unknown as { tensorMap: { get(id: object): { dtype: string } } }).tensorMap.get(info.dataId).dtype;
  const scalarInputs = Object.fromEntries((['loss', 'lossBest', 'wrong'] as const).map((n) => [n, storage(t[n]) === 'float32' ? 'f32' : 'i32'])) as Record<string, 'f32' | 'i32'>;
  const pass = (name: string, body: string, inputNames: (typeof NAMES)[number][], outputNames: string[], out: TensorInfo[]) =>
    runProgramInto(
      gpu,
      {
        kernelName: name,
        variant: [width === 4 ? 'vec4' : 'scalar', ...Object.values(scalarInputs)],
        body: `const WIDTH : i32 = ${width};\n${body}`,
        outputs: outputNames,
        outputComponent: width,
        inputs: inputNames,
        inputComponents: inputNames.map((n) => (n in scalarInputs ? 1 : width)),
        inputTypes: scalarInputs,
        invocations: size / width,
        workgroupSize: 256,
        uniforms: [i32u('rowSize', rowSize)],
      },
      inputNames.map((n) => t[n]),
      out,
    );
  pass(`${ApgdUpdate}Best`, apgdUpdateBestWgsl, ['next', 'grad', 'xBest', 'gradBest', 'loss', 'lossBest'], ['xBestOut', 'gradBestOut'], [outputs[1], outputs[2]]);
  pass(`${ApgdUpdate}Fooled`, apgdUpdateFooledWgsl, ['next', 'xFooled', 'wrong'], ['xFooledOut'], [outputs[0]]);
  return outputs;
};

interface CpuBackend {
  data: { get(dataId: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

export const apgdUpdateCpu: KernelFunc = ({ inputs, backend }) => {
  const t = inputs as unknown as Inputs;
  const b = backend as unknown as CpuBackend;
  const v = (n: (typeof NAMES)[number]) => b.data.get(t[n].dataId).values as Float32Array;
  // `wrong` may be bool (a Uint8Array); the references read it as numbers.
  const out = apgdUpdateReference(v('next'), v('grad'), v('xFooled'), v('xBest'), v('gradBest'), v('loss'), v('lossBest'), v('wrong'));
  return out.map((o) => b.makeTensorInfo(t.next.shape, 'float32', o));
};

export const apgdUpdateKernelConfigs: KernelConfig[] = [
  { kernelName: ApgdUpdate, backendName: 'webgpu', kernelFunc: apgdUpdateWebGPU },
  { kernelName: ApgdUpdate, backendName: 'cpu', kernelFunc: apgdUpdateCpu },
];
