// The counter-based hash of the attacks' random draws, shared by the WebGPU kernels (which hash the seed on
// the host into a uniform), the CPU backend's kernels and the Square schedule.

/** The PCG-RXS-M-XS 32-bit hash (Jarzynski and Olano 2020), as in shaders/random_start.wgsl. */
export function pcgHash(v: number): number {
  const state = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}
