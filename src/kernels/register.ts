// Registers every attack kernel with tfjs-core, for the `webgpu` and the `cpu` backends. Idempotent.
import { getKernel, registerKernel } from '@tensorflow/tfjs-core';
import { cpuKernelConfigs } from './cpu_kernels';
import { registerFlags } from './elementwise_program';
import { webgpuKernelConfigs } from './webgpu_kernels';

/**
 * Registers the fused attack kernels (`FgsmStep`, `PgdStep`, `RandomStart`) for `webgpu` and `cpu`.
 * The ops call it on first use; call it yourself to run the kernels through `tf.engine().runKernel`.
 *
 * @example
 * registerAttackKernels();
 * const out = tf.engine().runKernel('FgsmStep', {x, grad}, {epsilon: 0.1, clipMin: 0, clipMax: 1, targeted: false});
 */
export function registerAttackKernels(): void {
  registerFlags();
  for (const config of [...webgpuKernelConfigs, ...cpuKernelConfigs]) {
    if (getKernel(config.kernelName, config.backendName) == null) registerKernel(config);
  }
}
