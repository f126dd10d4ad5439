// Engine convolution kernels (NHWC, float32, output channels a multiple of 4): Conv2D and FusedConv2D
// (bias, ReLU) forward, Conv2DBackpropInput, Conv2DBackpropFilter (partial sums over chunks of output rows,
// then a column sum), MaxPool and MaxPoolGrad. Direct loops, no shared memory.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core';
import maxPoolWgsl from '../../shaders/engine/max_pool.wgsl';
import maxPoolGradWgsl from '../../shaders/engine/max_pool_grad.wgsl';
import maxPoolGradTiledWgsl from '../../shaders/engine/max_pool_grad_tiled.wgsl';
import sumRowsWgsl from '../../shaders/engine/sum_rows.wgsl';
import { genConv, genConvBackpropInput } from './conv_tiles';
import { epilogueWgsl, type EngineActivation } from './matmul';
import { i32u, runProgram, type ProgramSpec, type UniformValue } from './program';

type ConvInfo = backend_util.Conv2DInfo;

/** The reason the engine does not cover this convolution, or null when it does. */
export function convUnsupported(info: ConvInfo, dtypes: string[]): string | null {
  if (dtypes.some((d) => d !== 'float32')) return 'dtype';
  if (info.dataFormat !== 'channelsLast') return 'data format';
  if (info.outChannels % 4 !== 0) return 'output channels not a multiple of 4';
  return null;
}

function convUniforms(info: ConvInfo): UniformValue[] {
  return [
    i32u('inHeight', info.inHeight),
    i32u('inWidth', info.inWidth),
    i32u('inChannels', info.inChannels),
    i32u('outHeight', info.outHeight),
    i32u('outWidth', info.outWidth),
    i32u('outChannels', info.outChannels),
    i32u('filterHeight', info.filterHeight),
    i32u('filterWidth', info.filterWidth),
    i32u('strideHeight', info.strideHeight),
    i32u('strideWidth', info.strideWidth),
    i32u('dilationHeight', info.dilationHeight),
    i32u('dilationWidth', info.dilationWidth),
    i32u('padTop', info.padInfo.top),
    i32u('padLeft', info.padInfo.left),
  ];
}

/** Forward tile: 4 output pixels x 16 output channels per invocation (measured best of 2..13 x 4..32). */
const CONV_TILE = { pixels: 4, channels4: 4 };
/** Backprop-input tile: 4 input pixels per invocation. */
const BACKPROP_INPUT_PIXELS = 4;

/** y = act(conv2d(x, w) + bias). */
export function engineConv2D(backend: WebGPUBackend, x: TensorInfo, filter: TensorInfo, info: ConvInfo, bias: TensorInfo | undefined, activation: EngineActivation): TensorInfo {
  const channelTiles = Math.ceil(info.outChannels / (4 * CONV_TILE.channels4));
  const columnTiles = Math.ceil(info.outWidth / CONV_TILE.pixels);
  const biasKind = bias ? 'vec4' : 'none';
  return runProgram(
    backend,
    {
      kernelName: 'Conv2D',
      variant: [`bias${biasKind}`, activation],
      body: [epilogueWgsl(biasKind, activation), genConv(CONV_TILE.pixels, CONV_TILE.channels4)].join('\n'),
      inputs: bias ? ['X', 'W', 'bias'] : ['X', 'W'],
      inputComponents: bias ? [1, 4, 4] : [1, 4],
      outputComponent: 4,
      invocations: info.batchSize * info.outHeight * columnTiles * channelTiles,
      workgroupSize: 64,
      uniforms: [...convUniforms(info), i32u('channelTiles', channelTiles), i32u('columnTiles', columnTiles)],
    },
    bias ? [x, filter, bias] : [x, filter],
    info.outShape,
  );
}

/** dx of a convolution: dy [b, oh, ow, cout] and w [fh, fw, cin, cout] to [b, h, w, cin]. Dilation 1. */
export function engineConv2DBackpropInput(backend: WebGPUBackend, dy: TensorInfo, filter: TensorInfo, info: ConvInfo): TensorInfo {
  const columnTiles = Math.ceil(info.inWidth / BACKPROP_INPUT_PIXELS);
  const unitStride = info.strideHeight === 1 && info.strideWidth === 1;
  return runProgram(
    backend,
    {
      kernelName: 'Conv2DBackpropInput',
      variant: [unitStride ? 'stride1' : 'strided'],
      body: genConvBackpropInput(BACKPROP_INPUT_PIXELS, unitStride),
      inputs: ['DY', 'W'],
      inputComponents: [4, 4],
      outputComponent: 1,
      invocations: info.batchSize * info.inHeight * columnTiles * info.inChannels,
      workgroupSize: 64,
      uniforms: [...convUniforms(info), i32u('columnTiles', columnTiles)],
    },
    [dy, filter],
    info.inShape,
  );
}

