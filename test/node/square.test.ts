// The Square attack on Dawn: its kernels (table-driven cases against the CPU references, the cpu
// backend's kernels), its fixed parts against the reference implementation's values (p schedule, sides,
// eta, start grid), its draws, and the attack's properties: the eps-ball and [0, 1] never left, a fooled
// point stays fooled, the best margin never gets worse, the read-back variant gives the same images,
// restarts only help, bad input refused naming the parameter, no tensor leaks, the attack table's entry.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { onehotOf } from '../suite/attack_checks';
import { withGpuErrorScope } from '../suite/kernel_suite';
import { runSeed } from '../suite/run_seed';
import { expectSquareCaseOk } from '../suite/square_check';
import { runSquareCase, squareCases, squareExpected, squareInputs, squareRun } from '../suite/square_suite';
import { caseSeed } from '../suite/cases';
import { sameValue } from '../suite/kernel_suite';

beforeAll(async () => {
  await lib.initWebGPU();
  await lib.ensureGradients();
  console.log(`square: run seed ${runSeed}`);
});

describe('Square kernels on Dawn', () => {
  for (const c of squareCases) test(c.name, async () => expectSquareCaseOk(await runSquareCase(c, runSeed)));
});

describe('Square kernels on the cpu backend', () => {
  const picked = squareCases.filter((c) => c.inputs !== 'edges' && (c.shape[0] === 3 || c.shape[0] === 5 || c.kernel === 'accept'));
  test(`the cpu kernels give the reference's bits (${picked.length} cases)`, async () => {
    await tf.setBackend('cpu');
    try {
      for (const c of picked) {
        const m = squareInputs(c, caseSeed(runSeed, c.name));
        const t = Object.fromEntries(Object.entries(m.inputs).map(([k, v]) => [k, tf.tensor(v.values, v.shape, 'float32')]));
        const outs = squareRun(c, t, m.attrs);
        const expected = squareExpected(c, m);
        for (let k = 0; k < outs.length; k++) {
          const actual = outs[k].dataSync();
          const bad = Array.from(expected[k]).findIndex((e, i) => !sameValue(actual[i], e));
          expect(bad, `${c.name} output ${k}`).toBe(-1);
        }
        tf.dispose([...outs, ...Object.values(t)]);
      }
    } finally {
      await tf.setBackend('webgpu');
    }
  });
});

describe('schedule, sides, eta and the start grid (values from autoattack/square.py)', () => {
  // The reference's p_selection (resc_schedule=False) and sides on 28 x 28, printed by the reference's code.
  const its = [0, 10, 11, 50, 51, 200, 201, 500, 501, 1000, 1001, 2000, 2001, 4000, 4001, 6000, 6001, 8000, 8001, 9999];
  test('L-inf sides on 28 x 28, p_init 0.8', () => {
    expect(its.map((it) => lib.squareSide('linf', it, 0.8, 28, 28))).toEqual([25, 25, 18, 18, 13, 13, 9, 9, 6, 6, 4, 4, 3, 3, 2, 2, 2, 2, 1, 1]);
  });
  test('L2 sides on 28 x 28, p_init 0.8 (at least 3, odd)', () => {
    expect(its.map((it) => lib.squareSide('l2', it, 0.8, 28, 28))).toEqual([25, 25, 19, 19, 13, 13, 9, 9, 7, 7, 5, 5, 3, 3, 3, 3, 3, 3, 3, 3]);
  });
  test('p halves after iterations 10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000', () => {
    expect([0, 10, 11, 51, 201, 501, 1001, 2001, 4001, 6001, 8001].map((it) => lib.squareP(it, 0.8))).toEqual([0.8, 0.8, 0.4, 0.2, 0.1, 0.05, 0.025, 0.0125, 0.00625, 0.003125, 0.0015625]);
  });
  test('sides never exceed the image and round half to even as Python', () => {
    expect([0.5, 1.5, 2.5, 3.5, 2.4, 2.6].map(lib.roundHalfEven)).toEqual([0, 2, 2, 4, 2, 3]);
    expect(lib.squareSide('linf', 0, 1, 3, 9)).toBe(3);
    expect(lib.squareSide('l2', 0, 0.01, 2, 2)).toBe(2);
  });
  test.each([
    [1, [-1]],
    [2, [0.13867505, 0.69337529, -0.13867505, -0.69337529]],
    [3, [0.13608277, 0.68041384, 0.13608277, -0.12909944, -0.12909944, -0.12909944, -0.12909944, -0.6454972, -0.12909944]],
    [
      5,
      [
        0.04916216, 0.15977703, 0.15977703, 0.15977703, 0.04916216, 0.04916216, 0.15977703, 0.60223651, 0.15977703, 0.04916216, -0.04559015, -0.14816798, -0.14816798, -0.14816798, -0.04559015, -0.04559015,
        -0.14816798, -0.55847931, -0.14816798, -0.04559015, -0.04559015, -0.14816798, -0.14816798, -0.14816798, -0.04559015,
      ],
    ],
  ])('eta(%i) equals the reference eta before its transposition, unit norm', (s, expected) => {
    const eta = lib.squareEta(s);
    expect(eta.length).toBe(s * s);
    eta.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    expect(Math.sqrt(eta.reduce((a, v) => a + v * v, 0))).toBeCloseTo(1, 6);
  });
  test('the L2 start grid: 28 x 28 and 32 x 32 as the reference; small and narrow images keep what fits', () => {
    expect(lib.squareL2InitGrid(28, 28)).toEqual({ s: 5, start: 1, rows: 5, cols: 5 });
    expect(lib.squareL2InitGrid(32, 32)).toEqual({ s: 6, start: 1, rows: 5, cols: 5 });
    expect(lib.squareL2InitGrid(4, 4)).toEqual({ s: 1, start: 0, rows: 4, cols: 4 });
    expect(lib.squareL2InitGrid(28, 3)).toEqual({ s: 5, start: 1, rows: 5, cols: 0 });
    expect(lib.squareL2InitNorm(lib.squareL2InitGrid(28, 28), 1)).toBeCloseTo(5, 5);
  });
});

