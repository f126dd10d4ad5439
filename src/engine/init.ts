// The library's set-up: a WebGPU device with tfjs's webgpu backend on it (platform/device.ts), then this
// package's kernels registered (the attack kernels and the engine's), and tfjs's gradients with the
// engine's over them. Here, above the kernels, so that the platform layer imports none of them.
import { registerAttackKernels } from '../kernels/register';
import { installBackwardRelease } from '../platform/backward_memory';
import { loadTfjsGradients } from '../platform/gradients';
import { setUpWebGPU, type InitWebGPUOptions, type WebGPUContext } from '../platform/device';
import { registerEngineGradients, registerEngineKernels } from './register';

/**
 * Gets a WebGPU adapter and device, makes tfjs's `webgpu` backend run on them, registers the attack and
 * engine kernels and says which adapter it got. Works in browsers (`navigator.gpu`) and in Node (the
 * `webgpu` package). Calling it again returns the same context.
 *
 * @example
 * const {adapter} = await initWebGPU();
 * console.log(`${adapter.vendor} ${adapter.architecture}, ${adapter.software ? 'software' : 'hardware'}`);
 */
export async function initWebGPU(options: InitWebGPUOptions = {}): Promise<WebGPUContext> {
  registerAttackKernels();
  installBackwardRelease();
  return setUpWebGPU(options, registerEngineKernels);
}

/**
 * Registers tfjs-core's gradients if they are missing (`@tensorflow/tfjs` and `@tensorflow/tfjs-layers`
 * register them; tfjs-core alone does not), then the engine's fused ReLU gradient and device-side Sum and
 * Mean gradients over tfjs's (each defers to tfjs's where it does not apply).
 *
 * @example
 * await ensureGradients();
 * const g = tf.grad((x) => loss(model(x)))(images);
 */
export async function ensureGradients(): Promise<void> {
  await loadTfjsGradients();
  registerEngineGradients();
  installBackwardRelease();
}
