// The gradients of Sum and Mean without a CPU-made tensor: tfjs's multiply dy by `ones(x.shape)`, which
// tfjs-core builds on the CPU and the webgpu backend uploads every time (a TRADES step uploaded its
// per-row ones, a MART step 3 KB). On webgpu, dy broadcast to x's shape on the device gives the same
// values (x * 1 = x); everywhere else tfjs's own gradient runs. A Mean over one contiguous block of axes
// is one engine kernel (reduce/mean.ts: dy / reduce spread over x).
import { broadcastTo, div, engine, getBackend, reshape, util, type NamedAttrMap, type Tensor } from '@tensorflow/tfjs-core';
import { overTfjsGradient } from '../../program/registration';
import { countEngineCall, onEngine } from '../policy';
import { meanBlocks, MeanGradEngine } from './mean';

const deviceGradient = (kernelName: 'Sum' | 'Mean') =>
  overTfjsGradient(kernelName, (tfjsGradFunc) => (dy, saved, attrs) => {
    const [x] = saved;
    if (getBackend() !== 'webgpu' || x.dtype !== 'float32') return tfjsGradFunc(dy, saved, attrs);
    const axes = util.parseAxisParam((attrs as NamedAttrMap & { axis: number | number[] }).axis, x.shape);
    const expanded = x.shape.slice();
    for (const axis of axes) expanded[axis] = 1;
    const reduceSize = axes.reduce((n, axis) => n * x.shape[axis], 1);
    // Mean over one contiguous block of axes: dy / reduce spread over x in one engine kernel.
    if (kernelName === 'Mean') {
      const on = meanBlocks(x.shape, axes) != null && onEngine('MeanGrad', [x, dy as Tensor]);
      countEngineCall('MeanGrad', on);
      if (on) return { x: () => engine().runKernel(MeanGradEngine, { dy: dy as Tensor }, { shape: x.shape, axes }) as Tensor };
    }
    return {
      x: () => {
        const spread = broadcastTo(reshape(dy as Tensor, expanded), x.shape);
        return kernelName === 'Mean' ? div(spread, reduceSize) : spread;
      },
    };
  });

/** Registers the device-side Sum and Mean gradients over tfjs's (again after tfjs's are loaded). */
export function registerReduceGradients(): void {
  deviceGradient('Sum');
  deviceGradient('Mean');
}
