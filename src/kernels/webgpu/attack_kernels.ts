// Kernel configs of the attack kernels for the `webgpu` backend: each flattens its inputs (a view, no copy),
// runs its program with scalars in uniforms, and returns an output of the input's shape.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import {
  ApgdStep,
  Copy,
  DlrLoss,
  DlrLossGrad,
  type ApgdStepAttrs,
  FgsmStep,
  PgdStep,
  RandomStart,
  type FgsmStepAttrs,
  type PgdStepAttrs,
  type RandomStartAttrs,
  FabHyperplane,
  FabProjectionApply,
  FabStep,
  type FabProjectionAttrs,
  type FabStepAttrs,
} from '../names';
import { pcgHash } from '../pcg';
import dlrCommonWgsl from '../../../shaders/dlr_common.wgsl';
import dlrLossWgsl from '../../../shaders/dlr_loss.wgsl';
import dlrLossGradWgsl from '../../../shaders/dlr_loss_grad.wgsl';
import fabApplyWgsl from '../../../shaders/fab_apply.wgsl';
import fabCommonWgsl from '../../../shaders/fab_common.wgsl';
import fabHyperplaneWgsl from '../../../shaders/fab_hyperplane.wgsl';
import fabStepWgsl from '../../../shaders/fab_step.wgsl';
import apgdStepWgsl from '../../../shaders/apgd_step.wgsl';
import copyWgsl from '../../../shaders/copy.wgsl';
import fgsmStepWgsl from '../../../shaders/fgsm_step.wgsl';
import pcgWgsl from '../../../shaders/pcg.wgsl';
import pgdStepWgsl from '../../../shaders/pgd_step.wgsl';
import randomStartWgsl from '../../../shaders/random_start.wgsl';
import { chooseWidth, f32u, i32u, runElementwise, runLogitsProgram, runProgram, sizeOf, u32u, type UniformValue, wgslWith, WORKGROUP_SIZE } from '../../program';

export const fgsmStepWebGPU: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, grad } = inputs as { x: TensorInfo; grad: TensorInfo };
  const a = attrs as unknown as FgsmStepAttrs;
  const uniforms = [f32u('stepSize', a.targeted ? -a.epsilon : a.epsilon), f32u('clipMin', a.clipMin), f32u('clipMax', a.clipMax)];
  return runElementwise(backend as WebGPUBackend, { kernelName: FgsmStep, body: fgsmStepWgsl, inputs: ['x', 'grad'], uniforms }, [x, grad]);
};

export const pgdStepWebGPU: KernelFunc = ({ inputs, backend, attrs }) => {
  const { xAdv, x0, grad } = inputs as { xAdv: TensorInfo; x0: TensorInfo; grad: TensorInfo };
  const a = attrs as unknown as PgdStepAttrs;
  const uniforms = [f32u('stepSize', a.stepSize), f32u('epsilon', a.epsilon), f32u('clipMin', a.clipMin), f32u('clipMax', a.clipMax)];
  return runElementwise(backend as WebGPUBackend, { kernelName: PgdStep, body: pgdStepWgsl, inputs: ['xAdv', 'x0', 'grad'], uniforms }, [xAdv, x0, grad]);
};

export const randomStartWebGPU: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  const a = attrs as unknown as RandomStartAttrs;
  const uniforms = [f32u('epsilon', a.epsilon), f32u('clipMin', a.clipMin), f32u('clipMax', a.clipMax), u32u('key', pcgHash(a.seed))];
  return runElementwise(backend as WebGPUBackend, { kernelName: RandomStart, body: wgslWith({ include: [pcgWgsl] }, randomStartWgsl), inputs: ['x'], uniforms }, [x]);
};

export const copyWebGPU: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as { x: TensorInfo };
  return runElementwise(backend as WebGPUBackend, { kernelName: Copy, body: copyWgsl, inputs: ['x'], uniforms: [] }, [x]);
};

/** APGD's step: inputs at the chosen width, the per-row step sizes one f32 each (vec4 only when every vec4 lies inside one row, so it has one step size). */
export const apgdStepWebGPU: KernelFunc = ({ inputs, backend, attrs }) => {
  const { xCur, xPrev, x0, grad, stepSize } = inputs as Record<'xCur' | 'xPrev' | 'x0' | 'grad' | 'stepSize', TensorInfo>;
  const a = attrs as unknown as ApgdStepAttrs;
  const size = sizeOf(xCur);
  const rows = sizeOf(stepSize);
  const rowSize = rows === 0 ? 1 : size / rows;
  const width = rowSize % 4 === 0 ? chooseWidth(size) : 1;
  const uniforms = [f32u('epsilon', a.epsilon), f32u('momentum', a.momentum), f32u('clipMin', a.clipMin), f32u('clipMax', a.clipMax), i32u('rowSize', rowSize)];
  return runElementwise(
    backend as WebGPUBackend,
    { kernelName: ApgdStep, body: apgdStepWgsl, inputs: ['xCur', 'xPrev', 'x0', 'grad', 'stepSize'], inputComponents: [width, width, width, width, 1], width, uniforms },
    [xCur, xPrev, x0, grad, stepSize],
  );
};

