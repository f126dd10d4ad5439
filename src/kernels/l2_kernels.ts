// The webgpu kernels of the L2 attack steps (PgdStepL2, ApgdStepL2, RandomStartL2) and of the targeted DLR
// loss. An L2 step needs each example's norms before its elements: a row pass (one invocation per example,
// engine program) writes them to a small [rows, k] tensor, then one fused element pass (vec4 where every
// vec4 lies in one row) computes the step from them; both passes include the same WGSL formulas, so they
// round alike. The targeted DLR loss and its gradient are row kernels like DlrLoss and DlrLossGrad.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import apgdStepL2Wgsl from '../../shaders/apgd_step_l2.wgsl';
import apgdStepL2ElementWgsl from '../../shaders/apgd_step_l2_element.wgsl';
import apgdStepL2NormsWgsl from '../../shaders/apgd_step_l2_norms.wgsl';
import dlrTargetedCommonWgsl from '../../shaders/dlr_targeted_common.wgsl';
import dlrTargetedLossWgsl from '../../shaders/dlr_targeted_loss.wgsl';
import dlrTargetedLossGradWgsl from '../../shaders/dlr_targeted_loss_grad.wgsl';
import commonWgsl from '../../shaders/elementwise_common.wgsl';
import l2CommonWgsl from '../../shaders/l2_common.wgsl';
import pcgWgsl from '../../shaders/pcg.wgsl';
import pgdStepL2Wgsl from '../../shaders/pgd_step_l2.wgsl';
import pgdStepL2ElementWgsl from '../../shaders/pgd_step_l2_element.wgsl';
import pgdStepL2NormsWgsl from '../../shaders/pgd_step_l2_norms.wgsl';
import randomStartL2Wgsl from '../../shaders/random_start_l2.wgsl';
import randomStartL2ElementWgsl from '../../shaders/random_start_l2_element.wgsl';
import randomStartL2NormsWgsl from '../../shaders/random_start_l2_norms.wgsl';
import { f32u, i32u, runEngineProgram, type UniformValue } from '../engine/program';
import { pcgHash } from '../reference';
import { chooseWidth, ElementwiseProgram, type UniformField, type Width } from './elementwise_program';
import { ApgdStepL2, DlrTargetedLoss, DlrTargetedLossGrad, PgdStepL2, RandomStartL2, type ApgdStepAttrs, type PgdStepAttrs, type RandomStartAttrs } from './kernel_names';

/** The aliases elementwise_common.wgsl expects, at scalar width (the row passes read one f32 at a time). */
const SCALAR_ALIASES = ['alias F = f32;', 'alias U = u32;', 'alias B = bool;', 'const LANES : u32 = 1u;', 'const LANE_OFFSETS : U = U(0u);'].join('\n');

/** One L2 kernel: its name, the WGSL its passes share, its row and element bodies, its inputs and extra uniforms. */
interface L2KernelSpec {
  kernelName: string;
  shared: string;
  rowBody: string;
  elementBody: string;
  /** Norms per row that the row pass writes. */
  normsPerRow: number;
  /** Inputs at the element width, then inputs with one f32 per row (before the norms). */
  elementInputs: string[];
  rowInputs: string[];
  /** The row pass reads the inputs (false: it reads none, as the random start's noise norm). */
  rowPassReadsInputs: boolean;
  /** Uniforms after epsilon, clipMin, clipMax, rowSize (same names and order in both passes). */
  extra: UniformValue[];
}

class L2ElementProgram extends ElementwiseProgram {
  variableNames: string[];
  variableComponents: number[];
  constructor(spec: L2KernelSpec, size: number, width: Width, uniforms: UniformField[]) {
    super(spec.kernelName, `${spec.shared}\n${spec.elementBody}`, size, width, uniforms);
    this.variableNames = [...spec.elementInputs, ...spec.rowInputs, 'norms'];
    this.variableComponents = [...spec.elementInputs.map(() => width), ...spec.rowInputs.map(() => 1), 1];
  }
}

const flat = (t: TensorInfo, size: number): TensorInfo => ({ dataId: t.dataId, shape: [size], dtype: t.dtype });
const sizeOf = (t: TensorInfo): number => t.shape.reduce((a, b) => a * b, 1);

/** Runs the row pass then the element pass of `spec` on `inputs` (element inputs first, then per-row ones). */
function runL2(backend: WebGPUBackend, spec: L2KernelSpec, inputs: TensorInfo[], bounds: { epsilon: number; clipMin: number; clipMax: number }): TensorInfo {
  const like = inputs[0];
  const size = sizeOf(like);
  const rows = like.shape[0] ?? 0;
  const result = backend.makeTensorInfo(like.shape, 'float32');
  if (size === 0) return result;
  const rowSize = size / rows;
  const uniforms = [f32u('epsilon', bounds.epsilon), f32u('clipMin', bounds.clipMin), f32u('clipMax', bounds.clipMax), i32u('rowSize', rowSize), ...spec.extra];
  const elementCount = spec.elementInputs.length;
  const flatInputs = inputs.map((t, i) => flat(t, i < elementCount ? size : rows));
  const norms = runEngineProgram(
    backend,
    {
      kernelName: `${spec.kernelName}Norms`,
      variant: [],
      constants: [],
      body: [SCALAR_ALIASES, commonWgsl, spec.shared, spec.rowBody].join('\n'),
      variableNames: spec.rowPassReadsInputs ? [...spec.elementInputs, ...spec.rowInputs] : [],
      variableComponents: spec.rowPassReadsInputs ? inputs.map(() => 1) : [],
      outputComponent: 1,
      invocations: rows,
      workgroupSize: 64,
      uniforms,
    },
    spec.rowPassReadsInputs ? flatInputs : [],
    [rows * spec.normsPerRow],
  );
  const width = rowSize % 4 === 0 ? chooseWidth(size) : 1;
  const program = new L2ElementProgram(spec, size, width, uniforms.map((u) => ({ name: u.name, type: u.type })));
  const data = uniforms.map((u) => ({ type: u.type === 'f32' ? 'float32' : u.type === 'u32' ? 'uint32' : 'int32', data: [u.value] }));
  backend.runWebGPUProgram(program, [...flatInputs, norms], 'float32', data, flat(result, size));
  backend.disposeData(norms.dataId);
  return result;
}

