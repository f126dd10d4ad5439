// Softmax cross-entropy with its gradient fused: the mean loss in one kernel, d loss / d logits in one
// more (tfjs's softmaxCrossEntropy composes about fifteen kernels each way). Kernel names
// `SoftmaxCrossEntropy` and `SoftmaxCrossEntropyGrad`, with a registered gradient, so tf.grad and
// optimizers see an ordinary op; off webgpu, or with the policy off, the op is tfjs's own.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import lossWgsl from '../../../shaders/engine/softmax_cross_entropy.wgsl';
import gradWgsl from '../../../shaders/engine/softmax_cross_entropy_grad.wgsl';
import { countEngineCall, onEngine } from '../policy';
import { registerEntries, type KernelEntry } from '../../program/registration';
import { runLogitsProgram } from '../../program';

export const SoftmaxCrossEntropy = 'SoftmaxCrossEntropy';
export const SoftmaxCrossEntropyGrad = 'SoftmaxCrossEntropyGrad';

const lossKernel: tf.KernelFunc = ({ inputs, backend }) => {
  countEngineCall(SoftmaxCrossEntropy, true);
  const { logits, labels } = inputs as { logits: tf.TensorInfo; labels: tf.TensorInfo };
  // One invocation sums the whole batch (the mean loss, a scalar).
  return runLogitsProgram(backend as WebGPUBackend, SoftmaxCrossEntropy, lossWgsl, { logits, labels }, [], 1, 1);
};

const gradKernel: tf.KernelFunc = ({ inputs, backend }) => {
  countEngineCall(SoftmaxCrossEntropyGrad, true);
  const { logits, labels, dy } = inputs as { logits: tf.TensorInfo; labels: tf.TensorInfo; dy: tf.TensorInfo };
  const [rows, classes] = logits.shape;
  return runLogitsProgram(backend as WebGPUBackend, SoftmaxCrossEntropyGrad, gradWgsl, { logits, labels, dy }, logits.shape, rows * classes);
};

/** The loss kernel, its gradient kernel, and the gradient that connects them (the table's 'loss' group). */
export const softmaxCrossEntropyEntries: KernelEntry[] = [
  {
    kernelName: SoftmaxCrossEntropy,
    backendName: 'webgpu',
    kernelFunc: lossKernel,
    group: 'loss',
    gradient: {
      inputsToSave: ['logits', 'labels'],
      gradFunc: (dy, saved) => {
        const [logits, labels] = saved;
        return {
          logits: () => tf.engine().runKernel(SoftmaxCrossEntropyGrad, { logits, labels, dy: dy as tf.Tensor }) as tf.Tensor,
          // d loss / d labels = -logSoftmax(logits) * dy / rows (rarely wanted; tfjs's ops).
          labels: () => tf.div(tf.mul(tf.neg(tf.logSoftmax(logits)), dy as tf.Tensor), logits.shape[0]),
        };
      },
    },
  },
  { kernelName: SoftmaxCrossEntropyGrad, backendName: 'webgpu', kernelFunc: gradKernel, group: 'loss' },
];

/**
 * Mean softmax cross-entropy of `logits` [batch, classes] against `labels` [batch, classes] (one-hot or
 * soft), the fused kernels on webgpu and tfjs's `tf.losses.softmaxCrossEntropy` elsewhere.
 *
 * @example
 * const loss = softmaxCrossEntropy(model.forward(images), onehot);  // a scalar
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor2D): tf.Scalar {
  const fused =
    labels.dtype === 'float32' &&
    logits.rank === 2 &&
    tf.util.arraysEqual(logits.shape, labels.shape) &&
    // Labels may sit in an int32 buffer after a Cast (the kernels read either); logits must be float32.
    onEngine('SoftmaxCrossEntropy', [logits]);
  if (!fused) {
    countEngineCall(SoftmaxCrossEntropy, false);
    return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  }
  registerEntries(softmaxCrossEntropyEntries);
  return tf.engine().runKernel(SoftmaxCrossEntropy, { logits, labels }) as tf.Scalar;
}