/**
 * Filter taps one backprop-filter invocation accumulates: one row of a 3x3 filter. 9 (the whole filter)
 * ran 10% faster but took SwiftShader 36 s to compile (3 taps: 0.1 s).
 */
export const FILTER_TAPS_PER_INVOCATION = 3;

/**
 * The backprop-filter body: one invocation sums x * dy over a chunk of output rows for
 * FILTER_TAPS_PER_INVOCATION filter taps of one (ci, 4 output channels); the taps are unrolled here because WGSL keeps no array in registers.
 */
function backpropFilterWgsl(): string {
  const taps = Array.from({ length: FILTER_TAPS_PER_INVOCATION }, (_, j) => j);
  return `// partial[chunk, ky, kx, ci, co] = sum over output pixels (b, oy, ox) in the chunk's rows of
//   x[b, oy*sh - pt + ky, ox*sw - pl + kx, ci] * dy[b, oy, ox, co]   (x outside the image = 0).
// One invocation: one chunk, taps tapBlock*${FILTER_TAPS_PER_INVOCATION}.., one ci, 4 output channels (vec4).
fn compute(index : i32) {
  let cout4 = uniforms.outChannels / 4;
  let taps = uniforms.filterHeight * uniforms.filterWidth;
  var rest = index;
  let c = rest % cout4;
  rest = rest / cout4;
  let ci = rest % uniforms.inChannels;
  rest = rest / uniforms.inChannels;
  let tapBlock = rest % uniforms.tapBlocks;
  let chunk = rest / uniforms.tapBlocks;
  let tap0 = tapBlock * ${FILTER_TAPS_PER_INVOCATION};
${taps.map((j) => `  let t${j} = min(tap0 + ${j}, taps - 1);
  let ky${j} = t${j} / uniforms.filterWidth;
  let kx${j} = t${j} - ky${j} * uniforms.filterWidth;
  var acc${j} = vec4<f32>(0.0);`).join('\n')}
  let rows = uniforms.batchSize * uniforms.outHeight;
  let first = chunk * uniforms.rowsPerChunk;
  let last = min(first + uniforms.rowsPerChunk, rows);
  let lastX = uniforms.inWidth - 1;
  for (var row = first; row < last; row++) {
    let b = row / uniforms.outHeight;
    let oy = row - b * uniforms.outHeight;
    let iyBase = oy * uniforms.strideHeight - uniforms.padTop;
${taps.map((j) => `    let iy${j} = iyBase + ky${j};
    let rowIn${j} = iy${j} >= 0 && iy${j} < uniforms.inHeight;
    let xRow${j} = (b * uniforms.inHeight + clamp(iy${j}, 0, uniforms.inHeight - 1)) * uniforms.inWidth;`).join('\n')}
    var dyIndex = row * uniforms.outWidth * cout4 + c;
    for (var ox = 0; ox < uniforms.outWidth; ox++) {
      let g = DY[dyIndex];
      dyIndex += cout4;
      let ixBase = ox * uniforms.strideWidth - uniforms.padLeft;
${taps.map((j) => `      let ix${j} = ixBase + kx${j};
      acc${j} += select(0.0, X[(xRow${j} + clamp(ix${j}, 0, lastX)) * uniforms.inChannels + ci], rowIn${j} && ix${j} >= 0 && ix${j} <= lastX) * g;`).join('\n')}
    }
  }
  let filterSize4 = taps * uniforms.inChannels * cout4;
${taps.map((j) => `  if (tap0 + ${j} < taps) { result[chunk * filterSize4 + (t${j} * uniforms.inChannels + ci) * cout4 + c] = acc${j}; }`).join('\n')}
}`;
}

/** Sums rows of a [rows, columns] tensor (columns % 4 == 0) into [columns]: chunked partial sums, then one pass. */
export function engineColumnSum(backend: WebGPUBackend, x: TensorInfo, rows: number, columns: number, outShape: number[]): TensorInfo {
  const columns4 = columns / 4;
  const spec = (r: number, rowsPerChunk: number): ProgramSpec => ({
    kernelName: 'SumRows',
    variant: [],
    body: sumRowsWgsl,
    inputs: ['X'],
    inputComponents: [4],
    outputComponent: 4,
    invocations: Math.ceil(r / rowsPerChunk) * columns4,
    workgroupSize: 64,
    uniforms: [i32u('rows', r), i32u('columns4', columns4), i32u('rowsPerChunk', rowsPerChunk)],
  });
  // Enough chunks to keep every core busy, few enough that the second pass is short.
  const chunks = Math.min(rows, Math.max(1, Math.ceil(4096 / columns4)));
  if (chunks <= 1 || rows <= 64) return runProgram(backend, spec(rows, rows), [x], outShape);
  const rowsPerChunk = Math.ceil(rows / chunks);
  const partialRows = Math.ceil(rows / rowsPerChunk);
  const partial = runProgram(backend, spec(rows, rowsPerChunk), [x], [partialRows, columns]);
  const out = runProgram(backend, spec(partialRows, partialRows), [partial], outShape);
  backend.disposeData(partial.dataId);
  return out;
}

