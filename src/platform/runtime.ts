// Which JavaScript runtime the library is in.

export const isNode = (): boolean =>
  typeof process !== 'undefined' && typeof process.versions === 'object' && !!process.versions.node;

/** Node unless a browser window is around (Node's own `navigator` does not count). */
export const detectRuntime = (): 'node' | 'browser' =>
  isNode() && typeof (globalThis as { window?: unknown }).window === 'undefined' ? 'node' : 'browser';

/** Imports a module by a name bundlers do not follow (Node-only dependencies stay out of browser bundles). */
export async function importByName<T>(name: string): Promise<T> {
  return (await import(/* @vite-ignore */ /* webpackIgnore: true */ name)) as T;
}
