// Engine matrix products: BatchMatMul and _FusedMatMul (bias, ReLU) in the layouts dense layers and
// their gradients use. Register tiles per invocation (4x8 to 16x8), no shared memory (barriers are costly on
// SwiftShader); vec4 reads along the contiguous axis where sizes allow, a strided scalar variant elsewhere.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import genericWgsl from '../../../shaders/engine/matmul_generic.wgsl';
import { genNN, genNT, genTN } from './matmul_tiles';
import { i32u, runProgram, subgroupGrid } from '../../program';

export type MatMulVariant = 'nn4' | 'nt4' | 'tn4' | 'generic';
/** The activations the engine's epilogues apply: none, max(r, 0), min(max(r, 0), 6) (MobileNet's ReLU6). */
export type EngineActivation = 'linear' | 'relu' | 'relu6';

/** The variant for these transposes and sizes: vec4 where the contiguous axes are multiples of 4. */
export function matMulVariant(m: number, n: number, k: number, transposeA: boolean, transposeB: boolean): MatMulVariant {
  if (!transposeA && !transposeB && k % 4 === 0 && n % 4 === 0) return 'nn4';
  if (!transposeA && transposeB && k % 4 === 0) return 'nt4';
  if (transposeA && !transposeB && m % 4 === 0 && n % 4 === 0) return 'tn4';
  return 'generic';
}

/** Rows and columns of C per invocation, and the body (vec4 or scalar output; `sg`: A's rows shared over subgroups of 4), per variant. */
const TILES: Record<MatMulVariant, { rows: number; columns: number; body: (vec4Out: boolean, maskZ: boolean, sg: boolean) => string }> = {
  nn4: { rows: 8, columns: 8, body: (_, __, sg) => genNN(8, 2, sg) },
  nt4: { rows: 8, columns: 8, body: (vec4Out, maskZ, sg) => genNT(8, 2, vec4Out, maskZ, sg) },
  tn4: { rows: 16, columns: 8, body: (_, __, sg) => genTN(4, 2, sg) },
  generic: { rows: 4, columns: 4, body: () => genericWgsl },
};


/** Whether the variant writes C as vec4: nn4 and tn4 always, nt4 where N is a multiple of 4. */
const vec4Output = (variant: MatMulVariant, n: number): boolean => variant === 'nn4' || variant === 'tn4' || (variant === 'nt4' && n % 4 === 0);

/** `epilogue(acc, n0)`: bias of columns n0..n0+3 and the activation; `writeRow` for scalar outputs. */
export function epilogueWgsl(bias: 'none' | 'vec4' | 'scalar', activation: EngineActivation, columns = 'uniforms.N'): string {
  const biasLine =
    bias === 'vec4'
      ? 'r += bias[n0 / 4];'
      : bias === 'scalar'
        ? `let lastCol = ${columns} - 1;
  r += vec4<f32>(bias[min(n0, lastCol)], bias[min(n0 + 1, lastCol)], bias[min(n0 + 2, lastCol)], bias[min(n0 + 3, lastCol)]);`
        : '';
  const activationLine =
    activation === 'relu'
      ? 'r = select(r, vec4<f32>(0.0), r < vec4<f32>(0.0));'
      : activation === 'relu6'
        ? // clamp, as tfjs's own fused kernels: the same values, and NaN goes where tfjs's goes (0 on SwiftShader).
          'r = clamp(r, vec4<f32>(0.0), vec4<f32>(6.0));'
        : '';
  return `fn epilogue(v : vec4<f32>, n0 : i32) -> vec4<f32> {
  var r = v;
  ${biasLine}
  ${activationLine}
  return r;
}`;
}

const WRITE_ROW = `fn writeRow(batch : i32, m : i32, n0 : i32, acc : vec4<f32>) {
  if (m >= uniforms.M) { return; }
  let v = epilogue(acc, n0);
  let base = (batch * uniforms.M + m) * uniforms.N + n0;
  for (var c = 0; c < 4; c++) {
    if (n0 + c < uniforms.N) { result[base + c] = v[c]; }
  }
}`;

export interface MatMulArgs {
  a: TensorInfo;
  b: TensorInfo;
  transposeA: boolean;
  transposeB: boolean;
  bias?: TensorInfo;
  activation: EngineActivation;
  /** C = (A B^T) * relu6'(Z): dy W^T masked by ReLU6's gradient at its output Z, of C's shape (matMulMaskable). */
  maskZ?: TensorInfo;
}

