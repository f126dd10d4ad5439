// Argument checks of the public ops: each failure names the op and the argument, before any GPU work.
import type { Tensor } from '@tensorflow/tfjs-core';

/** Thrown for a bad argument; `argument` names it (`x`, `options.epsilon`, ...). */
export class AdversarialArgumentError extends Error {
  constructor(
    readonly op: string,
    readonly argument: string,
    message: string,
  ) {
    super(`${op}: ${argument} ${message}`);
    this.name = 'AdversarialArgumentError';
  }
}

function describe(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  return typeof value;
}

function isTensor(value: unknown): value is Tensor {
  return (
    typeof value === 'object' &&
    value !== null &&
    'dataId' in value &&
    Array.isArray((value as Tensor).shape) &&
    typeof (value as Tensor).dtype === 'string'
  );
}

/** `value` is a live float32 tensor. */
export function checkFloatTensor(op: string, name: string, value: unknown): asserts value is Tensor {
  if (!isTensor(value)) throw new AdversarialArgumentError(op, name, `must be a tf.Tensor, got ${describe(value)}`);
  if (value.isDisposed) throw new AdversarialArgumentError(op, name, 'is disposed');
  if (value.dtype !== 'float32') {
    throw new AdversarialArgumentError(op, name, `must have dtype float32, got ${value.dtype}`);
  }
}

/** `value` is a float32 tensor of the same shape as `like`. */
export function checkSameShape(op: string, name: string, value: unknown, likeName: string, like: Tensor): asserts value is Tensor {
  checkFloatTensor(op, name, value);
  const a = value.shape;
  const b = like.shape;
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
    throw new AdversarialArgumentError(op, name, `has shape [${a}], which must equal ${likeName}'s shape [${b}]`);
  }
}

/** A finite number, finite in float32 too, and at least `min` where given. */
export function checkNumber(op: string, name: string, value: unknown, min?: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !Number.isFinite(Math.fround(value))) {
    throw new AdversarialArgumentError(op, name, `must be a finite float32 number, got ${describe(value)}`);
  }
  if (min !== undefined && value < min) {
    throw new AdversarialArgumentError(op, name, `must be >= ${min}, got ${value}`);
  }
  return value;
}

export function checkBoolean(op: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new AdversarialArgumentError(op, name, `must be a boolean, got ${describe(value)}`);
  return value;
}

/** A 32-bit unsigned integer seed. */
export function checkSeed(op: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new AdversarialArgumentError(op, name, `must be an integer in [0, 2^32 - 1], got ${describe(value)}`);
  }
  return value;
}

/** clipMin and clipMax finite, clipMin <= clipMax. */
export function checkClipBounds(op: string, clipMin: unknown, clipMax: unknown): { clipMin: number; clipMax: number } {
  const lo = checkNumber(op, 'options.clipMin', clipMin);
  const hi = checkNumber(op, 'options.clipMax', clipMax);
  if (Math.fround(lo) > Math.fround(hi)) {
    throw new AdversarialArgumentError(op, 'options.clipMin', `(${lo}) must not exceed options.clipMax (${hi})`);
  }
  return { clipMin: lo, clipMax: hi };
}

/** `options` is an object whose keys are all in `known`. */
export function checkOptions(op: string, options: unknown, known: readonly string[]): Record<string, unknown> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new AdversarialArgumentError(op, 'options', `must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new AdversarialArgumentError(op, `options.${key}`, `is not an option (known: ${known.join(', ')})`);
    }
  }
  return options as Record<string, unknown>;
}
