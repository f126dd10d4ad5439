// FAB's projection and step kernels on Dawn: the table-driven cases of test/suite/fab_suite.ts (fused
// kernels and the stock-op fallback against the float64 port of the reference's projection_linf /
// projection_l2), rows worked by hand (inside the box, clipped by it, on the plane, out of reach, w = 0),
// the cpu kernels, and bad arguments refused by name with nothing leaked.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import * as engine from '../../dist/engine.js';
import { expectFabOk } from '../suite/fab_check';
import { fabCases, fabRows, runFabCase } from '../suite/fab_suite';
import { runSeed } from '../suite/run_seed';

beforeAll(async () => {
  await lib.initWebGPU();
  await lib.ensureGradients();
  console.log(`fab kernels: run seed ${runSeed}`);
});

describe('FabHyperplane, FabProjectionApply and FabStep on Dawn', () => {
  for (const c of fabCases) test(c.name, async () => expectFabOk(await runFabCase(c, runSeed)));
});

describe('fabProjection on rows worked by hand', () => {
  // [t, w, b, expected d (linf), expected d (l2)]
  const rows: [string, number[], number[], number, number[], number[]][] = [
    ['inside the box', [0.5, 0.5], [1, 1], 0.5, [-0.25, -0.25], [-0.25, -0.25]],
    ['clipped by the box', [0.1, 0.9], [1, 1], 0.5, [-0.1, -0.4], [-0.1, -0.4]],
    ['the plane on the other side', [0.1, 0.9], [1, -1], 0.2, [0.5, -0.5], [0.5, -0.5]],
    ['already on the plane', [0.25, 0.75], [2, 1], 1.25, [0, 0], [0, 0]],
    ['out of reach: the nearest corner', [0.5, 0.25], [1, 1], -1, [-0.5, -0.25], [-0.5, -0.25]],
    ['w = 0', [0.5, 0.25], [0, 0], 3, [0, 0], [0, 0]],
    ['one coordinate with w = 0', [0.5, 0.25], [0, 2], 0.1, [0, -0.2], [0, -0.2]],
    ['L2 differs from L-inf', [0.5, 0.5], [2, 1], 0.5, [-1 / 3, -1 / 3], [-0.4, -0.2]],
  ];
  for (const [name, t, w, b, linf, l2] of rows) {
    test(name, async () => {
      for (const [norm, expected] of [['linf', linf], ['l2', l2]] as const) {
        const args = [tf.tensor2d([t]), tf.tensor2d([w]), tf.tensor1d([b])] as const;
        const d = Array.from(await lib.fabProjection(...args, { norm }).data());
        const port = Array.from(engine.fabProjectionReference(t, w, [b], 1, 2, norm).d);
        d.forEach((v, i) => expect(v, `${norm} fused [${i}]`).toBeCloseTo(expected[i], 6));
        port.forEach((v, i) => expect(v, `${norm} port [${i}]`).toBeCloseTo(expected[i], 12));
        tf.dispose([...args]);
      }
    });
  }
});

describe('fabProjection on the cpu backend', () => {
  test('the cpu kernels give the float64 port rounded to float32 (and the fused step its reference)', async () => {
    const c = { name: 'cpu', rows: 9, cols: 50, norm: 'linf' as const, inputs: 'mnist' as const };
    await tf.setBackend('cpu');
    try {
      for (const norm of ['linf', 'l2'] as const) {
        const p = fabRows({ ...c, norm }, runSeed ^ 0xfab);
        const ref = engine.fabProjectionReference(p.t, p.w, p.b, c.rows, c.cols, norm);
        const t = tf.tensor2d(p.t, [c.rows, c.cols]);
        const w = tf.tensor2d(p.w, [c.rows, c.cols]);
        const b = tf.tensor1d(p.b);
        expect(Array.from(await lib.fabHyperplane(t, w, b, { norm }).data())).toEqual(Array.from(engine.fabRowParamsLayout(ref)));
        const applied = engine.fabApplyReference(p.t, p.w, engine.fabRowParamsLayout(ref), c.cols, norm);
        expect(Array.from(await lib.fabProjection(t, w, b, { norm }).data())).toEqual(Array.from(applied));
        tf.dispose([t, w, b]);
      }
    } finally {
      await tf.setBackend('webgpu');
    }
  });
});

