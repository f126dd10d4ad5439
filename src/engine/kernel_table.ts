// The registration table: every kernel this package registers with tfjs-core, from the modules that
// implement them (a function, so that those modules may call registerAll themselves).
import { apgdUpdateKernelConfigs } from '../attack_kernels/apgd_update';
import { cpuKernelConfigs } from '../attack_kernels/cpu_kernels';
import { l2WebgpuKernelConfigs } from '../attack_kernels/l2_kernels';
import { attackGradients } from '../attack_kernels/register';
import { squareKernelConfigs } from '../attack_kernels/square_kernels';
import { webgpuKernelConfigs } from '../attack_kernels/webgpu_kernels';
import { gatherImagesEntries } from '../data/gpu_dataset';
import { conv2dBiasReluEntries } from './conv/conv_bias_relu';
import { engineEntries } from './register';
import type { KernelEntry } from './register_all';
import { klDivergenceEntries } from './loss/kl_divergence';
import { softmaxCrossEntropyEntries } from './loss/softmax_cross_entropy';

let table: KernelEntry[] | null = null;

export function kernelTable(): KernelEntry[] {
  table ??= [
    ...[...webgpuKernelConfigs, ...l2WebgpuKernelConfigs, ...apgdUpdateKernelConfigs, ...cpuKernelConfigs, ...squareKernelConfigs].map(
      (c): KernelEntry => ({
        kernelName: c.kernelName,
        backendName: c.backendName as 'webgpu' | 'cpu',
        kernelFunc: c.kernelFunc,
        group: 'attack',
        gradient: attackGradients[c.kernelName],
      }),
    ),
    ...engineEntries,
    ...softmaxCrossEntropyEntries,
    ...klDivergenceEntries,
    ...conv2dBiasReluEntries,
    ...gatherImagesEntries,
  ];
  return table;
}
