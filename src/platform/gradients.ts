// Makes sure tfjs's own gradient functions are registered: tfjs-core alone registers none (its Node entry cannot
// even import the registrations), and tf.grad through conv2d or maxPool then fails.
import { getGradient } from '@tensorflow/tfjs-core';
import { isNode } from './runtime';

/**
 * Registers tfjs-core's gradients if they are missing (`@tensorflow/tfjs` and `@tensorflow/tfjs-layers`
 * register them; tfjs-core alone does not). In Node it loads the bundled copy next to the bundle; in a
 * browser bundle it imports `@tensorflow/tfjs-core/dist/register_all_gradients`. The public
 * `ensureGradients` (engine/init.ts) adds the engine's own over them.
 *
 * @example
 * await loadTfjsGradients();
 */
export async function loadTfjsGradients(): Promise<void> {
  if (getGradient('Conv2D') != null) return;
  if (isNode()) {
    const url = new URL('./tfjs-gradients.js', import.meta.url).href;
    await import(/* @vite-ignore */ /* webpackIgnore: true */ url);
  } else {
    await import('@tensorflow/tfjs-core/dist/register_all_gradients');
  }
  if (getGradient('Conv2D') == null) throw new Error('ensureGradients: tfjs gradients could not be registered');
}
