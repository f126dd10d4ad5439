// Registers every attack kernel with tfjs-core, for the `webgpu` and the `cpu` backends (the table's
// 'attack' group), and the gradients of the DLR losses. Idempotent.
import { engine, zerosLike, type GradConfig, type Tensor } from '@tensorflow/tfjs-core';
import { registerFlags } from '../program';
import { registerEntries, type KernelEntry } from '../program/registration';
import { cpuKernelConfigs } from './cpu/kernel_configs';
import { DlrLoss, DlrLossGrad, DlrTargetedLoss, DlrTargetedLossGrad } from './names';
import { apgdUpdateKernelConfigs } from './webgpu/apgd_update';
import { webgpuKernelConfigs } from './webgpu/attack_kernels';
import { l2WebgpuKernelConfigs } from './webgpu/l2_kernels';
import { squareKernelConfigs } from './webgpu/square_kernels';

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

/** The attack kernels' entries, built on first registration (the kernel modules call registerAttackKernels themselves). */
let attackEntries: KernelEntry[] | undefined;

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
  attackEntries ??= [...webgpuKernelConfigs, ...l2WebgpuKernelConfigs, ...apgdUpdateKernelConfigs, ...cpuKernelConfigs, ...squareKernelConfigs].map(
    (c): KernelEntry => ({ kernelName: c.kernelName, backendName: c.backendName as 'webgpu' | 'cpu', kernelFunc: c.kernelFunc, group: 'attack', gradient: attackGradients[c.kernelName] }),
  );
  registerEntries(attackEntries);
}
