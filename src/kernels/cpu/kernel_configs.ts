// Kernel configs of the attack kernels for the `cpu` backend: the plain-TypeScript references of
// src/kernels/cpu/linf.ts and l2.ts run on the tensors' values.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { apgdStepReference, copyReference, dlrLossGradReference, dlrLossReference, fgsmStepReference, pgdStepReference, randomStartReference } from './linf';
import { apgdStepL2Reference, dlrTargetedLossGradReference, dlrTargetedLossReference, pgdStepL2Reference, randomStartL2Reference } from './l2';
import {
  ApgdStep,
  ApgdStepL2,
  Copy,
  DlrTargetedLoss,
  DlrTargetedLossGrad,
  PgdStepL2,
  RandomStartL2,
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
import { fabApplyReference, fabProjectionReference, fabRowParamsLayout, fabStepReference } from './fab';

/** The slice of tfjs-backend-cpu's MathBackendCPU these kernels use. */
interface CpuBackend {
  data: { get(dataId: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

const valuesOf = (backend: CpuBackend, t: TensorInfo): Float32Array =>
  backend.data.get(t.dataId).values as Float32Array;

export const fgsmStepCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as CpuBackend;
  const { x, grad } = inputs as { x: TensorInfo; grad: TensorInfo };
  const out = fgsmStepReference(valuesOf(b, x), valuesOf(b, grad), attrs as unknown as FgsmStepAttrs);
  return b.makeTensorInfo(x.shape, 'float32', out);
};

export const pgdStepCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as CpuBackend;
  const { xAdv, x0, grad } = inputs as { xAdv: TensorInfo; x0: TensorInfo; grad: TensorInfo };
  const out = pgdStepReference(
    valuesOf(b, xAdv),
    valuesOf(b, x0),
    valuesOf(b, grad),
    attrs as unknown as PgdStepAttrs,
  );
  return b.makeTensorInfo(xAdv.shape, 'float32', out);
};

export const randomStartCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as CpuBackend;
  const { x } = inputs as { x: TensorInfo };
  const out = randomStartReference(valuesOf(b, x), attrs as unknown as RandomStartAttrs);
  return b.makeTensorInfo(x.shape, 'float32', out);
};

export const copyCpu: KernelFunc = ({ inputs, backend }) => {
  const b = backend as unknown as CpuBackend;
  const { x } = inputs as { x: TensorInfo };
  return b.makeTensorInfo(x.shape, 'float32', copyReference(valuesOf(b, x)));
};

/** Values as float32 (labels may sit in an int32 buffer after a cast). */
const floatValuesOf = (backend: CpuBackend, t: TensorInfo): Float32Array => {
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : Float32Array.from(v as ArrayLike<number>);
};

export const apgdStepCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as CpuBackend;
  const { xCur, xPrev, x0, grad, stepSize } = inputs as Record<'xCur' | 'xPrev' | 'x0' | 'grad' | 'stepSize', TensorInfo>;
  const out = apgdStepReference(valuesOf(b, xCur), valuesOf(b, xPrev), valuesOf(b, x0), valuesOf(b, grad), valuesOf(b, stepSize), attrs as unknown as ApgdStepAttrs);
  return b.makeTensorInfo(xCur.shape, 'float32', out);
};

export const dlrLossCpu: KernelFunc = ({ inputs, backend }) => {
  const b = backend as unknown as CpuBackend;
  const { logits, labels } = inputs as { logits: TensorInfo; labels: TensorInfo };
  const [rows, classes] = logits.shape;
  return b.makeTensorInfo([rows], 'float32', dlrLossReference(valuesOf(b, logits), floatValuesOf(b, labels), rows, classes));
};

export const dlrLossGradCpu: KernelFunc = ({ inputs, backend }) => {
  const b = backend as unknown as CpuBackend;
  const { logits, labels, dy } = inputs as { logits: TensorInfo; labels: TensorInfo; dy: TensorInfo };
  const [rows, classes] = logits.shape;
  const out = dlrLossGradReference(valuesOf(b, logits), floatValuesOf(b, labels), valuesOf(b, dy), rows, classes);
  return b.makeTensorInfo(logits.shape, 'float32', out);
};

export const pgdStepL2Cpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as CpuBackend;
  const { xAdv, x0, grad } = inputs as Record<'xAdv' | 'x0' | 'grad', TensorInfo>;
  const out = pgdStepL2Reference(valuesOf(b, xAdv), valuesOf(b, x0), valuesOf(b, grad), xAdv.shape[0] ?? 0, attrs as unknown as PgdStepAttrs);
  return b.makeTensorInfo(xAdv.shape, 'float32', out);
};

export const apgdStepL2Cpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as CpuBackend;
  const { xCur, xPrev, x0, grad, stepSize } = inputs as Record<'xCur' | 'xPrev' | 'x0' | 'grad' | 'stepSize', TensorInfo>;
  const out = apgdStepL2Reference(valuesOf(b, xCur), valuesOf(b, xPrev), valuesOf(b, x0), valuesOf(b, grad), valuesOf(b, stepSize), attrs as unknown as ApgdStepAttrs);
  return b.makeTensorInfo(xCur.shape, 'float32', out);
};

