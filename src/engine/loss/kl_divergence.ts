// The Kullback-Leibler divergence of two rows of logits, KL(softmax(p) || softmax(q)) per row, with its
// gradients in both inputs fused: one kernel for the rows, one per input for the gradient (tfjs composes
// about twenty kernels each way). TRADES and MART train on it. Kernel names `KlDivergence` and
// `KlDivergenceGrad` with a registered gradient, so tf.grad and optimizers see an ordinary op; off webgpu,
// or with the policy off, the op is composed from tfjs's own.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import commonWgsl from '../../../shaders/engine/kl_divergence.wgsl';
import gradWgsl from '../../../shaders/engine/kl_divergence_grad.wgsl';
import rowsWgsl from '../../../shaders/engine/kl_divergence_rows.wgsl';
import { AdversarialArgumentError } from '../../core/validate';
import { countEngineCall, onEngine } from '../policy';
import { i32u, runProgram, wgslWith } from '../../program';
import { registerEntries, type KernelEntry } from '../../program/registration';

export const KlDivergence = 'KlDivergence';
export const KlDivergenceGrad = 'KlDivergenceGrad';

interface KlInputs {
  pLogits: tf.TensorInfo;
  qLogits: tf.TensorInfo;
}

/** `fn logSumExp<suffix>(base)`: logsumexp of row `base` of the input array `name`, max-shifted. */
const logSumExpWgsl = (suffix: string, name: string): string => `fn logSumExp${suffix}(base : i32) -> f32 {
  var top = ${name}[base];
  for (var c = 1; c < uniforms.classes; c++) { top = max(top, ${name}[base + c]); }
  var total = 0.0;
  for (var c = 0; c < uniforms.classes; c++) { total += exp(${name}[base + c] - top); }
  return top + log(total);
}`;
const COMMON_WGSL = [logSumExpWgsl('P', 'pLogits'), logSumExpWgsl('Q', 'qLogits'), commonWgsl].join('\n');

const uniformsOf = (p: tf.TensorInfo) => [i32u('rows', p.shape[0]), i32u('classes', p.shape[1])];

const rowsKernel: tf.KernelFunc = ({ inputs, backend }) => {
  countEngineCall(KlDivergence, true);
  const { pLogits, qLogits } = inputs as unknown as KlInputs;
  const rows = pLogits.shape[0];
  return runProgram(
    backend as WebGPUBackend,
    { kernelName: KlDivergence, variant: [], body: wgslWith({ include: [COMMON_WGSL] }, rowsWgsl), inputs: ['pLogits', 'qLogits'], inputComponents: [1, 1], outputComponent: 1, invocations: rows, workgroupSize: 64, uniforms: uniformsOf(pLogits) },
    [pLogits, qLogits],
    [rows],
  );
};

const gradKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  countEngineCall(KlDivergenceGrad, true);
  const { pLogits, qLogits, dy } = inputs as unknown as KlInputs & { dy: tf.TensorInfo };
  const wrtP = (attrs as { wrt: 'p' | 'q' }).wrt === 'p';
  return runProgram(
    backend as WebGPUBackend,
    {
      kernelName: KlDivergenceGrad,
      variant: [wrtP ? 'p' : 'q'],
      body: wgslWith({ constants: { WRT_P: wrtP }, include: [COMMON_WGSL] }, gradWgsl),
      inputs: ['pLogits', 'qLogits', 'dy'],
      inputComponents: [1, 1, 1],
      outputComponent: 1,
      invocations: pLogits.shape[0] * pLogits.shape[1],
      workgroupSize: 64,
      uniforms: uniformsOf(pLogits),
    },
    [pLogits, qLogits, dy],
    pLogits.shape,
  );
};

/** The divergence kernel, its gradient kernel, and the gradient that connects them (the table's 'loss' group). */
export const klDivergenceEntries: KernelEntry[] = [
  {
    kernelName: KlDivergence,
    backendName: 'webgpu',
    kernelFunc: rowsKernel,
    group: 'loss',
    gradient: {
      inputsToSave: ['pLogits', 'qLogits'],
      gradFunc: (dy, saved) => {
        const [pLogits, qLogits] = saved;
        const grad = (wrt: 'p' | 'q') => () => tf.engine().runKernel(KlDivergenceGrad, { pLogits, qLogits, dy: dy as tf.Tensor }, { wrt }) as tf.Tensor;
        return { pLogits: grad('p'), qLogits: grad('q') };
      },
    },
  },
  { kernelName: KlDivergenceGrad, backendName: 'webgpu', kernelFunc: gradKernel, group: 'loss' },
];

/** The op from tfjs's own kernels (off webgpu, or with the policy off). */
function klComposed(pLogits: tf.Tensor2D, qLogits: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const logP = tf.logSoftmax(pLogits);
    return tf.sum(tf.mul(tf.exp(logP), tf.sub(logP, tf.logSoftmax(qLogits))), 1) as tf.Tensor1D;
  });
}

/**
 * Per row, the KL divergence KL(softmax(pLogits[r]) || softmax(qLogits[r])) = sum_c p_c (log p_c - log q_c)
 * of two [batch, classes] logit tensors: a [batch] tensor, differentiable in both. The fused kernels on
 * webgpu, tfjs's ops elsewhere.
 *
 * @example
 * // TRADES' robust term: the natural prediction's divergence from the adversarial one, batch mean
 * const robust = tf.mean(klDivergenceRows(model.forward(x), model.forward(xAdv)));
 */
export function klDivergenceRows(pLogits: tf.Tensor2D, qLogits: tf.Tensor2D): tf.Tensor1D {
  const op = 'klDivergenceRows';
  if (!(pLogits instanceof tf.Tensor) || pLogits.rank !== 2) throw new AdversarialArgumentError(op, 'pLogits', `must be a rank-2 tensor [batch, classes], got ${pLogits instanceof tf.Tensor ? `rank ${pLogits.rank}` : typeof pLogits}`);
  if (!(qLogits instanceof tf.Tensor) || !tf.util.arraysEqual(qLogits.shape, pLogits.shape)) throw new AdversarialArgumentError(op, 'qLogits', `must have the shape of pLogits [${pLogits.shape}]${qLogits instanceof tf.Tensor ? `, got [${qLogits.shape}]` : ''}`);
  if (!onEngine('KlDivergence', [pLogits, qLogits])) {
    countEngineCall(KlDivergence, false);
    return klComposed(pLogits, qLogits);
  }
  registerEntries(klDivergenceEntries);
  return tf.engine().runKernel(KlDivergence, { pLogits, qLogits }) as tf.Tensor1D;
}
