// Engine element-wise kernels: Relu, Step (ReLU's derivative in tfjs's gradients), Multiply, Add and Sub
// (same shape, or a vector over the last axis: a bias, a per-channel scale, batch normalisation's x - mean;
// for Add and Multiply the vector on either side), and the fused ReLU and ClipByValue (ReLU6) gradients.
// vec4 where the element count allows it, through the element-wise program.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { util, type TensorInfo } from '@tensorflow/tfjs-core';
import addWgsl from '../../../shaders/engine/add.wgsl';
import multiplyWgsl from '../../../shaders/engine/multiply.wgsl';
import subWgsl from '../../../shaders/engine/sub.wgsl';
import reluWgsl from '../../../shaders/engine/relu.wgsl';
import reluGradWgsl from '../../../shaders/engine/relu_grad.wgsl';
import clipGradWgsl from '../../../shaders/engine/clip_grad.wgsl';
import relu6GradWgsl from '../../../shaders/engine/relu6_grad.wgsl';
import batchNormGradXWgsl from '../../../shaders/engine/batch_norm_grad_x.wgsl';
import batchNormWgsl from '../../../shaders/engine/batch_norm.wgsl';
import stepWgsl from '../../../shaders/engine/step.wgsl';
import type { EngineImpl } from '../impl';
import { chooseWidth, f32u, i32u, runElementwise, type UniformValue, type Width } from '../../program';

/** One engine element-wise kernel over `tensors` (output of the first one's shape). */
function run(backend: WebGPUBackend, kernelName: string, body: string, inputs: string[], tensors: TensorInfo[], uniforms: UniformValue[], width?: Width): TensorInfo {
  return runElementwise(backend, { kernelName, body, inputs, uniforms, width }, tensors);
}

type Impl = EngineImpl;

const relu: Impl = (inputs, backend) => {
  const x = inputs.x!;
  if (x.dtype !== 'float32') return null;
  return run(backend, 'Relu', reluWgsl, ['x'], [x], []);
};

const step: Impl = (inputs, backend, attrs) => {
  const x = inputs.x!;
  if (x.dtype !== 'float32') return null;
  return run(backend, 'Step', stepWgsl, ['x'], [x], [f32u('alpha', Number(attrs.alpha ?? 0))]);
};

/** Whether `v` is a vector over `full`'s last axis: its size that axis's, its leading axes 1, at most full's rank. */
const vectorOver = (v: TensorInfo, full: TensorInfo): boolean =>
  full.shape.length >= 1 && v.shape.length <= full.shape.length && util.sizeFromShape(v.shape) === full.shape[full.shape.length - 1] && v.shape.every((d, i) => i === v.shape.length - 1 || d === 1);

/**
 * a (op) b for same shapes, or b a vector over a's last axis (a bias, a per-channel scale, a mean; b's
 * leading axes 1, at most a's rank): one pass, b read at i mod bSize. `commutative` (Add, Multiply): a
 * vector over b's last axis too, the operands swapped (IEEE a + b and a * b are b + a and b * a bit for bit).
 */
const lastAxisBinary = (kernelName: 'Add' | 'Multiply' | 'Sub', body: string, commutative: boolean): Impl => (inputs, backend) => {
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const swap = !util.arraysEqual(a.shape, b.shape) && !vectorOver(b, a) && commutative && vectorOver(a, b);
  const [full, other] = swap ? [b, a] : [a, b];
  if (!util.arraysEqual(full.shape, other.shape) && !vectorOver(other, full)) return null;
  const size = util.sizeFromShape(full.shape);
  const bSize = util.sizeFromShape(other.shape);
  const width = chooseWidth(bSize) === 4 && size % 4 === 0 ? 4 : 1;
  return run(backend, kernelName, body, ['a', 'b'], [full, other], [i32u('bSize', bSize / width)], width);
};

const multiply = lastAxisBinary('Multiply', multiplyWgsl, true);
/** a + b for same shapes, or a vector over the other's last axis (bias add). */
const add = lastAxisBinary('Add', addWgsl, true);
/** a - b for same shapes, or b a vector over a's last axis (x - mean in batch statistics). */
const sub = lastAxisBinary('Sub', subWgsl, false);

