// The kernels over logits [rows, classes] (the DLR losses, softmax cross-entropy and their gradients): one
// f32 per binding, the logits first, `rows` and `classes` in the uniforms.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { runProgram } from './run';
import { i32u } from './spec';

/**
 * Runs `body` over `inputs` (by binding name, logits first) into a new tensor of `outShape`: one invocation
 * per row unless `invocations` says otherwise.
 */
export function runLogitsProgram(
  backend: WebGPUBackend,
  kernelName: string,
  body: string,
  inputs: Record<string, TensorInfo>,
  outShape: number[],
  invocations?: number,
  workgroupSize = 64,
): TensorInfo {
  const names = Object.keys(inputs);
  const [rows, classes] = inputs[names[0]].shape;
  return runProgram(
    backend,
    {
      kernelName,
      variant: [],
      body,
      inputs: names,
      inputComponents: names.map(() => 1),
      outputComponent: 1,
      invocations: invocations ?? rows,
      workgroupSize,
      uniforms: [i32u('rows', rows), i32u('classes', classes)],
    },
    names.map((n) => inputs[n]),
    outShape,
  );
}
