// The registration table: every kernel this package registers with tfjs-core, from the modules that
// implement them (a function, so that those modules may call registerAll themselves).
import { apgdUpdateKernelConfigs } from '../kernels/apgd_update';
import { cpuKernelConfigs } from '../kernels/cpu_kernels';
import { l2WebgpuKernelConfigs } from '../kernels/l2_kernels';
import { attackGradients } from '../kernels/register';
import { squareKernelConfigs } from '../kernels/square_kernels';
import { webgpuKernelConfigs } from '../kernels/webgpu_kernels';
import { gatherImagesEntries } from '../data/gpu_dataset';
import { conv2dBiasReluEntries } from './conv_bias_relu';
import { engineEntries } from './register';
import type { KernelEntry } from './register_all';
import { softmaxCrossEntropyEntries } from './softmax_cross_entropy';

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
    ...conv2dBiasReluEntries,
    ...gatherImagesEntries,
  ];
  return table;
}
