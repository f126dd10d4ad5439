// Engine convolution kernels (NHWC, float32, output channels a multiple of 4): Conv2D and FusedConv2D
// (bias, ReLU) forward, Conv2DBackpropInput, Conv2DBackpropFilter (partial sums over chunks of output rows,
// then a column sum). Direct loops, no shared memory; inputs of up to 4 channels (the seed CNN's, a colour
// image's first conv) take kernels that read each input column once per filter row (conv_tiles.ts).
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core';
import { epilogueWgsl, type EngineActivation } from '../matmul/matmul';
import { i32u, runProgram, subgroupGrid, type UniformValue } from '../../program';
import { engineColumnSum } from '../reduce/column_sum';
import { genConv, genConvBackpropFilter, genConvBackpropInput, genConvBackpropInputSmall, genConvSmallInput } from './conv_tiles';

export type ConvInfo = backend_util.Conv2DInfo;

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
    ...windowUniforms(info),
  ];
}

/** The sizes and the window of a per-channel windowed kernel (pooling, depthwise convolution): in = out channels. */
export function channelWindowUniforms(info: ConvInfo): UniformValue[] {
  return [
    i32u('inHeight', info.inHeight),
    i32u('inWidth', info.inWidth),
    i32u('channels', info.inChannels),
    i32u('outHeight', info.outHeight),
    i32u('outWidth', info.outWidth),
    ...windowUniforms(info),
  ];
}

/** The window's uniforms, after the sizes in both the convolutions' and the poolings' structs. */
export function windowUniforms(info: ConvInfo): UniformValue[] {
  return [
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
/** genConvSmallInput's tile (the seed CNN's [256,28,28,1] -> 32 forward: 62 ms with genConv, 58 at 4x4, 8x2, 8x4). */
const SMALL_INPUT_TILE = { pixels: 4, channels4: 4 };
/**
 * genConvBackpropInputSmall's pixels per invocation (the seed CNN's [256,26,26,32] -> [256,28,28,1] input
 * gradient: 107 ms with genConvBackpropInput, 63 at 4 pixels, 55 at 8, 56 at 12).
 */
const SMALL_INPUT_GRAD_PIXELS = 8;

/**
 * Whether the forward takes genConvSmallInput: few input channels (where genConv's loop costs more than
 * its multiply-adds), a narrow filter, stride 1 or 2 across, no dilation.
 */
function smallInput(info: ConvInfo): boolean {
  return info.inChannels <= 4 && info.filterWidth <= 5 && info.strideWidth <= 2 && info.dilationHeight === 1 && info.dilationWidth === 1;
}

/** Backprop-input tile: 4 input pixels (of one column phase) x up to 4 input channels per invocation. */
const BACKPROP_INPUT_PIXELS = 4;
const BACKPROP_INPUT_CHANNELS = 4;

/** y = act(conv2d(x, w) + bias). */
export function engineConv2D(backend: WebGPUBackend, x: TensorInfo, filter: TensorInfo, info: ConvInfo, bias: TensorInfo | undefined, activation: EngineActivation): TensorInfo {
  const small = smallInput(info);
  const tile = small ? SMALL_INPUT_TILE : CONV_TILE;
  const channelTiles = Math.ceil(info.outChannels / (4 * tile.channels4));
  const { tiles: columnTiles, sg } = subgroupGrid(backend, Math.ceil(info.outWidth / tile.pixels));
  const biasKind = bias ? 'vec4' : 'none';
  const conv = small
    ? genConvSmallInput(tile.pixels, tile.channels4, info.inChannels, info.filterWidth, info.strideWidth, sg)
    : genConv(tile.pixels, tile.channels4, sg);
  return runProgram(
    backend,
    {
      kernelName: 'Conv2D',
      variant: [`bias${biasKind}`, activation, small ? `small${tile.pixels}x${tile.channels4}_ci${info.inChannels}_fw${info.filterWidth}_sw${info.strideWidth}` : 'general', sg ? 'sg4' : 'lanes'],
      body: [epilogueWgsl(biasKind, activation), conv].join('\n'),
      subgroups: sg,
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
  if (smallInput(info) && info.strideHeight === 1 && info.strideWidth === 1) {
    const P = SMALL_INPUT_GRAD_PIXELS;
    const { tiles: columnTiles, sg } = subgroupGrid(backend, Math.ceil(info.inWidth / P));
    return runProgram(
      backend,
      {
        kernelName: 'Conv2DBackpropInput',
        variant: [`small${P}_ci${info.inChannels}_fw${info.filterWidth}`, sg ? 'sg4' : 'lanes'],
        body: genConvBackpropInputSmall(P, info.inChannels, info.filterWidth, sg),
        subgroups: sg,
        inputs: ['DY', 'W'],
        inputComponents: [4, 4],
        outputComponent: 1,
        invocations: info.batchSize * info.inHeight * columnTiles,
        workgroupSize: 64,
        uniforms: [...convUniforms(info), i32u('columnTiles', columnTiles)],
      },
      [dy, filter],
      info.inShape,
    );
  }
  const channels = Math.min(BACKPROP_INPUT_CHANNELS, info.inChannels);
  const channelTiles = Math.ceil(info.inChannels / channels);
  // Each column phase holds ceil(inWidth / strideWidth) pixels; a phase with fewer leaves its last one unwritten.
  const { tiles: columnTiles, sg } = subgroupGrid(backend, Math.ceil(Math.ceil(info.inWidth / info.strideWidth) / BACKPROP_INPUT_PIXELS));
  return runProgram(
    backend,
    {
      kernelName: 'Conv2DBackpropInput',
      variant: [`ci${channels}`, sg ? 'sg4' : 'lanes'],
      body: genConvBackpropInput(BACKPROP_INPUT_PIXELS, channels, sg),
      subgroups: sg,
      inputs: ['DY', 'W'],
      inputComponents: [4, 4],
      outputComponent: 1,
      invocations: info.batchSize * info.inHeight * info.strideWidth * columnTiles * channelTiles,
      workgroupSize: 64,
      uniforms: [...convUniforms(info), i32u('columnTiles', columnTiles), i32u('channelTiles', channelTiles)],
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
      body: genConvBackpropFilter(FILTER_TAPS_PER_INVOCATION),
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