test('where the plane is just in reach through one free coordinate, L2: the corner (the reference: 0, as its alpha = 0 where no weight is left)', async () => {
  // t = [0.5, 0.25], w = [0, 2], b = 0: w.t - b = 0.5 = all the reach (2 x 0.25). projection_l2 takes its
  // binary-search branch, finds ws = 0 and sets alpha = 0 (d = 0); the exact answer is the corner.
  const args = [tf.tensor2d([[0.5, 0.25]]), tf.tensor2d([[0, 2]]), tf.tensor1d([0])] as const;
  expect(Array.from(engine.fabProjectionReference([0.5, 0.25], [0, 2], [0], 1, 2, 'l2').d, (v) => v + 0)).toEqual([0, 0]);
  expect(Array.from(await lib.fabProjection(...args, { norm: 'l2' }).data(), (v) => v + 0)).toEqual([0, -0.25]);
  expect(Array.from(await lib.fabProjection(...args, { norm: 'linf' }).data(), (v) => v + 0)).toEqual([0, -0.25]);
  tf.dispose([...args]);
});

describe('bad arguments are refused by name', () => {
  const t = () => tf.zeros([2, 3]);
  // Each case makes its arguments, then the call that must throw.
  const cases: [string, string, () => [tf.Tensor[], (a: tf.Tensor[]) => unknown]][] = [
    ['points of rank 1', 'points', () => [[tf.zeros([3]), tf.zeros([3]), tf.zeros([1])], (a) => lib.fabProjection(a[0], a[1], a[2])]],
    ['points with no columns', 'points', () => [[tf.zeros([2, 0]), tf.zeros([2, 0]), tf.zeros([2])], (a) => lib.fabHyperplane(a[0], a[1], a[2])]],
    ['w of another shape', 'w', () => [[t(), tf.zeros([2, 4]), tf.zeros([2])], (a) => lib.fabProjection(a[0], a[1], a[2])]],
    ['b of another length', 'b', () => [[t(), t(), tf.zeros([3])], (a) => lib.fabProjection(a[0], a[1], a[2])]],
    ['int32 points', 'points', () => [[tf.zeros([2, 3], 'int32'), t(), tf.zeros([2])], (a) => lib.fabProjection(a[0], a[1], a[2])]],
    ['norm l1', 'options.norm', () => [[t(), t(), tf.zeros([2])], (a) => lib.fabProjection(a[0], a[1], a[2], { norm: 'l1' as 'l2' })]],
    ['an unknown option', 'options.radius', () => [[t(), t(), tf.zeros([2])], (a) => lib.fabHyperplane(a[0], a[1], a[2], { radius: 1 } as object)]],
    ['step params of one row per point', 'params', () => [[t(), t(), t(), tf.zeros([2, 4])], (a) => lib.fabStep(a[0], a[1], a[2], a[3])]],
    ['step alphaMax 2', 'options.alphaMax', () => [[t(), t(), t(), tf.zeros([4, 4])], (a) => lib.fabStep(a[0], a[1], a[2], a[3], { alphaMax: 2 })]],
    ['step eta NaN', 'options.eta', () => [[t(), t(), t(), tf.zeros([4, 4])], (a) => lib.fabStep(a[0], a[1], a[2], a[3], { eta: NaN })]],
    ['step x0 of another shape', 'x0', () => [[t(), tf.zeros([2, 2]), t(), tf.zeros([4, 4])], (a) => lib.fabStep(a[0], a[1], a[2], a[3])]],
  ];
  for (const [name, argument, make] of cases) {
    test(`${name}: refused naming ${argument}, nothing leaked`, () => {
      const [args, call] = make();
      const before = tf.memory().numTensors;
      let error: unknown;
      try {
        call(args);
      } catch (e) {
        error = e;
      }
      expect(error, name).toBeInstanceOf(lib.AdversarialArgumentError);
      expect((error as InstanceType<typeof lib.AdversarialArgumentError>).argument).toBe(argument);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose(args);
    });
  }
});