/** DLR's row kernels: one invocation per row (classes are few), the shared row scan prepended. */
export const dlrLossWebGPU: KernelFunc = ({ inputs, backend }) => {
  const { logits, labels } = inputs as { logits: TensorInfo; labels: TensorInfo };
  return runLogitsProgram(backend as WebGPUBackend, DlrLoss, wgslWith({ include: [dlrCommonWgsl] }, dlrLossWgsl), { logits, labels }, [logits.shape[0]]);
};

export const dlrLossGradWebGPU: KernelFunc = ({ inputs, backend }) => {
  const { logits, labels, dy } = inputs as { logits: TensorInfo; labels: TensorInfo; dy: TensorInfo };
  return runLogitsProgram(backend as WebGPUBackend, DlrLossGrad, wgslWith({ include: [dlrCommonWgsl] }, dlrLossGradWgsl), { logits, labels, dy }, logits.shape);
};

/** FAB's kernels: fab_common.wgsl prepended, the norm a constant (part of the pipeline key). */
function runFab(backend: WebGPUBackend, kernelName: string, body: string, l2: boolean, inputs: TensorInfo[], names: string[], invocations: number, workgroupSize: number, uniforms: UniformValue[], outShape: number[]): TensorInfo {
  return runProgram(
    backend,
    {
      kernelName,
      variant: [l2 ? 'l2' : 'linf'],
      body: wgslWith({ constants: { IS_L2: l2 }, include: [fabCommonWgsl] }, body),
      inputs: names,
      inputComponents: names.map(() => 1),
      outputComponent: 1,
      invocations,
      workgroupSize,
      uniforms,
    },
    inputs,
    outShape,
  );
}

/** One invocation per row (each walks its row a few dozen times); small workgroups spread the rows. */
export const fabHyperplaneWebGPU: KernelFunc = ({ inputs, backend, attrs }) => {
  const { points, w, b } = inputs as Record<'points' | 'w' | 'b', TensorInfo>;
  const [rows, cols] = points.shape;
  const a = attrs as unknown as FabProjectionAttrs;
  return runFab(backend as WebGPUBackend, FabHyperplane, fabHyperplaneWgsl, a.l2, [points, w, b], ['points', 'w', 'b'], rows, 16, [i32u('rows', rows), i32u('cols', cols)], [rows, 4]);
};

export const fabProjectionApplyWebGPU: KernelFunc = ({ inputs, backend, attrs }) => {
  const { points, w, params } = inputs as Record<'points' | 'w' | 'params', TensorInfo>;
  const [rows, cols] = points.shape;
  const a = attrs as unknown as FabProjectionAttrs;
  return runFab(backend as WebGPUBackend, FabProjectionApply, fabApplyWgsl, a.l2, [points, w, params], ['points', 'w', 'params'], rows * cols, WORKGROUP_SIZE, [i32u('rows', rows), i32u('cols', cols)], [rows, cols]);
};

export const fabStepWebGPU: KernelFunc = ({ inputs, backend, attrs }) => {
  const { xCur, x0, w, params } = inputs as Record<'xCur' | 'x0' | 'w' | 'params', TensorInfo>;
  const rows = xCur.shape[0];
  const size = sizeOf(xCur);
  const cols = rows === 0 ? 1 : size / rows;
  const a = attrs as unknown as FabStepAttrs;
  const uniforms = [i32u('rows', rows), i32u('cols', cols), f32u('eta', a.eta), f32u('alphaMax', a.alphaMax)];
  return runFab(backend as WebGPUBackend, FabStep, fabStepWgsl, a.l2, [xCur, x0, w, params], ['xCur', 'x0', 'w', 'params'], size, WORKGROUP_SIZE, uniforms, xCur.shape);
};

export const webgpuKernelConfigs: KernelConfig[] = [
  { kernelName: FabHyperplane, backendName: 'webgpu', kernelFunc: fabHyperplaneWebGPU },
  { kernelName: FabProjectionApply, backendName: 'webgpu', kernelFunc: fabProjectionApplyWebGPU },
  { kernelName: FabStep, backendName: 'webgpu', kernelFunc: fabStepWebGPU },
  { kernelName: ApgdStep, backendName: 'webgpu', kernelFunc: apgdStepWebGPU },
  { kernelName: DlrLoss, backendName: 'webgpu', kernelFunc: dlrLossWebGPU },
  { kernelName: DlrLossGrad, backendName: 'webgpu', kernelFunc: dlrLossGradWebGPU },
  { kernelName: FgsmStep, backendName: 'webgpu', kernelFunc: fgsmStepWebGPU },
  { kernelName: PgdStep, backendName: 'webgpu', kernelFunc: pgdStepWebGPU },
  { kernelName: RandomStart, backendName: 'webgpu', kernelFunc: randomStartWebGPU },
  { kernelName: Copy, backendName: 'webgpu', kernelFunc: copyWebGPU },
];
