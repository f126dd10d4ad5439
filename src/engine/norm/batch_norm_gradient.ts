// The gradient of FusedBatchNorm (tf.batchNorm, Keras' BatchNormalization) on webgpu, lazy per input.
// tfjs's computes x - mean, dy * scale and the variance's powers before it knows which gradients are
// asked for, and tiles rsqrt(variance + eps) to x's shape: an input gradient through a frozen network
// (an attack on MobileNetV2: 52 of them) paid five passes over each activation for one. Here each input's
// gradient computes only what it needs, with tfjs's formulas in tfjs's order (so its values), broadcasting
// where tfjs tiles:
//   dx = (dy * rsqrt(var + eps)) * scale            dmean = sum(-rsqrt(var + eps) * (dy * scale))
//   dvar = sum((-0.5 rsqrt(var + eps)^3 (x - mean)) * (dy * scale))
//   dscale = sum(dy * ((x - mean) * rsqrt(var + eps)))   doffset = sum(dy)
// the sums over every axis but the channels; dx in one engine kernel (`gradXKernel`: (dy * r) * s, one pass
// over dy). Switched by the policy's 'FusedBatchNormGrad'; other backends, ranks and dtypes keep tfjs's.
import { add, engine, mul, reshape, rsqrt, scalar, sub, sum, type NamedAttrMap, type Tensor } from '@tensorflow/tfjs-core';
import { overTfjsGradient } from '../../program/registration';
import { countEngineCall, onEngine } from '../policy';

/** Registers the lazy FusedBatchNorm gradient over tfjs's (again after tfjs's are loaded). */
export function registerBatchNormGradient(gradXKernel: string): void {
  overTfjsGradient('FusedBatchNorm', (tfjsGradFunc) => (dy, saved, attrs) => {
    const [x, mean, variance, scale] = saved;
    const rank4 = x.rank === 4 && mean.rank === 1 && variance.rank === 1 && (scale == null || scale.rank === 1);
    const on = rank4 && onEngine('FusedBatchNormGrad', [x, mean, variance, scale, dy as Tensor]);
    countEngineCall('FusedBatchNormGrad', on);
    if (!on) return tfjsGradFunc(dy, saved, attrs);
    const { varianceEpsilon } = attrs as NamedAttrMap & { varianceEpsilon: number };
    const channels = [1, 1, 1, mean.shape[0]];
    const scaleValue = scale ?? scalar(1);
    const axes = [0, 1, 2];
    const grad = dy as Tensor;
    const oneOverSqrtVariance = () => rsqrt(add(variance, scalar(varianceEpsilon)));
    const dyTimesScale = () => mul(grad, scaleValue);
    const xMinusMean = () => sub(x, mean);
    return {
      x: () => (scale == null ? mul(grad, reshape(oneOverSqrtVariance(), channels)) : (engine().runKernel(gradXKernel, { dy: grad, r: oneOverSqrtVariance(), s: scale }) as Tensor)),
      mean: () => reshape(sum(mul(mul(oneOverSqrtVariance(), scalar(-1)), dyTimesScale()), axes), mean.shape),
      variance: () => {
        const r = oneOverSqrtVariance();
        const minusHalfRCube = mul(mul(mul(r, r), r), scalar(-0.5));
        return reshape(sum(mul(mul(minusHalfRCube, xMinusMean()), dyTimesScale()), axes), mean.shape);
      },
      scale: () => reshape(sum(mul(grad, mul(xMinusMean(), oneOverSqrtVariance())), axes), mean.shape),
      offset: () => reshape(sum(grad, axes), mean.shape),
    };
  });
}
