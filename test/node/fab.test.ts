// FAB-T (Croce and Hein 2020) on Dawn: results stay in [0, 1], points reported fooled lie within eps and
// are misclassified, the others come back clean (random draws of inputs and settings, nothing leaks); on
// linear models, whose minimal adversarial distance the projection gives exactly, FAB-T never beats it
// and gets within the overshoot of it; the attack table's entry; bad options refused by name; about as
// strong as PGD-20 on a small trained model.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import * as engine from '../../dist/engine.js';
import { onehotOf } from '../suite/attack_checks';
import { withGpuErrorScope } from '../suite/kernel_suite';
import { runSeed } from '../suite/run_seed';
import { syntheticTask } from '../suite/synthetic';

beforeAll(async () => {
  await lib.initWebGPU();
  await lib.ensureGradients();
});

/** A linear classifier x -> x W + c on 4x4 images. */
function linearModel(classes: number, seed: number): lib.Classifier & { W: Float32Array; c: Float32Array } {
  const random = lib.seededRandom(seed);
  const W = Float32Array.from({ length: 16 * classes }, () => random() - 0.5);
  const c = Float32Array.from({ length: classes }, () => (random() - 0.5) * 0.2);
  const w = tf.tensor2d(W, [16, classes]);
  const bias = tf.tensor1d(c);
  return {
    W,
    c,
    forward: (x) => tf.tidy(() => tf.add(tf.matMul(tf.reshape(x, [-1, 16]), w), bias)) as tf.Tensor2D,
    variables: [],
    stateVariables: [],
    numClasses: classes,
    inputShape: [4, 4, 1],
    architecture: 'linear',
    description: 'linear: Dense (logits)',
    layersModel: () => {
      throw new Error('not a layers model');
    },
    dispose: () => tf.dispose([w, bias]),
  };
}

/** Per point: the prediction, and the L-inf and L2 distances of `adv` from `x`. */
async function look(model: lib.Classifier, x: tf.Tensor4D, adv: tf.Tensor4D) {
  const pred = Array.from(await tf.argMax(model.forward(adv), 1).data());
  const a = await adv.data();
  const c = await x.data();
  const size = a.length / x.shape[0];
  const linf: number[] = [];
  const l2: number[] = [];
  for (let p = 0; p < x.shape[0]; p++) {
    let m = 0;
    let s = 0;
    for (let i = p * size; i < (p + 1) * size; i++) {
      m = Math.max(m, Math.abs(a[i] - c[i]));
      s += (a[i] - c[i]) ** 2;
    }
    linf.push(m);
    l2.push(Math.sqrt(s));
  }
  return { pred, linf, l2, values: a, clean: c, size };
}

