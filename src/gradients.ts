// Makes sure tfjs's gradient functions are registered: tfjs-core alone registers none (its Node entry cannot
// even import the registrations), and tf.grad through conv2d or maxPool then fails.
import { getGradient } from '@tensorflow/tfjs-core';
import { registerReluGradient } from './engine/register';
import { isNode } from './runtime';

/**
 * Registers tfjs-core's gradients if they are missing (`@tensorflow/tfjs` and `@tensorflow/tfjs-layers`
 * register them; tfjs-core alone does not). In Node it loads the bundled copy next to this file; in a
 * browser bundle it imports `@tensorflow/tfjs-core/dist/register_all_gradients`.
 *
 * @example
 * await ensureGradients();
 * const g = tf.grad((x) => loss(model(x)))(images);
 */
export async function ensureGradients(): Promise<void> {
  await loadTfjsGradients();
  // The engine's fused ReLU gradient and device-side Sum and Mean gradients go over tfjs's (each defers to
  // tfjs's where it does not apply).
  registerReluGradient();
}

async function loadTfjsGradients(): Promise<void> {
  if (getGradient('Conv2D') != null) return;
  if (isNode()) {
    const url = new URL('./tfjs-gradients.js', import.meta.url).href;
    await import(/* @vite-ignore */ /* webpackIgnore: true */ url);
  } else {
    await import('@tensorflow/tfjs-core/dist/register_all_gradients');
  }
  if (getGradient('Conv2D') == null) throw new Error('ensureGradients: tfjs gradients could not be registered');
}
