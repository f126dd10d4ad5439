// Runs one kernel case on the active webgpu backend and reports what it saw; the Node and the Chromium
// test files assert on the report. Inside one GPU error scope: poison the output buffer, run the fused op,
// compare with the CPU reference (bit for bit, NaN equal to NaN) and with the composed stock ops.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import * as lib from '../../dist/index.js';
import * as engine from '../../dist/engine.js';
import { caseSeed, makeInputs, type CaseInputs, type KernelCase } from './cases';

/** A value no kernel writes for these inputs (bounds are within [-1, 1]). */
export const POISON = -3.0e38;

export interface CaseReport {
  name: string;
  seed: number;
  /** Elements of the fused output that differ from the CPU reference, and the first one. */
  mismatches: number;
  firstMismatch: string | null;
  /** Same against the plain composed stock ops, over elements without NaN in any input. */
  composedMismatches: number;
  composedFirstMismatch: string | null;
  composedCompared: number;
  /** Same for the NaN-safe composed fallback (used on backends without the kernels), all elements. */
  fallbackMismatches: number;
  /** Elements still holding the poison value. */
  poisonLeft: number;
  /** The output landed in the poisoned buffer (so stale data could not pass). */
  poisonReused: boolean;
  /** The pipeline of the width the case asked for was built (shader key `Kernel_vec4` / `Kernel_scalar`). */
  widthUsed: boolean;
  leakedTensors: number;
  gpuErrors: string[];
}

export const sameValue = (a: number, b: number): boolean => a === b || (Number.isNaN(a) && Number.isNaN(b));

function compare(actual: Float32Array, expected: Float32Array, mask?: (i: number) => boolean) {
  let mismatches = 0;
  let compared = 0;
  let first: string | null = null;
  for (let i = 0; i < expected.length; i++) {
    if (mask && !mask(i)) continue;
    compared++;
    if (!sameValue(actual[i], expected[i])) {
      mismatches++;
      first ??= `index ${i}: actual ${actual[i]} expected ${expected[i]}`;
    }
  }
  return { mismatches, first, compared };
}

const KERNEL_NAMES = { fgsm_step: 'FgsmStep', pgd_step: 'PgdStep', random_start: 'RandomStart' } as const;

function reference(c: KernelCase, p: CaseInputs): Float32Array {
  switch (c.kernel) {
    case 'fgsm_step':
      return engine.fgsmStepReference(p.x, p.grad, p);
    case 'pgd_step':
      return engine.pgdStepReference(p.x, p.x0, p.grad, p);
    case 'random_start':
      return engine.randomStartReference(p.x, p);
  }
}

/** Runs the fused op (`impl` 'fused'), the plain composed ops or the NaN-safe fallback on tensors. */
function run(c: KernelCase, p: CaseInputs, t: { x: tf.Tensor; x0: tf.Tensor; grad: tf.Tensor }, impl: 'fused' | 'plain' | 'fallback'): tf.Tensor {
  const bounds = { clipMin: p.clipMin, clipMax: p.clipMax };
  switch (c.kernel) {
    case 'fgsm_step': {
      const o = { epsilon: p.epsilon, targeted: p.targeted, ...bounds };
      return impl === 'fused' ? lib.fgsmStep(t.x, t.grad, o) : engine.fgsmStepComposed(t.x, t.grad, o, impl === 'fallback');
    }
    case 'pgd_step': {
      const o = { stepSize: p.stepSize, epsilon: p.epsilon, ...bounds };
      return impl === 'fused' ? lib.pgdStep(t.x, t.x0, t.grad, o) : engine.pgdStepComposed(t.x, t.x0, t.grad, o, impl === 'fallback');
    }
    case 'random_start': {
      const o = { epsilon: p.epsilon, seed: p.seed, ...bounds };
      return impl === 'fused' ? lib.randomStart(t.x, o) : engine.randomStartComposed(t.x, o);
    }
  }
}