describe('fabAttack', () => {
  test('results in [0, 1]; fooled points misclassified within eps, the others clean: 6 random draws; nothing leaks', async () => {
    const random = lib.seededRandom(runSeed ^ 0xfab7);
    const model = lib.seedCnn({ seed: 5, inputShape: [8, 8, 1] });
    const { errors } = await withGpuErrorScope(lib.currentWebGPU()!.device, async () => {
      for (let draw = 0; draw < 6; draw++) {
        const batch = 1 + Math.floor(random() * 6);
        const norm = random() < 0.5 ? 'linf' : 'l2';
        const epsilon = norm === 'linf' ? 0.02 + random() * 0.2 : 0.2 + random() * 2;
        const options = { epsilon, norm, targets: 1 + Math.floor(random() * 3), steps: 1 + Math.floor(random() * 8), restarts: 1 + Math.floor(random() * 2), seed: draw } as const;
        const x = tf.tensor4d(Float32Array.from({ length: batch * 64 }, () => (random() < 0.3 ? Math.round(random()) : random())), [batch, 8, 8, 1]);
        const labels = Array.from({ length: batch }, () => Math.floor(random() * 10));
        const y = onehotOf(labels);
        const before = tf.memory().numTensors;
        const adv = lib.fabAttack(model, x, y, options);
        expect(tf.memory().numTensors, `draw ${draw}: tensors`).toBe(before + 1);
        const r = await look(model, x, adv);
        for (let p = 0; p < batch; p++) {
          const where = `draw ${draw} point ${p} (${JSON.stringify(options)})`;
          const row = r.values.subarray(p * r.size, (p + 1) * r.size);
          for (const v of row) expect(v >= 0 && v <= 1, where).toBe(true);
          const moved = row.some((v, i) => v !== r.clean[p * r.size + i]);
          if (moved) {
            expect(r.pred[p], `${where}: a moved point is misclassified`).not.toBe(labels[p]);
            expect(norm === 'linf' ? r.linf[p] : r.l2[p], `${where}: within eps`).toBeLessThanOrEqual(Math.fround(epsilon) * (1 + 1e-6));
          }
        }
        tf.dispose([x, y, adv]);
      }
    });
    expect(errors).toEqual([]);
    model.dispose();
  });

  test('points the model already misclassifies come back clean', async () => {
    const model = linearModel(3, 7);
    const x = tf.randomUniform([6, 4, 4, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const pred = Array.from(await tf.argMax(model.forward(x), 1).data());
    const wrongLabels = pred.map((p) => (p + 1) % 3);
    const y = onehotOf(wrongLabels, 3);
    const adv = lib.fabAttack(model, x, y, { epsilon: 1, targets: 2, steps: 5 });
    expect(Array.from(await adv.data())).toEqual(Array.from(await x.data()));
    tf.dispose([x, y, adv]);
    model.dispose();
  });

  for (const norm of ['linf', 'l2'] as const) {
    test(`${norm}, two classes, a linear model: the found distance is at least the projection's (the minimum) and within 5% of it; eps decides`, async () => {
      const model = linearModel(2, 11);
      const x = tf.randomUniform([16, 4, 4, 1], 0.2, 0.8, 'float32', 5) as tf.Tensor4D;
      const labels = Array.from(await tf.argMax(model.forward(x), 1).data());
      const y = onehotOf(labels, 2);
      // The boundary z_other - z_label = 0 is v.x = -c with v the difference of W's columns.
      const xs = await x.data();
      const minimal = labels.map((label, p) => {
        const v = Array.from({ length: 16 }, (_, i) => model.W[i * 2 + 1 - label] - model.W[i * 2 + label]);
        const t = Array.from(xs.subarray(p * 16, (p + 1) * 16));
        return engine.fabProjectionReference(t, v, [-(model.c[1 - label] - model.c[label])], 1, 16, norm).norm[0];
      });
      const wide = lib.fabAttack(model, x, y, { epsilon: 100, norm, targets: 1, steps: 30 });
      const r = await look(model, x, wide);
      labels.forEach((label, p) => {
        const found = norm === 'linf' ? r.linf[p] : r.l2[p];
        expect(r.pred[p], `point ${p}`).not.toBe(label);
        expect(found, `point ${p}: not below the minimum ${minimal[p]}`).toBeGreaterThanOrEqual(minimal[p] * (1 - 1e-4));
        expect(found, `point ${p}: near the minimum ${minimal[p]}`).toBeLessThanOrEqual(minimal[p] * 1.05);
      });
      // With eps between the found distance and the minimum's 0.99: fooled exactly where eps >= found.
      const eps = minimal.reduce((a, b) => a + b, 0) / minimal.length;
      const tight = lib.fabAttack(model, x, y, { epsilon: eps, norm, targets: 1, steps: 30 });
      const t = await look(model, x, tight);
      labels.forEach((label, p) => {
        const found = norm === 'linf' ? r.linf[p] : r.l2[p];
        if (found <= eps * 0.999) expect(t.pred[p], `point ${p}: found ${found} <= eps ${eps}`).not.toBe(label);
        if (minimal[p] > eps) expect(t.pred[p], `point ${p}: minimum ${minimal[p]} > eps ${eps}`).toBe(label);
      });
      tf.dispose([x, y, wide, tight]);
      model.dispose();
    });
  }

  test('ten classes, a linear model: never closer than the nearest of the nine boundaries', async () => {
    const model = linearModel(10, 13);
    const x = tf.randomUniform([12, 4, 4, 1], 0, 1, 'float32', 9) as tf.Tensor4D;
    const labels = Array.from(await tf.argMax(model.forward(x), 1).data());
    const y = onehotOf(labels, 10);
    const xs = await x.data();
    const adv = lib.fabAttack(model, x, y, { epsilon: 100, targets: 9, steps: 20 });
    const r = await look(model, x, adv);
    labels.forEach((label, p) => {
      const t = Array.from(xs.subarray(p * 16, (p + 1) * 16));
      let nearest = Infinity;
      for (let j = 0; j < 10; j++) {
        if (j === label) continue;
        const v = Array.from({ length: 16 }, (_, i) => model.W[i * 10 + j] - model.W[i * 10 + label]);
        nearest = Math.min(nearest, engine.fabProjectionReference(t, v, [-(model.c[j] - model.c[label])], 1, 16, 'linf').norm[0]);
      }
      expect(r.pred[p]).not.toBe(label);
      expect(r.linf[p], `point ${p}`).toBeGreaterThanOrEqual(nearest * (1 - 1e-4));
    });
    tf.dispose([x, y, adv]);
    model.dispose();
  });

  test('the attack table: fab-t, label FAB-T, threat from norm, cost, parsed from --attacks text', () => {
    const a = lib.resolveAttackSpec({ kind: 'fab-t' });
    expect(a.label).toBe('FAB-T');
    expect(a.threat).toBe('linf');
    expect(a.params).toMatchObject({ epsilon: 0.1, norm: 'linf', targets: 9, steps: 100, restarts: 1, alphaMax: 0.1, eta: 1.05, beta: 0.9, seed: 0 });
    expect(a.definition.cost!(a.params)).toEqual({ gradients: 900, queries: 910 });
    expect(lib.resolveAttackSpec({ kind: 'fab-t', norm: 'l2', epsilon: 1.5 }).threat).toBe('l2');
    expect(lib.parseAttackList('fab-t:norm=l2:steps=20:alpha-max=0.2')).toEqual([{ kind: 'fab-t', norm: 'l2', steps: 20, alphaMax: 0.2 }]);
    expect(lib.attackHelp().some((line) => line.startsWith('fab-t'))).toBe(true);
  });

  const refusals: [string, string, object][] = [
    ['targets 10 of 10 classes', 'options.targets', { targets: 10 }],
    ['targets 0', 'options.targets', { targets: 0 }],
    ['norm l1', 'options.norm', { norm: 'l1' }],
    ['a negative eps', 'options.epsilon', { epsilon: -1 }],
    ['steps 0', 'options.steps', { steps: 0 }],
    ['restarts 1.5', 'options.restarts', { restarts: 1.5 }],
    ['beta 2', 'options.beta', { beta: 2 }],
    ['alphaMax -0.1', 'options.alphaMax', { alphaMax: -0.1 }],
  ];
  for (const [name, argument, options] of refusals) {
    test(`${name}: refused naming ${argument}, nothing leaked`, () => {
      const model = linearModel(10, 1);
      const x = tf.zeros([2, 4, 4, 1]) as tf.Tensor4D;
      const y = onehotOf([0, 1]);
      const before = tf.memory().numTensors;
      let error: unknown;
      try {
        lib.fabAttack(model, x, y, { epsilon: 0.1, ...options } as lib.FabAttackOptions);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(lib.AdversarialArgumentError);
      expect((error as InstanceType<typeof lib.AdversarialArgumentError>).argument).toBe(argument);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, y]);
      model.dispose();
    });
  }

  test('about as strong as PGD-20 on a small trained model (synthetic 8x8 task)', async () => {
    const task = syntheticTask(384, 5);
    const data = lib.uploadDataset(task.images.slice(0, 320 * 64), task.labels.slice(0, 320), [8, 8, 1], 10);
    const model = lib.seedCnn({ seed: 2, inputShape: [8, 8, 1] });
    await lib.trainModel(model, lib.engineAdam(3e-3), data, Array.from({ length: 320 }, (_, i) => i), { trainer: 'clean', epsilon: 0.1, epochs: 3, batchSize: 32, learningRate: 3e-3, seed: 1 });
    const x = tf.tensor4d(Float32Array.from(task.images.slice(320 * 64), (v) => v / 255), [64, 8, 8, 1]);
    const y = onehotOf(Array.from(task.labels.slice(320)));
    const correct = async (adv: tf.Tensor4D) => (await tf.sum(tf.cast(tf.equal(tf.argMax(model.forward(adv), 1), tf.argMax(y, 1)), 'int32')).data())[0];
    const eps = 0.08;
    const clean = await correct(x);
    const pgd = await correct(lib.pgdAttack(model, x, y, { epsilon: eps, steps: 20, seed: 1 }));
    const fab = await correct(lib.fabAttack(model, x, y, { epsilon: eps, targets: 3, steps: 20 }));
    console.log(`synthetic: clean ${clean}/64, PGD-20 ${pgd}, FAB-T (3 targets, 20 steps) ${fab}`);
    expect(clean).toBeGreaterThan(40);
    expect(fab).toBeLessThan(clean);
    expect(fab).toBeLessThanOrEqual(pgd + 3);
    tf.dispose([x, y, ...model.variables]);
    data.dispose();
  });
});
