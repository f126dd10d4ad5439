// Engine max pooling (float32, channels a multiple of 4, vec4 over channels): MaxPool, and MaxPoolGrad
// with one invocation per window where the windows tile the input, one per input pixel otherwise.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import maxPoolWgsl from '../../../shaders/engine/max_pool.wgsl';
import maxPoolGradWgsl from '../../../shaders/engine/max_pool_grad.wgsl';
import maxPoolGradTiledWgsl from '../../../shaders/engine/max_pool_grad_tiled.wgsl';
import nhwcWgsl from '../../../shaders/engine/nhwc_common.wgsl';
import { channelWindowUniforms, type ConvInfo } from '../conv/conv';
import { runProgram, wgslWith } from '../../program';

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
      body: wgslWith({ include: [nhwcWgsl] }, maxPoolWgsl),
      inputs: ['X'],
      inputComponents: [4],
      outputComponent: 4,
      invocations: info.batchSize * info.outHeight * info.outWidth * (info.inChannels / 4),
      workgroupSize: 64,
      uniforms: channelWindowUniforms(info),
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

/**
 * dx of max pooling (dilation 1): the gradient goes to each window's maximum, ties to the last. With
 * `reluMask` (windows that tile the input only: poolWindowsTile) x is a ReLU's output and the ReLU's
 * gradient is applied in the same pass (x > 0 ? dx : 0), the values of MaxPoolGrad then EngineReluGrad.
 */
export function engineMaxPoolGrad(backend: WebGPUBackend, dy: TensorInfo, x: TensorInfo, info: ConvInfo, reluMask = false): TensorInfo {
  const tiled = poolWindowsTile(info);
  if (reluMask && !tiled) throw new Error('engineMaxPoolGrad: the ReLU mask needs windows that tile the input');
  return runProgram(
    backend,
    {
      kernelName: 'MaxPoolGrad',
      variant: [tiled ? 'tiled' : 'general', reluMask ? 'relu' : 'plain'],
      body: wgslWith(tiled ? { constants: { RELU_MASK: reluMask }, include: [nhwcWgsl] } : { include: [nhwcWgsl] }, tiled ? maxPoolGradTiledWgsl : maxPoolGradWgsl),
      inputs: ['DY', 'X'],
      inputComponents: [4, 4],
      outputComponent: 4,
      invocations: (tiled ? info.outHeight * info.outWidth : info.inHeight * info.inWidth) * info.batchSize * (info.inChannels / 4),
      workgroupSize: 64,
      uniforms: channelWindowUniforms(info),
    },
    [dy, x],
    info.inShape,
  );
}