export const randomStartL2Cpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as CpuBackend;
  const { x } = inputs as { x: TensorInfo };
  return b.makeTensorInfo(x.shape, 'float32', randomStartL2Reference(valuesOf(b, x), x.shape[0] ?? 0, attrs as unknown as RandomStartAttrs));
};

export const dlrTargetedLossCpu: KernelFunc = ({ inputs, backend }) => {
  const b = backend as unknown as CpuBackend;
  const { logits, labels, targets } = inputs as Record<'logits' | 'labels' | 'targets', TensorInfo>;
  const [rows, classes] = logits.shape;
  const out = dlrTargetedLossReference(valuesOf(b, logits), floatValuesOf(b, labels), floatValuesOf(b, targets), rows, classes);
  return b.makeTensorInfo([rows], 'float32', out);
};

export const dlrTargetedLossGradCpu: KernelFunc = ({ inputs, backend }) => {
  const b = backend as unknown as CpuBackend;
  const { logits, labels, targets, dy } = inputs as Record<'logits' | 'labels' | 'targets' | 'dy', TensorInfo>;
  const [rows, classes] = logits.shape;
  const out = dlrTargetedLossGradReference(valuesOf(b, logits), floatValuesOf(b, labels), floatValuesOf(b, targets), valuesOf(b, dy), rows, classes);
  return b.makeTensorInfo(logits.shape, 'float32', out);
};

/** FAB's row parameters from the reference's projection (float64), stored as float32. */
export const fabHyperplaneCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as CpuBackend;
  const { points, w, b: offsets } = inputs as Record<'points' | 'w' | 'b', TensorInfo>;
  const [rows, cols] = points.shape;
  const norm = (attrs as unknown as FabProjectionAttrs).l2 ? 'l2' : 'linf';
  const p = fabProjectionReference(valuesOf(b, points), valuesOf(b, w), valuesOf(b, offsets), rows, cols, norm);
  return b.makeTensorInfo([rows, 4], 'float32', fabRowParamsLayout(p));
};

export const fabProjectionApplyCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as CpuBackend;
  const { points, w, params } = inputs as Record<'points' | 'w' | 'params', TensorInfo>;
  const norm = (attrs as unknown as FabProjectionAttrs).l2 ? 'l2' : 'linf';
  return b.makeTensorInfo(points.shape, 'float32', fabApplyReference(valuesOf(b, points), valuesOf(b, w), valuesOf(b, params), points.shape[1], norm));
};

export const fabStepCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as CpuBackend;
  const { xCur, x0, w, params } = inputs as Record<'xCur' | 'x0' | 'w' | 'params', TensorInfo>;
  const a = attrs as unknown as FabStepAttrs;
  const x = valuesOf(b, xCur);
  const cols = xCur.shape[0] === 0 ? 1 : x.length / xCur.shape[0];
  const out = fabStepReference(x, valuesOf(b, x0), valuesOf(b, w), valuesOf(b, params), cols, { eta: a.eta, alphaMax: a.alphaMax, norm: a.l2 ? 'l2' : 'linf' });
  return b.makeTensorInfo(xCur.shape, 'float32', out);
};

export const cpuKernelConfigs: KernelConfig[] = [
  { kernelName: PgdStepL2, backendName: 'cpu', kernelFunc: pgdStepL2Cpu },
  { kernelName: ApgdStepL2, backendName: 'cpu', kernelFunc: apgdStepL2Cpu },
  { kernelName: RandomStartL2, backendName: 'cpu', kernelFunc: randomStartL2Cpu },
  { kernelName: DlrTargetedLoss, backendName: 'cpu', kernelFunc: dlrTargetedLossCpu },
  { kernelName: DlrTargetedLossGrad, backendName: 'cpu', kernelFunc: dlrTargetedLossGradCpu },
  { kernelName: FabHyperplane, backendName: 'cpu', kernelFunc: fabHyperplaneCpu },
  { kernelName: FabProjectionApply, backendName: 'cpu', kernelFunc: fabProjectionApplyCpu },
  { kernelName: FabStep, backendName: 'cpu', kernelFunc: fabStepCpu },
  { kernelName: ApgdStep, backendName: 'cpu', kernelFunc: apgdStepCpu },
  { kernelName: DlrLoss, backendName: 'cpu', kernelFunc: dlrLossCpu },
  { kernelName: DlrLossGrad, backendName: 'cpu', kernelFunc: dlrLossGradCpu },
  { kernelName: FgsmStep, backendName: 'cpu', kernelFunc: fgsmStepCpu },
  { kernelName: PgdStep, backendName: 'cpu', kernelFunc: pgdStepCpu },
  { kernelName: RandomStart, backendName: 'cpu', kernelFunc: randomStartCpu },
  { kernelName: Copy, backendName: 'cpu', kernelFunc: copyCpu },
];
