// The shape of an engine kernel's implementation, shared by the kernels and their registration (a module
// of its own, so that the kernels need not import the registration that imports them).
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';

/** An engine implementation: a result, or null to hand the call to the original tfjs kernel. */
export type EngineImpl = (inputs: Record<string, TensorInfo | undefined>, backend: WebGPUBackend, attrs: NamedAttrMap) => TensorInfo | null;