const PGD_L2: Omit<L2KernelSpec, 'extra'> = {
  kernelName: PgdStepL2,
  shared: `${l2CommonWgsl}\n${pgdStepL2Wgsl}`,
  rowBody: pgdStepL2NormsWgsl,
  elementBody: pgdStepL2ElementWgsl,
  normsPerRow: 2,
  elementInputs: ['xAdv', 'x0', 'grad'],
  rowInputs: [],
  rowPassReadsInputs: true,
};

const APGD_L2: Omit<L2KernelSpec, 'extra'> = {
  kernelName: ApgdStepL2,
  shared: `${l2CommonWgsl}\n${apgdStepL2Wgsl}`,
  rowBody: apgdStepL2NormsWgsl,
  elementBody: apgdStepL2ElementWgsl,
  normsPerRow: 3,
  elementInputs: ['xCur', 'xPrev', 'x0', 'grad'],
  rowInputs: ['stepSize'],
  rowPassReadsInputs: true,
};

const RANDOM_START_L2: Omit<L2KernelSpec, 'extra'> = {
  kernelName: RandomStartL2,
  shared: `${pcgWgsl}\n${l2CommonWgsl}\n${randomStartL2Wgsl}`,
  rowBody: randomStartL2NormsWgsl,
  elementBody: randomStartL2ElementWgsl,
  normsPerRow: 1,
  elementInputs: ['x'],
  rowInputs: [],
  rowPassReadsInputs: false,
};

export const pgdStepL2WebGPU: KernelFunc = ({ inputs, backend, attrs }) => {
  const { xAdv, x0, grad } = inputs as Record<'xAdv' | 'x0' | 'grad', TensorInfo>;
  const a = attrs as unknown as PgdStepAttrs;
  return runL2(backend as WebGPUBackend, { ...PGD_L2, extra: [f32u('stepSize', a.stepSize)] }, [xAdv, x0, grad], a);
};

export const apgdStepL2WebGPU: KernelFunc = ({ inputs, backend, attrs }) => {
  const { xCur, xPrev, x0, grad, stepSize } = inputs as Record<'xCur' | 'xPrev' | 'x0' | 'grad' | 'stepSize', TensorInfo>;
  const a = attrs as unknown as ApgdStepAttrs;
  return runL2(backend as WebGPUBackend, { ...APGD_L2, extra: [f32u('momentum', a.momentum)] }, [xCur, xPrev, x0, grad, stepSize], a);
};

export const randomStartL2WebGPU: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  const a = attrs as unknown as RandomStartAttrs;
  return runL2(backend as WebGPUBackend, { ...RANDOM_START_L2, extra: [{ name: 'key', type: 'u32', value: pcgHash(a.seed) }] }, [x], a);
};

/** The targeted DLR's row kernels: one invocation per row, the shared top-four scan prepended. */
function runDlrTargeted(backend: WebGPUBackend, kernelName: string, body: string, inputs: TensorInfo[], names: string[], outShape: number[]): TensorInfo {
  const [rows, classes] = inputs[0].shape;
  return runEngineProgram(
    backend,
    {
      kernelName,
      variant: [],
      constants: [],
      body: `${dlrTargetedCommonWgsl}\n${body}`,
      variableNames: names,
      variableComponents: names.map(() => 1),
      outputComponent: 1,
      invocations: rows,
      workgroupSize: 64,
      uniforms: [i32u('rows', rows), i32u('classes', classes)],
    },
    inputs,
    outShape,
  );
}

export const dlrTargetedLossWebGPU: KernelFunc = ({ inputs, backend }) => {
  const { logits, labels, targets } = inputs as Record<'logits' | 'labels' | 'targets', TensorInfo>;
  return runDlrTargeted(backend as WebGPUBackend, DlrTargetedLoss, dlrTargetedLossWgsl, [logits, labels, targets], ['logits', 'labels', 'targets'], [logits.shape[0]]);
};

export const dlrTargetedLossGradWebGPU: KernelFunc = ({ inputs, backend }) => {
  const { logits, labels, targets, dy } = inputs as Record<'logits' | 'labels' | 'targets' | 'dy', TensorInfo>;
  return runDlrTargeted(backend as WebGPUBackend, DlrTargetedLossGrad, dlrTargetedLossGradWgsl, [logits, labels, targets, dy], ['logits', 'labels', 'targets', 'dy'], logits.shape);
};

export const l2WebgpuKernelConfigs: KernelConfig[] = [
  { kernelName: PgdStepL2, backendName: 'webgpu', kernelFunc: pgdStepL2WebGPU },
  { kernelName: ApgdStepL2, backendName: 'webgpu', kernelFunc: apgdStepL2WebGPU },
  { kernelName: RandomStartL2, backendName: 'webgpu', kernelFunc: randomStartL2WebGPU },
  { kernelName: DlrTargetedLoss, backendName: 'webgpu', kernelFunc: dlrTargetedLossWebGPU },
  { kernelName: DlrTargetedLossGrad, backendName: 'webgpu', kernelFunc: dlrTargetedLossGradWebGPU },
];
