// Engine depthwise convolutions (MobileNet's), NHWC float32, channel multiplier 1, channels a multiple of
// 4: DepthwiseConv2dNative forward and DepthwiseConv2dNativeBackpropInput, one vec4 of channels per
// invocation, the taps in one flat loop (shaders/engine/depthwise_conv*.wgsl). Any stride, padding and
// dilation tfjs accepts. The filter's gradient (training) stays on tfjs's kernel.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import depthwiseWgsl from '../../../shaders/engine/depthwise_conv.wgsl';
import depthwiseBackpropInputWgsl from '../../../shaders/engine/depthwise_conv_backprop_input.wgsl';
import { i32u, runProgram, type UniformValue } from '../../program';
import { windowUniforms, type ConvInfo } from './conv';

/** The reason the engine does not cover this depthwise convolution, or null when it does. */
export function depthwiseUnsupported(info: ConvInfo, dtypes: string[]): string | null {
  if (dtypes.some((d) => d !== 'float32')) return 'dtype';
  if (info.dataFormat !== 'channelsLast') return 'data format';
  if (info.outChannels !== info.inChannels) return 'channel multiplier above 1';
  if (info.inChannels % 4 !== 0) return 'channels not a multiple of 4';
  return null;
}

function depthwiseUniforms(info: ConvInfo): UniformValue[] {
  return [
    i32u('inHeight', info.inHeight),
    i32u('inWidth', info.inWidth),
    i32u('channels', info.inChannels),
    i32u('outHeight', info.outHeight),
    i32u('outWidth', info.outWidth),
    ...windowUniforms(info),
  ];
}

/** y = depthwiseConv2d(x, w): x [b, h, w, c], w [fh, fw, c, 1] to [b, oh, ow, c]. */
export function engineDepthwiseConv2D(backend: WebGPUBackend, x: TensorInfo, filter: TensorInfo, info: ConvInfo): TensorInfo {
  return runProgram(
    backend,
    {
      kernelName: 'DepthwiseConv2D',
      variant: [],
      body: depthwiseWgsl,
      inputs: ['X', 'W'],
      inputComponents: [4, 4],
      outputComponent: 4,
      invocations: info.batchSize * info.outHeight * info.outWidth * (info.inChannels / 4),
      workgroupSize: 64,
      uniforms: depthwiseUniforms(info),
    },
    [x, filter],
    info.outShape,
  );
}

/** dx of a depthwise convolution: dy [b, oh, ow, c] and w [fh, fw, c, 1] to [b, h, w, c]. */
export function engineDepthwiseConv2DBackpropInput(backend: WebGPUBackend, dy: TensorInfo, filter: TensorInfo, info: ConvInfo): TensorInfo {
  return runProgram(
    backend,
    {
      kernelName: 'DepthwiseConv2DBackpropInput',
      variant: [],
      body: depthwiseBackpropInputWgsl,
      inputs: ['DY', 'W'],
      inputComponents: [4, 4],
      outputComponent: 4,
      invocations: info.batchSize * info.inHeight * info.inWidth * (info.inChannels / 4),
      workgroupSize: 64,
      uniforms: depthwiseUniforms(info),
    },
    [dy, filter],
    info.inShape,
  );
}