describe('draws', () => {
  test('positions in [0, h - s), signs balanced, ids and steps independent: 20,000 draws', () => {
    let plus = 0;
    const seen = new Set<string>();
    for (let n = 0; n < 2000; n++) {
      for (let step = 1; step <= 10; step++) {
        const d = lib.squareQueryDraws(lib.squareKey(runSeed, step), n, 3, 5, 28, 20);
        for (const v of [d.vh, d.vh2]) expect(v >= 0 && v < 23).toBe(true);
        for (const v of [d.vw, d.vw2]) expect(v >= 0 && v < 15).toBe(true);
        plus += d.signs.filter((s) => s === 1).length;
        seen.add(`${d.vh},${d.vw},${d.vh2},${d.vw2}`);
      }
    }
    expect(Math.abs(plus / 60000 - 0.5)).toBeLessThan(0.01);
    // 23 x 15 x 23 x 15 = 119,025 equally likely positions: 20,000 uniform draws hit about 18,400 of them.
    expect(seen.size).toBeGreaterThan(18000);
  });
  test('pickBelow: 0 when nothing is free, the top of the range at the largest draw', () => {
    expect(lib.pickBelow(0xffffffff, 0)).toBe(0);
    expect(lib.pickBelow(0xffffffff, 23)).toBe(22);
    expect(lib.pickBelow(0, 23)).toBe(0);
  });
});

/** A random seed CNN on 8 x 8 inputs and images it classifies with positive margins (its own predictions as labels). */
async function pointsOf(seed: number, count: number, classes = 10) {
  const model = lib.seedCnn({ seed, inputShape: [8, 8, 1], numClasses: classes });
  const random = lib.seededRandom(seed);
  const x = tf.tensor4d(Float32Array.from({ length: count * 64 }, () => (random() < 0.2 ? Math.round(random()) : random())), [count, 8, 8, 1]);
  const labels = Array.from(await tf.argMax(model.forward(x), 1).data());
  return { model, x, labels, y: onehotOf(labels, classes) };
}

const marginsOf = async (model: lib.Classifier, images: tf.Tensor4D, y: tf.Tensor2D) => Array.from(await tf.tidy(() => lib.squareMargin(model.forward(images), y)).data());