/** Whether maskZ is available for these sizes and transposes: the nt4 variant with its vec4 output. */
export function matMulMaskable(m: number, n: number, k: number, transposeA: boolean, transposeB: boolean): boolean {
  const variant = matMulVariant(m, n, k, transposeA, transposeB);
  return variant === 'nt4' && vec4Output(variant, n);
}

/** The reason an engine matmul does not cover these arguments, or null when it does. */
export function matMulUnsupported(args: MatMulArgs): string | null {
  const { a, b, bias } = args;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return 'dtype';
  if (a.shape.length < 2 || b.shape.length < 2) return 'rank';
  const outerA = a.shape.slice(0, -2).reduce((x, y) => x * y, 1);
  const outerB = b.shape.slice(0, -2).reduce((x, y) => x * y, 1);
  if (outerA !== outerB && outerA !== 1 && outerB !== 1) return 'batch broadcast';
  if (a.shape.length !== b.shape.length && outerA !== 1 && outerB !== 1) return 'batch broadcast';
  const n = args.transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
  if (bias && (bias.dtype !== 'float32' || bias.shape.reduce((x, y) => x * y, 1) !== n || bias.shape[bias.shape.length - 1] !== n)) return 'bias shape';
  return null;
}

/** Runs C = op(A) op(B) (+ bias, activation) on the engine; the caller has checked matMulUnsupported. */
export function engineMatMul(backend: WebGPUBackend, args: MatMulArgs): TensorInfo {
  const { a, b, transposeA, transposeB, bias, activation, maskZ } = args;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = outerA.reduce((x, y) => x * y, 1);
  const batchB = outerB.reduce((x, y) => x * y, 1);
  const batch = Math.max(batchA, batchB);
  const outer = batchA >= batchB ? outerA : outerB;
  const outShape = [...outer, m, n];
  const variant = matMulVariant(m, n, k, transposeA, transposeB);
  const vecA = variant !== 'generic';
  const vecB = variant !== 'generic';
  const vecOut = vec4Output(variant, n);
  if (maskZ && !matMulMaskable(m, n, k, transposeA, transposeB)) throw new Error(`engineMatMul: maskZ needs the nt4 variant with a vec4 output (${variant})`);
  const biasKind = bias == null ? 'none' : vecOut ? 'vec4' : 'scalar';
  const tile = TILES[variant];
  const tilesM = Math.ceil(m / tile.rows);
  // Tile columns padded so that four consecutive invocations share a tile row (program/subgroups.ts).
  const columnTiles = Math.ceil(n / tile.columns);
  const { tiles: tilesN, sg } = variant !== 'generic' ? subgroupGrid(backend, columnTiles) : { tiles: columnTiles, sg: false };
  const unit = (vec: boolean) => (vec ? 4 : 1);
  const inputs = [a, b, ...(bias ? [bias] : []), ...(maskZ ? [maskZ] : [])];
  return runProgram(
    backend,
    {
      kernelName: 'MatMul',
      variant: [variant, vecOut ? 'out4' : 'out1', `bias${biasKind}`, activation, maskZ ? 'maskZ' : 'unmasked', sg ? 'sg4' : 'lanes'],
      body: [epilogueWgsl(biasKind, activation), vecOut ? '' : WRITE_ROW, tile.body(vecOut, maskZ != null, sg)].join('\n'),
      subgroups: sg,
      inputs: ['A', 'B', ...(bias ? ['bias'] : []), ...(maskZ ? ['Z'] : [])],
      inputComponents: [unit(vecA), unit(vecB), ...(bias ? [biasKind === 'vec4' ? (4 as const) : (1 as const)] : []), ...(maskZ ? [4 as const] : [])],
      outputComponent: vecOut ? 4 : 1,
      invocations: batch * tilesM * tilesN,
      workgroupSize: 64,
      uniforms: [
        i32u('M', m),
        i32u('N', n),
        i32u('K', k),
        i32u('tilesM', tilesM),
        i32u('tilesN', tilesN),
        i32u('aBatchStride', batchA === 1 ? 0 : (m * k) / unit(vecA)),
        i32u('bBatchStride', batchB === 1 ? 0 : (k * n) / unit(vecB)),
        i32u('aStrideM', transposeA ? 1 : k),
        i32u('aStrideK', transposeA ? m : 1),
        i32u('bStrideK', transposeB ? 1 : n),
        i32u('bStrideN', transposeB ? k : 1),
      ],
    },
    inputs,
    outShape,
  );
}
