// The webgpu kernels of the L2 attack steps (PgdStepL2, ApgdStepL2, RandomStartL2) and of the targeted DLR
// loss. An L2 step needs each example's norms before its elements: a row pass (one invocation per example,
// engine program) writes them to a small [rows, k] tensor, then one fused element pass (vec4 where every
// vec4 lies in one row) computes the step from them; both passes include the same WGSL formulas, so they
// round alike. The targeted DLR loss and its gradient are row kernels like DlrLoss and DlrLossGrad.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import apgdStepL2Wgsl from '../../../shaders/apgd_step_l2.wgsl';
import apgdStepL2ElementWgsl from '../../../shaders/apgd_step_l2_element.wgsl';
import apgdStepL2NormsWgsl from '../../../shaders/apgd_step_l2_norms.wgsl';
import dlrCommonWgsl from '../../../shaders/dlr_common.wgsl';
import dlrTargetedCommonWgsl from '../../../shaders/dlr_targeted_common.wgsl';
import dlrTargetedLossWgsl from '../../../shaders/dlr_targeted_loss.wgsl';
import dlrTargetedLossGradWgsl from '../../../shaders/dlr_targeted_loss_grad.wgsl';
import l2CommonWgsl from '../../../shaders/l2_common.wgsl';
import pcgWgsl from '../../../shaders/pcg.wgsl';
import pgdStepL2Wgsl from '../../../shaders/pgd_step_l2.wgsl';
import pgdStepL2ElementWgsl from '../../../shaders/pgd_step_l2_element.wgsl';
import pgdStepL2NormsWgsl from '../../../shaders/pgd_step_l2_norms.wgsl';
import randomStartL2Wgsl from '../../../shaders/random_start_l2.wgsl';
import randomStartL2ElementWgsl from '../../../shaders/random_start_l2_element.wgsl';
import randomStartL2NormsWgsl from '../../../shaders/random_start_l2_norms.wgsl';
import { chooseWidth, elementwisePreamble, elementwiseSpec, f32u, i32u, runLogitsProgram, runProgram, runProgramInto, sizeOf, u32u, type UniformValue, wgslWith } from '../../program';
import { pcgHash } from '../pcg';
import { type ApgdStepAttrs, ApgdStepL2, DlrTargetedLoss, DlrTargetedLossGrad, type PgdStepAttrs, PgdStepL2, type RandomStartAttrs, RandomStartL2 } from '../names';

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

/** Runs the row pass then the element pass of `spec` on `inputs` (element inputs first, then per-row ones). */
function runL2(backend: WebGPUBackend, spec: L2KernelSpec, inputs: TensorInfo[], bounds: { epsilon: number; clipMin: number; clipMax: number }): TensorInfo {
  const like = inputs[0];
  const size = sizeOf(like);
  const rows = like.shape[0] ?? 0;
  const result = backend.makeTensorInfo(like.shape, 'float32');
  if (size === 0) return result;
  const rowSize = size / rows;
  const uniforms = [f32u('epsilon', bounds.epsilon), f32u('clipMin', bounds.clipMin), f32u('clipMax', bounds.clipMax), i32u('rowSize', rowSize), ...spec.extra];
  const rowInputs = spec.rowPassReadsInputs ? [...spec.elementInputs, ...spec.rowInputs] : [];
  const norms = runProgram(
    backend,
    {
      kernelName: `${spec.kernelName}Norms`,
      variant: [],
      // The row pass reads one f32 at a time: the element helpers at scalar width.
      body: wgslWith({ include: [elementwisePreamble(1), spec.shared] }, spec.rowBody),
      inputs: rowInputs,
      inputComponents: rowInputs.map(() => 1),
      outputComponent: 1,
      invocations: rows,
      workgroupSize: 64,
      uniforms,
    },
    spec.rowPassReadsInputs ? inputs : [],
    [rows * spec.normsPerRow],
  );
  const width = rowSize % 4 === 0 ? chooseWidth(size) : 1;
  const element = elementwiseSpec({
    kernelName: spec.kernelName,
    body: wgslWith({ include: [spec.shared] }, spec.elementBody),
    size,
    width,
    inputs: [...spec.elementInputs, ...spec.rowInputs, 'norms'],
    inputComponents: [...spec.elementInputs.map(() => width), ...spec.rowInputs.map(() => 1 as const), 1],
    uniforms,
  });
  runProgramInto(backend, element, [...inputs, norms], [result]);
  backend.disposeData(norms.dataId);
  return result;
}

const PGD_L2: Omit<L2KernelSpec, 'extra'> = {
  kernelName: PgdStepL2,
  shared: wgslWith({ include: [l2CommonWgsl] }, pgdStepL2Wgsl),
  rowBody: pgdStepL2NormsWgsl,
  elementBody: pgdStepL2ElementWgsl,
  normsPerRow: 2,
  elementInputs: ['xAdv', 'x0', 'grad'],
  rowInputs: [],
  rowPassReadsInputs: true,
};

const APGD_L2: Omit<L2KernelSpec, 'extra'> = {
  kernelName: ApgdStepL2,
  shared: wgslWith({ include: [l2CommonWgsl] }, apgdStepL2Wgsl),
  rowBody: apgdStepL2NormsWgsl,
  elementBody: apgdStepL2ElementWgsl,
  normsPerRow: 3,
  elementInputs: ['xCur', 'xPrev', 'x0', 'grad'],
  rowInputs: ['stepSize'],
  rowPassReadsInputs: true,
};

const RANDOM_START_L2: Omit<L2KernelSpec, 'extra'> = {
  kernelName: RandomStartL2,
  shared: wgslWith({ include: [pcgWgsl, l2CommonWgsl] }, randomStartL2Wgsl),
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
  return runL2(backend as WebGPUBackend, { ...RANDOM_START_L2, extra: [u32u('key', pcgHash(a.seed))] }, [x], a);
};

/** The targeted DLR's row kernels: one invocation per row, the shared top-four scan prepended. */
export const dlrTargetedLossWebGPU: KernelFunc = ({ inputs, backend }) => {
  const { logits, labels, targets } = inputs as Record<'logits' | 'labels' | 'targets', TensorInfo>;
  return runLogitsProgram(backend as WebGPUBackend, DlrTargetedLoss, wgslWith({ include: [dlrCommonWgsl, dlrTargetedCommonWgsl] }, dlrTargetedLossWgsl), { logits, labels, targets }, [logits.shape[0]]);
};

export const dlrTargetedLossGradWebGPU: KernelFunc = ({ inputs, backend }) => {
  const { logits, labels, targets, dy } = inputs as Record<'logits' | 'labels' | 'targets' | 'dy', TensorInfo>;
  return runLogitsProgram(backend as WebGPUBackend, DlrTargetedLossGrad, wgslWith({ include: [dlrCommonWgsl, dlrTargetedCommonWgsl] }, dlrTargetedLossGradWgsl), { logits, labels, targets, dy }, logits.shape);
};

export const l2WebgpuKernelConfigs: KernelConfig[] = [
  { kernelName: PgdStepL2, backendName: 'webgpu', kernelFunc: pgdStepL2WebGPU },
  { kernelName: ApgdStepL2, backendName: 'webgpu', kernelFunc: apgdStepL2WebGPU },
  { kernelName: RandomStartL2, backendName: 'webgpu', kernelFunc: randomStartL2WebGPU },
  { kernelName: DlrTargetedLoss, backendName: 'webgpu', kernelFunc: dlrTargetedLossWebGPU },
  { kernelName: DlrTargetedLossGrad, backendName: 'webgpu', kernelFunc: dlrTargetedLossGradWebGPU },
];
