// Which JavaScript runtime the library is in.

export const isNode = (): boolean =>
  typeof process !== 'undefined' && typeof process.versions === 'object' && !!process.versions.node;

/** Node unless a browser window is around (Node's own `navigator` does not count). */
export const detectRuntime = (): 'node' | 'browser' =>
  isNode() && typeof (globalThis as { window?: unknown }).window === 'undefined' ? 'node' : 'browser';
