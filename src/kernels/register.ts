// Registers every attack kernel with tfjs-core, for the `webgpu` and the `cpu` backends. Idempotent.
import { engine, getGradient, getKernel, registerGradient, registerKernel, type Tensor, zerosLike } from '@tensorflow/tfjs-core';
import { apgdUpdateKernelConfigs } from './apgd_update';
import { cpuKernelConfigs } from './cpu_kernels';
import { registerFlags } from '../engine/program';
import { DlrLoss, DlrLossGrad, DlrTargetedLoss, DlrTargetedLossGrad } from './kernel_names';
import { l2WebgpuKernelConfigs } from './l2_kernels';
import { squareKernelConfigs } from './square_kernels';
import { webgpuKernelConfigs } from './webgpu_kernels';

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
  for (const config of [...webgpuKernelConfigs, ...l2WebgpuKernelConfigs, ...apgdUpdateKernelConfigs, ...cpuKernelConfigs, ...squareKernelConfigs]) {
    if (getKernel(config.kernelName, config.backendName) == null) registerKernel(config);
  }
  // DLR's gradient w.r.t. the logits is its fused row kernel (tf.grad through dlrLoss sees an ordinary op).
  if (getGradient(DlrLoss) == null) {
    registerGradient({
      kernelName: DlrLoss,
      inputsToSave: ['logits', 'labels'],
      gradFunc: (dy, saved) => {
        const [logits, labels] = saved;
        return {
          logits: () => engine().runKernel(DlrLossGrad, { logits, labels, dy: dy as Tensor }) as Tensor,
          labels: () => zerosLike(labels),
        };
      },
    });
  }
  if (getGradient(DlrTargetedLoss) == null) {
    registerGradient({
      kernelName: DlrTargetedLoss,
      inputsToSave: ['logits', 'labels', 'targets'],
      gradFunc: (dy, saved) => {
        const [logits, labels, targets] = saved;
        return {
          logits: () => engine().runKernel(DlrTargetedLossGrad, { logits, labels, targets, dy: dy as Tensor }) as Tensor,
          labels: () => zerosLike(labels),
          targets: () => zerosLike(targets),
        };
      },
    });
  }
}