/**
 * FusedBatchNorm (tf.batchNorm) over the last axis of x with per-channel statistics: one scalar pass in
 * tfjs-webgpu's formula (its kernel computes each element's channel through its broadcasting index maps).
 * A missing scale or offset (1, 0) and other shapes go to tfjs.
 */
const batchNorm: Impl = (inputs, backend, attrs) => {
  const { x, mean, variance, scale, offset } = inputs as Record<string, TensorInfo | undefined>;
  if (!x || !mean || !variance || !scale || !offset) return null;
  const channels = x.shape[x.shape.length - 1];
  const perChannel = [mean, variance, scale, offset].every((t) => t.shape.length === 1 && t.shape[0] === channels);
  if (!perChannel || [x, mean, variance, scale, offset].some((t) => t.dtype !== 'float32')) return null;
  const eps = Number((attrs as { varianceEpsilon?: number }).varianceEpsilon ?? 0.001);
  return run(backend, 'BatchNorm', batchNormWgsl, ['x', 'mean', 'variance', 'scale', 'offset'], [x, mean, variance, scale, offset], [i32u('channels', channels), f32u('varianceEpsilon', eps)], 1);
};

export const engineElementwiseKernels = { Add: add, Sub: sub, Relu: relu, Step: step, Multiply: multiply, FusedBatchNorm: batchNorm };

/** The engine's ReLU gradient kernel: dy where x > 0, else 0. */
export const ReluGradEngine = 'EngineReluGrad';

/** dx of ReLU in one kernel (registered for webgpu under `EngineReluGrad`; the Relu gradient calls it). */
export function reluGradWebGPU(backend: WebGPUBackend, dy: TensorInfo, x: TensorInfo): TensorInfo {
  return run(backend, 'ReluGrad', reluGradWgsl, ['dy', 'x'], [dy, x], []);
}

/** The engine's ClipByValue gradient kernel: dy where clipMin <= x <= clipMax, else 0. */
export const ClipByValueGradEngine = 'EngineClipByValueGrad';

/** dx of ClipByValue in one kernel (registered for webgpu under `EngineClipByValueGrad`; ReLU6's gradient). */
export function clipByValueGradWebGPU(backend: WebGPUBackend, dy: TensorInfo, x: TensorInfo, clipMin: number, clipMax: number): TensorInfo {
  return run(backend, 'ClipByValueGrad', clipGradWgsl, ['dy', 'x'], [dy, x], [f32u('clipMin', clipMin), f32u('clipMax', clipMax)]);
}

/** The engine's ReLU6 gradient kernel from the activation's output: dy where 0 < y < 6, else 0. */
export const Relu6GradEngine = 'EngineRelu6Grad';

/** dx of ReLU6 in one kernel from its output y (the fused convolutions save their output, not their input). */
export function relu6GradWebGPU(backend: WebGPUBackend, dy: TensorInfo, y: TensorInfo): TensorInfo {
  return run(backend, 'Relu6Grad', relu6GradWgsl, ['dy', 'y'], [dy, y], []);
}

/** The engine's batch-normalisation input-gradient kernel: (dy * r[c]) * s[c] over the last axis. */
export const BatchNormGradXEngine = 'EngineBatchNormGradX';

/** dx of FusedBatchNorm in one kernel: dy [..., C], r and s [C] (vec4 when C allows it). */
export function batchNormGradXWebGPU(backend: WebGPUBackend, dy: TensorInfo, r: TensorInfo, s: TensorInfo): TensorInfo {
  const channels = util.sizeFromShape(r.shape);
  const width = chooseWidth(channels) === 4 && util.sizeFromShape(dy.shape) % 4 === 0 ? 4 : 1;
  return run(backend, 'BatchNormGradX', batchNormGradXWgsl, ['dy', 'r', 's'], [dy, r, s], [i32u('channels', channels / width)], width);
}
