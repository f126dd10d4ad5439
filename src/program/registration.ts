// The one registration mechanism of kernels with tfjs-core, importing nothing of this package: each owner
// (the attack kernels, the engine, the losses, the data set's gather) passes its own list of entries
// (kernel name, backend, kernel function, optional gradient) to registerEntries, on first use or at set-up
// (`initWebGPU`). The engine's replacements register over tfjs's kernel of the same name, kept for
// `originalKernel`. Idempotent: an entry registers once; a gradient registers where tfjs has none.
import { getGradient, getKernel, registerGradient, registerKernel, unregisterKernel, type GradConfig, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs-core';

/**
 * attack: the fused attack steps and losses; engine: the replacements of tfjs's kernels; gradient (the engine's gradient kernels), loss,
 * conv, data: the engine's own ops (ReLU's gradient, softmax cross-entropy, conv2dBiasRelu, GatherImages).
 */
export type KernelGroup = 'attack' | 'engine' | 'gradient' | 'loss' | 'conv' | 'matmul' | 'data';

export interface KernelEntry {
  kernelName: string;
  backendName: 'webgpu' | 'cpu';
  kernelFunc: KernelFunc;
  group: KernelGroup;
  /** Registered with the kernel where tfjs has no gradient for the name yet. */
  gradient?: Omit<GradConfig, 'kernelName'>;
  /** Registers over the backend's own kernel of this name (skipped while there is none), which `originalKernel` keeps. */
  over?: boolean;
}

const registered = new Set<string>();
const originals = new Map<string, KernelConfig>();
const id = (kernelName: string, backendName: string) => `${kernelName}/${backendName}`;

/**
 * Registers the `entries` that are not registered yet (and their gradients where tfjs has none).
 *
 * @example
 * registerEntries([{ kernelName: 'GatherImages', backendName: 'webgpu', kernelFunc, group: 'data' }]);
 */
export function registerEntries(entries: readonly KernelEntry[]): void {
  for (const e of entries) {
    const key = id(e.kernelName, e.backendName);
    if (!registered.has(key)) {
      const existing = getKernel(e.kernelName, e.backendName);
      if (e.over) {
        if (existing == null) continue;
        originals.set(key, { ...existing });
        unregisterKernel(e.kernelName, e.backendName);
        registerKernel({ ...existing, kernelFunc: e.kernelFunc });
      } else if (existing == null) {
        registerKernel({ kernelName: e.kernelName, backendName: e.backendName, kernelFunc: e.kernelFunc });
      }
      registered.add(key);
    }
    if (e.gradient && getGradient(e.kernelName) == null) registerGradient({ kernelName: e.kernelName, ...e.gradient });
  }
}

/** The tfjs kernel config an entry registered over (for fallbacks, and benchmarks that call tfjs's kernel directly). */
export function originalKernel(name: string, backendName = 'webgpu'): KernelConfig | undefined {
  return originals.get(id(name, backendName));
}

const OVER_TFJS = Symbol('engine gradient over tfjs');

/**
 * Registers `wrap(tfjs's gradient)` over tfjs's gradient of `kernelName`, once; a no-op until tfjs's
 * gradients are registered (ensureGradients calls it again then). The wrapper defers to tfjs's own where
 * the engine's does not apply.
 *
 * @example
 * overTfjsGradient('Relu', (tfjs) => (dy, saved, attrs) => (onEngine('Relu', saved) ? fused(dy, saved) : tfjs(dy, saved, attrs)));
 */
export function overTfjsGradient(kernelName: string, wrap: (tfjsGradFunc: GradConfig['gradFunc']) => GradConfig['gradFunc']): void {
  const tfjsGradient = getGradient(kernelName);
  if (!tfjsGradient || (tfjsGradient as { [OVER_TFJS]?: boolean })[OVER_TFJS]) return;
  registerGradient({ ...tfjsGradient, ...({ [OVER_TFJS]: true } as object), gradFunc: wrap(tfjsGradient.gradFunc) });
}
