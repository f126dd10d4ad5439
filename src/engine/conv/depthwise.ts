// Engine depthwise convolutions (MobileNet's), NHWC float32, channel multiplier 1, channels a multiple of
// 4: DepthwiseConv2dNative forward (with a bias and ReLU/ReLU6 epilogue for FusedDepthwiseConv2D and the
// folded inference plan) and DepthwiseConv2dNativeBackpropInput, one vec4 of channels per
// invocation, the taps in one flat loop (shaders/engine/depthwise_conv*.wgsl). Any stride, padding and
// dilation tfjs accepts. The filter's gradient (training) stays on tfjs's kernel.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import depthwiseWgsl from '../../../shaders/engine/depthwise_conv.wgsl';
import depthwiseBackpropInputWgsl from '../../../shaders/engine/depthwise_conv_backprop_input.wgsl';
import { runProgram } from '../../program';
import { epilogueWgsl, type EngineActivation } from '../matmul/matmul';
import { channelWindowUniforms, type ConvInfo } from './conv';

/** The reason the engine does not cover this depthwise convolution, or null when it does. */
export function depthwiseUnsupported(info: ConvInfo, dtypes: string[]): string | null {
  if (dtypes.some((d) => d !== 'float32')) return 'dtype';
  if (info.dataFormat !== 'channelsLast') return 'data format';
  if (info.outChannels !== info.inChannels) return 'channel multiplier above 1';
  if (info.inChannels % 4 !== 0) return 'channels not a multiple of 4';
  return null;
}

/** One depthwise program: a vec4 of channels of one pixel of `outShape` per invocation. */
function runDepthwise(backend: WebGPUBackend, kernelName: string, variant: string[], body: string, inputs: string[], tensors: TensorInfo[], info: ConvInfo, outShape: number[]): TensorInfo {
  const pixels = outShape[0] * outShape[1] * outShape[2];
  return runProgram(
    backend,
    { kernelName, variant, body, inputs, inputComponents: inputs.map(() => 4), outputComponent: 4, invocations: pixels * (info.inChannels / 4), workgroupSize: 64, uniforms: channelWindowUniforms(info) },
    tensors,
    outShape,
  );
}

/** y = act(depthwiseConv2d(x, w) + bias): x [b, h, w, c], w [fh, fw, c, 1], bias [c] to [b, oh, ow, c]. */
export function engineDepthwiseConv2D(backend: WebGPUBackend, x: TensorInfo, filter: TensorInfo, info: ConvInfo, bias?: TensorInfo, activation: EngineActivation = 'linear'): TensorInfo {
  const biasKind = bias ? 'vec4' : 'none';
  const body = [epilogueWgsl(biasKind, activation), depthwiseWgsl].join('\n');
  return runDepthwise(backend, 'DepthwiseConv2D', [`bias${biasKind}`, activation], body, bias ? ['X', 'W', 'bias'] : ['X', 'W'], bias ? [x, filter, bias] : [x, filter], info, info.outShape);
}

/** dx of a depthwise convolution: dy [b, oh, ow, c] and w [fh, fw, c, 1] to [b, h, w, c]. */
export function engineDepthwiseConv2DBackpropInput(backend: WebGPUBackend, dy: TensorInfo, filter: TensorInfo, info: ConvInfo): TensorInfo {
  return runDepthwise(backend, 'DepthwiseConv2DBackpropInput', [], depthwiseBackpropInputWgsl, ['DY', 'W'], [dy, filter], info, info.inShape);
}
