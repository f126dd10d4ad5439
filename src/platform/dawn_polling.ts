// dawn.node (the `webgpu` package, 0.6) settles its promises (mapAsync, onSubmittedWorkDone, async
// pipelines) by polling: while one is pending, its AsyncRunner calls `setImmediate` on itself in a loop,
// processing Dawn's events each turn. That is a busy wait: the JavaScript thread spins at 100% of a core for
// as long as the GPU works, and on a machine without a GPU the GPU is SwiftShader, whose worker threads need
// those cores (Chromium runs Dawn in its GPU process and waits there without spinning). The README's
// "Why Node was slower than Chromium, and the fix" has the measurement; bench/cli.ts takes it again.
//
// `throttleDawnPolling` routes the polls that Dawn schedules (native functions passed to the global
// `setImmediate`; Node's own code and JavaScript callbacks are left alone) through `setTimeout(fn, ms)`:
// at most `ms` of latency per settled promise, and an idle thread while the GPU works.

let installed: { original: typeof setImmediate; intervalMs: number } | null = null;

const isNative = (fn: unknown): boolean => typeof fn === 'function' && Function.prototype.toString.call(fn).includes('[native code]');

/**
 * Puts Dawn's event polls in Node on a timer of `intervalMs` milliseconds (default 1) instead of a
 * setImmediate loop; called by `initWebGPU` in Node. Returns a function that restores the global.
 *
 * @example
 * const restore = throttleDawnPolling(1);
 * // ... GPU work: the JavaScript thread sleeps between Dawn's polls
 * restore();
 */
export function throttleDawnPolling(intervalMs = 1): () => void {
  if (!Number.isFinite(intervalMs) || intervalMs < 0 || intervalMs > 100) {
    throw new RangeError(`throttleDawnPolling: intervalMs must be a number in [0, 100], got ${intervalMs}`);
  }
  const g = globalThis as { setImmediate?: typeof setImmediate };
  if (typeof g.setImmediate !== 'function') return () => {};
  if (installed) {
    installed.intervalMs = intervalMs;
    return restoreDawnPolling;
  }
  const original = g.setImmediate;
  const state = { original, intervalMs };
  installed = state;
  const throttled = ((fn: (...args: unknown[]) => void, ...args: unknown[]) =>
    isNative(fn) ? setTimeout(fn, state.intervalMs, ...args) : original(fn, ...args)) as unknown as typeof setImmediate;
  // util.promisify(setImmediate) keeps working: the original's custom promisified form is carried over.
  const custom = Symbol.for('nodejs.util.promisify.custom');
  (throttled as unknown as Record<symbol, unknown>)[custom] = (original as unknown as Record<symbol, unknown>)[custom];
  g.setImmediate = throttled;
  return restoreDawnPolling;
}

function restoreDawnPolling(): void {
  if (!installed) return;
  (globalThis as { setImmediate?: typeof setImmediate }).setImmediate = installed.original;
  installed = null;
}
