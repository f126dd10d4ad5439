// relu(a b + bias) for a dense layer as one op whose forward is one engine matmul (bias and ReLU in its
// epilogue) even while tfjs records gradients (tfjs's fused.matMul runs BatchMatMul, Add and Relu then),
// and whose gradient is computed only for the inputs that need it (tfjs's fused op computes all three):
// dz = dy * (y > 0) once from the saved output (nothing recomputed), then dz b^T for a, a^T dz for b and
// the column sum of dz for the bias, each on demand. The same kernels and summation orders as tfjs's
// unfused path, so training results are bit-identical to it.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import { engineMatMul, matMulUnsupported } from './matmul';
import { ReluGradEngine } from '../elementwise/elementwise';
import { countEngineCall, onEngine } from '../policy';
import { registerEntries, type KernelEntry } from '../../program/registration';

export const MatMulBiasRelu = 'EngineMatMulBiasRelu';

/** The fused kernel and its gradient (the table's 'matmul' group). */
export const matMulBiasReluEntries: KernelEntry[] = [
  {
    kernelName: MatMulBiasRelu,
    backendName: 'webgpu',
    group: 'matmul',
    kernelFunc: ({ inputs, backend }) => {
      const { a, b, bias } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo; bias: tf.TensorInfo };
      return engineMatMul(backend as WebGPUBackend, { a, b, bias, activation: 'relu', transposeA: false, transposeB: false });
    },
    gradient: {
      inputsToSave: ['a', 'b'],
      outputsToSave: [true],
      gradFunc: (dy, saved) => {
        const [a, b, y] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const dz = tf.engine().runKernel(ReluGradEngine, { dy: dy as tf.Tensor, x: y }) as tf.Tensor2D;
        return {
          a: () => tf.matMul(dz, b, false, true),
          b: () => tf.matMul(a, dz, true, false),
          bias: () => tf.sum(dz, [0]),
        };
      },
    },
  },
];

/**
 * relu(a b + bias) for a [batch, k] by [k, n] product and a [n] bias: one engine matmul on webgpu (with the
 * engine's _FusedMatMul switched on), tfjs's fused.matMul elsewhere.
 *
 * @example
 * const hidden = matMulBiasRelu(flat, denseKernel, denseBias);  // [batch, 128]
 */
export function matMulBiasRelu(a: tf.Tensor2D, b: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  const fused =
    onEngine('_FusedMatMul', [a, b, bias]) &&
    a.rank === 2 &&
    b.rank === 2 &&
    bias.rank === 1 &&
    matMulUnsupported({ a, b, bias, activation: 'relu', transposeA: false, transposeB: false }) === null;
  if (!fused) return tf.fused.matMul({ a, b, bias, activation: 'relu' }) as tf.Tensor2D;
  registerEntries(matMulBiasReluEntries);
  countEngineCall(MatMulBiasRelu, true);
  return tf.engine().runKernel(MatMulBiasRelu, { a, b, bias }) as tf.Tensor2D;
}
