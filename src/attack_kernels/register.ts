// Registers every attack kernel with tfjs-core, for the `webgpu` and the `cpu` backends (the table's
// 'attack' group), and the gradients of the DLR losses. Idempotent.
import { engine, zerosLike, type GradConfig, type Tensor } from '@tensorflow/tfjs-core';
import { registerFlags } from '../engine/program';
import { registerAll } from '../engine/register_all';
import { DlrLoss, DlrLossGrad, DlrTargetedLoss, DlrTargetedLossGrad } from './kernel_names';

/** DLR's gradient w.r.t. the logits is its fused row kernel (tf.grad through dlrLoss sees an ordinary op). */
export const attackGradients: Record<string, Omit<GradConfig, 'kernelName'>> = {
  [DlrLoss]: {
    inputsToSave: ['logits', 'labels'],
    gradFunc: (dy, saved) => {
      const [logits, labels] = saved;
      return {
        logits: () => engine().runKernel(DlrLossGrad, { logits, labels, dy: dy as Tensor }) as Tensor,
        labels: () => zerosLike(labels),
      };
    },
  },
  [DlrTargetedLoss]: {
    inputsToSave: ['logits', 'labels', 'targets'],
    gradFunc: (dy, saved) => {
      const [logits, labels, targets] = saved;
      return {
        logits: () => engine().runKernel(DlrTargetedLossGrad, { logits, labels, targets, dy: dy as Tensor }) as Tensor,
        labels: () => zerosLike(labels),
        targets: () => zerosLike(targets),
      };
    },
  },
};

/**
 * Registers the fused attack kernels (`FgsmStep`, `PgdStep`, `RandomStart`, their L2 twins, APGD's steps and
 * the DLR losses) for `webgpu` and `cpu`.
 * The ops call it on first use; call it yourself to run the kernels through `tf.engine().runKernel`.
 *
 * @example
 * registerAttackKernels();
 * const out = tf.engine().runKernel('FgsmStep', {x, grad}, {epsilon: 0.1, clipMin: 0, clipMax: 1, targeted: false});
 */
export function registerAttackKernels(): void {
  registerFlags();
  registerAll('attack');
}