/** dw of a convolution: x [b, h, w, cin] and dy [b, oh, ow, cout] to [fh, fw, cin, cout]. Dilation 1. */
export function engineConv2DBackpropFilter(backend: WebGPUBackend, x: TensorInfo, dy: TensorInfo, info: ConvInfo): TensorInfo {
  const cout4 = info.outChannels / 4;
  const taps = info.filterHeight * info.filterWidth;
  const tapBlocks = Math.ceil(taps / FILTER_TAPS_PER_INVOCATION);
  const perChunk = tapBlocks * info.inChannels * cout4;
  const rows = info.batchSize * info.outHeight;
  const chunks = Math.min(rows, Math.max(1, Math.ceil(2048 / perChunk)));
  const rowsPerChunk = Math.ceil(rows / chunks);
  const usedChunks = Math.ceil(rows / rowsPerChunk);
  const filterSize = taps * info.inChannels * info.outChannels;
  const partial = runProgram(
    backend,
    {
      kernelName: 'Conv2DBackpropFilter',
      variant: [`taps${FILTER_TAPS_PER_INVOCATION}`],
      body: backpropFilterWgsl(),
      inputs: ['X', 'DY'],
      inputComponents: [1, 4],
      outputComponent: 4,
      invocations: usedChunks * perChunk,
      workgroupSize: 64,
      uniforms: [...convUniforms(info), i32u('batchSize', info.batchSize), i32u('tapBlocks', tapBlocks), i32u('rowsPerChunk', rowsPerChunk)],
    },
    [x, dy],
    [usedChunks, filterSize],
  );
  // One chunk: the partial sums are the gradient, in the filter's shape.
  if (usedChunks === 1) return { ...partial, shape: info.filterShape };
  const out = engineColumnSum(backend, partial, usedChunks, filterSize, info.filterShape);
  backend.disposeData(partial.dataId);
  return out;
}

function poolUniforms(info: ConvInfo): UniformValue[] {
  return [
    i32u('inHeight', info.inHeight),
    i32u('inWidth', info.inWidth),
    i32u('channels', info.inChannels),
    i32u('outHeight', info.outHeight),
    i32u('outWidth', info.outWidth),
    i32u('filterHeight', info.filterHeight),
    i32u('filterWidth', info.filterWidth),
    i32u('strideHeight', info.strideHeight),
    i32u('strideWidth', info.strideWidth),
    i32u('dilationHeight', info.dilationHeight),
    i32u('dilationWidth', info.dilationWidth),
    i32u('padTop', info.padInfo.top),
    i32u('padLeft', info.padInfo.left),
  ];
}

/** The reason the engine does not cover this pooling, or null when it does. */
export function poolUnsupported(info: ConvInfo, dtype: string): string | null {
  if (dtype !== 'float32') return 'dtype';
  if (info.inChannels % 4 !== 0) return 'channels not a multiple of 4';
  return null;
}

export function engineMaxPool(backend: WebGPUBackend, x: TensorInfo, info: ConvInfo): TensorInfo {
  return runProgram(
    backend,
    {
      kernelName: 'MaxPool',
      variant: [],
      body: maxPoolWgsl,
      inputs: ['X'],
      inputComponents: [4],
      outputComponent: 4,
      invocations: info.batchSize * info.outHeight * info.outWidth * (info.inChannels / 4),
      workgroupSize: 64,
      uniforms: poolUniforms(info),
    },
    [x],
    info.outShape,
  );
}

/** Whether the pooling windows tile the input exactly: stride = filter size, no padding, nothing left over. */
export function poolWindowsTile(info: ConvInfo): boolean {
  return (
    info.strideHeight === info.filterHeight &&
    info.strideWidth === info.filterWidth &&
    info.padInfo.top === 0 &&
    info.padInfo.left === 0 &&
    info.outHeight * info.filterHeight === info.inHeight &&
    info.outWidth * info.filterWidth === info.inWidth
  );
}

/** dx of max pooling (dilation 1): the gradient goes to each window's maximum, ties to the last. */
export function engineMaxPoolGrad(backend: WebGPUBackend, dy: TensorInfo, x: TensorInfo, info: ConvInfo): TensorInfo {
  const tiled = poolWindowsTile(info);
  return runProgram(
    backend,
    {
      kernelName: 'MaxPoolGrad',
      variant: [tiled ? 'tiled' : 'general'],
      body: tiled ? maxPoolGradTiledWgsl : maxPoolGradWgsl,
      inputs: ['DY', 'X'],
      inputComponents: [4, 4],
      outputComponent: 4,
      invocations: (tiled ? info.outHeight * info.outWidth : info.inHeight * info.inWidth) * info.batchSize * (info.inChannels / 4),
      workgroupSize: 64,
      uniforms: poolUniforms(info),
    },
    [dy, x],
    info.inShape,
  );
}
