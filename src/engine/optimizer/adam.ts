// The fused Adam step: one kernel per variable updates value, first and second moment together (tfjs's
// AdamOptimizer runs about a dozen element-wise kernels per variable). `EngineAdamOptimizer` is tfjs's
// AdamOptimizer with that step, same moments, same weights for checkpoints, same results; it falls back to
// tfjs's own step off the webgpu backend or when the policy switches it off.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import adamWgsl from '../../../shaders/engine/adam.wgsl';
import { f32u, runProgramInto, sizeOf } from '../../program';
import { countEngineCall, onEngine } from '../policy';

/** Per-step scalars of the fused update (float32 values, as tfjs computes them). */
export interface AdamStepScalars {
  learningRate: number;
  beta1: number;
  beta2: number;
  oneMinusBeta1: number;
  oneMinusBeta2: number;
  epsilon: number;
  /** 1 - beta1^t and 1 - beta2^t, t the 1-based step, with tfjs's float32 running product. */
  biasCorrection1: number;
  biasCorrection2: number;
}

/** Runs the fused step on webgpu; returns [value', m', v'] as new tensors. */
export function adamStepWebGPU(backend: WebGPUBackend, value: tf.TensorInfo, grad: tf.TensorInfo, m: tf.TensorInfo, v: tf.TensorInfo, s: AdamStepScalars): tf.TensorInfo[] {
  const size = sizeOf(value);
  countEngineCall('AdamStep', true);
  const outputs = [0, 1, 2].map(() => backend.makeTensorInfo(value.shape, 'float32'));
  if (size === 0) return outputs;
  const width = size % 4 === 0 ? 4 : 1;
  runProgramInto(
    backend,
    {
      kernelName: 'AdamStep',
      variant: [width === 4 ? 'vec4' : 'scalar'],
      body: adamWgsl,
      outputs: ['newValue', 'newBeta1Moment', 'newBeta2Moment'],
      outputComponent: width,
      inputs: ['value', 'grad', 'beta1Moment', 'beta2Moment'],
      inputComponents: [width, width, width, width],
      invocations: size / width,
      workgroupSize: 256,
      uniforms: [
        f32u('learningRate', s.learningRate),
        f32u('beta1', s.beta1),
        f32u('beta2', s.beta2),
        f32u('oneMinusBeta1', s.oneMinusBeta1),
        f32u('oneMinusBeta2', s.oneMinusBeta2),
        f32u('epsilon', s.epsilon),
        f32u('biasCorrection1', s.biasCorrection1),
        f32u('biasCorrection2', s.biasCorrection2),
      ],
    },
    [value, grad, m, v],
    outputs,
  );
  return outputs;
}

type Moment = { originalName: string; variable: tf.Variable };
type AdamInternals = {
  accumulatedFirstMoment: Moment[];
  accumulatedSecondMoment: Moment[];
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  incrementIterations(): void;
};

/**
 * tfjs's Adam with the fused engine step on webgpu.
 *
 * @example
 * const optimizer = engineAdam(1e-3);
 * optimizer.minimize(() => loss(model), false, model.variables);
 */
export class EngineAdamOptimizer extends tf.AdamOptimizer {
  /** tfjs's float32 running products beta1^t and beta2^t, kept on the CPU (no read-back, no tensor per step). */
  private accumulated: [number, number] | null = null;

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    const backend = tf.backend() as WebGPUBackend;
    const self = this as unknown as AdamInternals;
    if (!onEngine('Adam', [])) {
      // tfjs's step reads its own accumulators: bring them to the fused steps' running products first.
      if (this.accumulated != null) {
        const [a1, a2] = this.accumulated;
        tf.tidy(() => {
          self.accBeta1.assign(tf.scalar(a1));
          self.accBeta2.assign(tf.scalar(a2));
        });
      }
      this.accumulated = null;
      countEngineCall('AdamStep', false);
      super.applyGradients(variableGradients);
      return;
    }
    const f = Math.fround;
    if (this.accumulated == null) {
      // beta^t after `iterations` steps, as tfjs multiplies it (float32 at each step).
      let a1 = f(self.beta1);
      let a2 = f(self.beta2);
      for (let i = 0; i < this.iterations; i++) {
        a1 = f(a1 * f(self.beta1));
        a2 = f(a2 * f(self.beta2));
      }
      this.accumulated = [a1, a2];
    }
    const [acc1, acc2] = this.accumulated;
    const scalars: AdamStepScalars = {
      learningRate: self.learningRate,
      beta1: self.beta1,
      beta2: self.beta2,
      oneMinusBeta1: f(1 - self.beta1),
      oneMinusBeta2: f(1 - self.beta2),
      epsilon: self.epsilon,
      biasCorrection1: f(1 - acc1),
      biasCorrection2: f(1 - acc2),
    };
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    names.forEach((name, i) => {
      const value = tf.engine().registeredVariables[name];
      self.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      self.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      const gradient = Array.isArray(variableGradients) ? variableGradients[i].tensor : (variableGradients as tf.NamedTensorMap)[name];
      if (gradient == null) return;
      const m = self.accumulatedFirstMoment[i].variable;
      const v = self.accumulatedSecondMoment[i].variable;
      const [newValue, newM, newV] = adamStepWebGPU(backend, value, gradient, m, v, scalars).map((info) => tf.engine().makeTensorFromTensorInfo(info));
      value.assign(newValue);
      m.assign(newM);
      v.assign(newV);
      tf.dispose([newValue, newM, newV]);
    });
    // The running products stay on the CPU: no scalar tensor, upload or dispatch per step for them. tfjs's
    // own accumulators (read only by its own step; getWeights saves the iteration count) are brought up to
    // date when the step falls back to tfjs's.
    this.accumulated = [f(acc1 * f(self.beta1)), f(acc2 * f(self.beta2))];
    self.incrementIterations();
  }

  override async setWeights(weightValues: Parameters<tf.AdamOptimizer['setWeights']>[0]): Promise<void> {
    await super.setWeights(weightValues);
    this.accumulated = null;
  }
}

/** tfjs's `tf.train.adam` with the fused engine step (epsilon defaults to the backend's, as tfjs). */
export function engineAdam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon?: number): EngineAdamOptimizer {
  return new EngineAdamOptimizer(learningRate, beta1, beta2, epsilon ?? null!);
}