/** Pushes validation, out-of-memory and internal error scopes around `body`; returns the errors they caught. */
export async function withGpuErrorScope<T>(device: GPUDevice, body: () => Promise<T>): Promise<{ value: T; errors: string[] }> {
  const filters: GPUErrorFilter[] = ['validation', 'out-of-memory', 'internal'];
  for (const f of filters) device.pushErrorScope(f);
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await body() };
  } catch (error) {
    outcome = { ok: false, error };
  }
  const errors: string[] = [];
  for (const f of [...filters].reverse()) {
    const e = await device.popErrorScope();
    if (e) errors.push(`${f}: ${e.message}`);
  }
  if (!outcome.ok) throw new Error(`${String(outcome.error)}${errors.length ? `; GPU errors: ${errors.join('; ')}` : ''}`);
  return { value: outcome.value, errors };
}

export async function runKernelCase(c: KernelCase, runSeed: number): Promise<CaseReport> {
  const backend = tf.backend() as WebGPUBackend;
  if (tf.getBackend() !== 'webgpu') throw new Error(`the active backend is ${tf.getBackend()}, not webgpu`);
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  tf.env().set(engine.FLAG_VEC4, c.vec4);
  const seed = caseSeed(runSeed, c.name);
  const p = makeInputs(c, seed);
  const expected = reference(c, p);
  const { value, errors } = await withGpuErrorScope(backend.device, async () => {
    const t = { x: tf.tensor1d(p.x), x0: tf.tensor1d(p.x0), grad: tf.tensor1d(p.grad) };
    for (const input of Object.values(t)) backend.uploadToGPU(input.dataId);
    const before = tf.memory().numTensors;

    const poison = tf.fill([c.n], POISON);
    await poison.data();
    const poisonedBuffer = (backend.tensorMap.get(poison.dataId) as { resource: unknown }).resource;
    poison.dispose();

    const fused = run(c, p, t, 'fused');
    const poisonReused = (backend.tensorMap.get(fused.dataId) as { resource: unknown }).resource === poisonedBuffer;
    const actual = (await fused.data()) as Float32Array;
    fused.dispose();
    const leakedTensors = tf.memory().numTensors - before;

    const plain = run(c, p, t, 'plain');
    const plainValues = (await plain.data()) as Float32Array;
    const fallback = run(c, p, t, 'fallback');
    const fallbackValues = (await fallback.data()) as Float32Array;
    tf.dispose([plain, fallback, t.x, t.x0, t.grad]);
    return { actual, plainValues, fallbackValues, poisonReused, leakedTensors };
  });
  tf.env().set(engine.FLAG_VEC4, true);

  const hasNaN = (i: number) => Number.isNaN(p.x[i]) || Number.isNaN(p.grad[i]) || (c.kernel === 'pgd_step' && Number.isNaN(p.x0[i]));
  const fusedVsRef = compare(value.actual, expected);
  const fusedVsPlain = compare(value.actual, value.plainValues, (i) => !hasNaN(i));
  const fallbackVsRef = compare(value.fallbackValues, expected);
  const key = `${KERNEL_NAMES[c.kernel]}_${c.vec4 ? 'vec4' : 'scalar'}`;
  let poisonLeft = 0;
  for (const v of value.actual) if (v === Math.fround(POISON)) poisonLeft++;
  return {
    name: c.name,
    seed,
    mismatches: fusedVsRef.mismatches,
    firstMismatch: fusedVsRef.first,
    composedMismatches: fusedVsPlain.mismatches,
    composedFirstMismatch: fusedVsPlain.first,
    composedCompared: fusedVsPlain.compared,
    fallbackMismatches: fallbackVsRef.mismatches,
    poisonLeft,
    poisonReused: value.poisonReused,
    widthUsed: Object.keys((backend as unknown as { pipelineCache: object }).pipelineCache).some((k) => k.startsWith(key)),
    leakedTensors: value.leakedTensors,
    gpuErrors: errors,
  };
}

/** RandomStart's output bits for one seed on x = 0.5 (the cross-runtime check compares them). */
export async function randomStartBits(seed: number, n: number): Promise<number[]> {
  const x = tf.fill([n], 0.5);
  const out = lib.randomStart(x, { epsilon: 0.3, seed, clipMin: 0, clipMax: 1 });
  const values = (await out.data()) as Float32Array;
  tf.dispose([x, out]);
  return Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));
}