describe('squareAttack', () => {
  test('never leaves the eps-ball (L-inf: max |x - x0| <= eps; L2: norm <= eps + 1e-5) or [0, 1]: 6 random draws; nothing leaks', async () => {
    const random = lib.seededRandom(runSeed ^ 0x5a);
    const { model } = await pointsOf(3, 1);
    const { errors } = await withGpuErrorScope(lib.currentWebGPU()!.device, async () => {
      for (let draw = 0; draw < 6; draw++) {
        const norm = draw % 2 === 0 ? 'linf' : 'l2';
        const batch = 1 + Math.floor(random() * 6);
        const epsilon = norm === 'linf' ? 0.01 + random() * 0.3 : 0.1 + random() * 3;
        const queries = 1 + Math.floor(random() * 30);
        const restarts = 1 + Math.floor(random() * 2);
        const x = tf.tensor4d(Float32Array.from({ length: batch * 64 }, () => (random() < 0.3 ? Math.round(random()) : random())), [batch, 8, 8, 1]);
        const y = onehotOf(Array.from({ length: batch }, () => Math.floor(random() * 10)));
        const before = tf.memory().numTensors;
        const adv = lib.squareAttack(model, x, y, { epsilon, norm, queries, restarts, pInit: 0.05 + random() * 0.95, seed: draw });
        expect(tf.memory().numTensors, `draw ${draw}: tensors`).toBe(before + 1);
        const a = await adv.data();
        const c = await x.data();
        for (let r = 0; r < batch; r++) {
          let linf = 0;
          let l2 = 0;
          for (let i = r * 64; i < (r + 1) * 64; i++) {
            expect(a[i] >= 0 && a[i] <= 1, `draw ${draw} element ${i}: ${a[i]}`).toBe(true);
            linf = Math.max(linf, Math.abs(a[i] - c[i]));
            l2 += (a[i] - c[i]) ** 2;
          }
          if (norm === 'linf') expect(linf, `draw ${draw} row ${r}`).toBeLessThanOrEqual(Math.fround(epsilon) + 1e-6);
          else expect(Math.sqrt(l2), `draw ${draw} row ${r}`).toBeLessThanOrEqual(epsilon + 1e-5);
        }
        tf.dispose([x, y, adv]);
      }
    });
    expect(errors).toEqual([]);
    tf.dispose(model.variables);
  });

  for (const norm of ['linf', 'l2'] as const) {
    test(`${norm}: the best margin never gets worse, a fooled point stays fooled, and the images carry the margins reported`, async () => {
      const { model, x, y } = await pointsOf(5, 12);
      const epsilon = norm === 'linf' ? 0.15 : 1.5;
      const history = new Map<number, number[]>();
      const result = await lib.squareAttackAsync(model, x, y, {
        epsilon,
        norm,
        queries: 60,
        seed: 2,
        checkEvery: 1,
        onCheck: ({ ids, marginBest }) => ids.forEach((id, k) => history.set(id, [...(history.get(id) ?? []), marginBest[k]])),
      });
      expect(history.size).toBe(12);
      for (const [id, h] of history) {
        for (let i = 1; i < h.length; i++) {
          expect(h[i], `point ${id} query ${i}`).toBeLessThanOrEqual(h[i - 1]);
          if (h[i - 1] <= 0) expect(h[i], `point ${id} stays fooled`).toBe(h[i - 1]);
        }
      }
      const after = await marginsOf(model, result.adversarial, y);
      after.forEach((m, i) => expect(m, `point ${i}`).toBeCloseTo(result.marginBest[i], 4));
      expect(after.filter((m) => m <= 0).length).toBeGreaterThan(0);
      tf.dispose([x, y, result.adversarial, ...model.variables]);
    });
  }

  test('the read-back variant (with and without gathering) gives the sync run\'s images; same seed, same images; another seed, others', async () => {
    const { model, x, y } = await pointsOf(7, 9);
    for (const norm of ['linf', 'l2'] as const) {
      const o = { epsilon: norm === 'linf' ? 0.1 : 1, norm, queries: 40, seed: 11 };
      const sync = await lib.squareAttack(model, x, y, o).data();
      const again = await lib.squareAttack(model, x, y, o).data();
      const other = await lib.squareAttack(model, x, y, { ...o, seed: 12 }).data();
      expect(Array.from(again)).toEqual(Array.from(sync));
      expect(Array.from(other)).not.toEqual(Array.from(sync));
      for (const gather of [true, false]) {
        const r = await lib.squareAttackAsync(model, x, y, { ...o, checkEvery: 7, gather });
        expect(Array.from(await r.adversarial.data()), `${norm} gather ${gather}`).toEqual(Array.from(sync));
        expect(r.queriesRun.length).toBe(1);
      }
    }
    tf.dispose([x, y, ...model.variables]);
  });

  test('points already misclassified come back unchanged; restarts never leave more points robust', async () => {
    const { model, x, labels } = await pointsOf(9, 10);
    const wrong = labels.map((l, i) => (i % 3 === 0 ? (l + 1) % 10 : l));
    const y = onehotOf(wrong);
    const one = lib.squareAttack(model, x, y, { epsilon: 0.05, queries: 30, seed: 4 });
    const three = lib.squareAttack(model, x, y, { epsilon: 0.05, queries: 30, seed: 4, restarts: 3 });
    const a = await one.data();
    const c = await x.data();
    for (let i = 0; i < 10; i += 3) expect(Array.from(a.subarray(i * 64, (i + 1) * 64))).toEqual(Array.from(c.subarray(i * 64, (i + 1) * 64)));
    const m1 = await marginsOf(model, one, y);
    const m3 = await marginsOf(model, three, y);
    m1.forEach((m, i) => {
      if (m <= 0) expect(m3[i], `point ${i}`).toBe(m);
    });
    expect(m3.filter((m) => m > 0).length).toBeLessThanOrEqual(m1.filter((m) => m > 0).length);
    tf.dispose([x, y, one, three, ...model.variables]);
  });

  const bad: [string, Record<string, unknown>, string][] = [
    ['epsilon negative', { epsilon: -0.1 }, 'options.epsilon'],
    ['epsilon NaN', { epsilon: NaN }, 'options.epsilon'],
    ['norm l1', { norm: 'l1' }, 'options.norm'],
    ['queries fractional', { queries: 2.5 }, 'options.queries'],
    ['queries negative', { queries: -1 }, 'options.queries'],
    ['pInit 0', { pInit: 0 }, 'options.pInit'],
    ['pInit above 1', { pInit: 1.5 }, 'options.pInit'],
    ['restarts 0', { restarts: 0 }, 'options.restarts'],
    ['seed negative', { seed: -1 }, 'options.seed'],
    ['clipMin above clipMax', { clipMin: 1, clipMax: 0 }, 'options.clipMin'],
  ];
  test.each(bad)('%s: refused naming %s, before any work, nothing leaks (sync and read-back variants)', async (_name, o, argument) => {
    const { model, x, y } = await pointsOf(1, 2);
    const before = tf.memory().numTensors;
    const options = { epsilon: 0.1, queries: 5, ...o } as lib.SquareAttackOptions;
    expect(() => lib.squareAttack(model, x, y, options)).toThrow(expect.objectContaining({ argument }));
    await expect(lib.squareAttackAsync(model, x, y, options)).rejects.toMatchObject({ argument });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y, ...model.variables]);
  });

  test('bad batches and a one-class model are refused naming x, onehot, model; checkEvery naming options.checkEvery', async () => {
    const { model, x, y } = await pointsOf(1, 2);
    const o = { epsilon: 0.1, queries: 5 };
    const argumentOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(lib.AdversarialArgumentError);
        return (e as InstanceType<typeof lib.AdversarialArgumentError>).argument;
      }
      return null;
    };
    expect(argumentOf(() => lib.squareAttack(model, tf.zeros([2, 64]) as unknown as tf.Tensor4D, y, o))).toBe('x');
    expect(argumentOf(() => lib.squareAttack(model, x, onehotOf([1, 2, 3]), o))).toBe('onehot');
    const single = lib.seedCnn({ seed: 1, inputShape: [8, 8, 1], numClasses: 1 });
    expect(argumentOf(() => lib.squareAttack(single, x, tf.ones([2, 1]) as tf.Tensor2D, o))).toBe('model');
    await expect(lib.squareAttackAsync(model, x, y, { ...o, checkEvery: 0 })).rejects.toMatchObject({ argument: 'options.checkEvery' });
    expect(argumentOf(() => lib.squareLinfCandidate(x, x, tf.zeros([2]) as tf.Tensor1D, { epsilon: 0.1, seed: 0, step: 1, side: 9 }))).toBe('options.side');
    expect(argumentOf(() => lib.squareLinfCandidate(x, x, tf.zeros([3]) as tf.Tensor1D, { epsilon: 0.1, seed: 0, step: 1, side: 2 }))).toBe('rowIds');
    expect(argumentOf(() => lib.squareL2Stats(x, x, tf.zeros([2]) as tf.Tensor1D, tf.zeros([4]), { epsilon: 0.1, seed: 0, step: 1, side: 3 }))).toBe('eta');
    expect(argumentOf(() => lib.squareMargin(tf.zeros([2, 1]), tf.zeros([2, 1])))).toBe('logits');
    tf.dispose([x, y, ...model.variables, ...single.variables]);
  });

  test('the attack table: square, label Square, threat from norm, cost, parsed from --attacks text', () => {
    const r = lib.resolveAttackSpec({ kind: 'square', epsilon: 0.1 });
    expect(r.label).toBe('Square');
    expect(r.threat).toBe('linf');
    expect(r.params).toMatchObject({ norm: 'linf', queries: 5000, pInit: 0.8, restarts: 1, seed: 0 });
    expect(lib.resolveAttackSpec({ kind: 'square', norm: 'l2', epsilon: 1.5 }).threat).toBe('l2');
    expect(r.definition.cost?.(r.params)).toEqual({ gradients: 0, queries: 5002 });
    expect(lib.parseAttackList('square:norm=l2:queries=100:pInit=0.5')).toEqual([{ kind: 'square', norm: 'l2', queries: 100, pInit: 0.5 }]);
    expect(() => lib.parseAttackList('square:norm=l1')).toThrow(/norm/);
  });
});
