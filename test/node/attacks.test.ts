// Batched attacks on Dawn: PGD stays in the eps-ball and the bounds (property test over random inputs and
// settings), restarts keep each example's worst case, targeted FGSM lowers the target's loss, bad
// arguments are refused by name, nothing leaks.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { withGpuErrorScope } from '../suite/kernel_suite';
import { runSeed } from '../suite/run_seed';
import { expectInBallAndBounds, onehotOf } from '../suite/attack_checks';

beforeAll(async () => {
  await lib.initWebGPU();
  await lib.ensureGradients();
});

const device = () => lib.currentWebGPU()!.device;

describe('pgdAttack', () => {
  test('never leaves the eps-ball or [0, 1]: 6 random draws of inputs, eps, steps, step size, restarts', async () => {
    const random = lib.seededRandom(runSeed ^ 0xa77ac);
    const model = lib.seedCnn({ seed: 3, inputShape: [8, 8, 1] });
    const { errors } = await withGpuErrorScope(device(), async () => {
      for (let draw = 0; draw < 6; draw++) {
        const batch = 1 + Math.floor(random() * 6);
        const epsilon = 0.01 + random() * 0.3;
        const steps = 1 + Math.floor(random() * 6);
        const stepSize = random() * epsilon;
        const restarts = 1 + Math.floor(random() * 3);
        const x = tf.tensor4d(Float32Array.from({ length: batch * 64 }, () => (random() < 0.2 ? Math.round(random()) : random())), [batch, 8, 8, 1]);
        const y = onehotOf(Array.from({ length: batch }, () => Math.floor(random() * 10)));
        const before = tf.memory().numTensors;
        const adv = lib.pgdAttack(model, x, y, { epsilon, steps, stepSize, restarts, seed: draw });
        expect(tf.memory().numTensors).toBe(before + 1);
        await expectInBallAndBounds(adv, x, epsilon, `draw ${draw}: eps ${epsilon}`);
        tf.dispose([x, y, adv]);
      }
    });
    expect(errors).toEqual([]);
    tf.dispose(model.variables);
  });

  test('restarts keep, per example, the run with the highest loss', async () => {
    const model = lib.seedCnn({ seed: 4, inputShape: [8, 8, 1] });
    const x = tf.randomUniform([6, 8, 8, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
    const y = onehotOf([0, 1, 2, 3, 4, 5]);
    const o = { epsilon: 0.3, steps: 2, stepSize: 0.05, seed: 10 };
    const loss = async (adv: tf.Tensor4D) => Array.from(await lib.perExampleLoss(model.forward(adv), y).data());
    const singles: number[][] = [];
    for (let r = 0; r < 3; r++) singles.push(await loss(lib.pgdAttack(model, x, y, { ...o, seed: o.seed + r, restarts: 1 })));
    const best = await loss(lib.pgdAttack(model, x, y, { ...o, restarts: 3 }));
    best.forEach((l, i) => expect(l).toBeCloseTo(Math.max(singles[0][i], singles[1][i], singles[2][i]), 5));
    tf.dispose([x, y, ...model.variables]);
  });
});

describe('fgsmAttack', () => {
  test('targeted FGSM lowers the loss towards the target class', async () => {
    const model = lib.seedCnn({ seed: 6, inputShape: [8, 8, 1] });
    const x = tf.randomUniform([16, 8, 8, 1], 0.2, 0.8, 'float32', 3) as tf.Tensor4D;
    const y = onehotOf(Array.from({ length: 16 }, (_, i) => i % 10));
    const target = onehotOf(Array.from({ length: 16 }, (_, i) => (i + 3) % 10));
    const adv = lib.fgsmAttack(model, x, y, { epsilon: 0.05, targetOnehot: target });
    const before = (await lib.softmaxCrossEntropy(model.forward(x), target).data())[0];
    const after = (await lib.softmaxCrossEntropy(model.forward(adv), target).data())[0];
    expect(after).toBeLessThan(before);
    const untargeted = lib.fgsmAttack(model, x, y, { epsilon: 0.05 });
    const away = (await lib.softmaxCrossEntropy(model.forward(untargeted), y).data())[0];
    expect(away).toBeGreaterThan((await lib.softmaxCrossEntropy(model.forward(x), y).data())[0]);
    tf.dispose([x, y, target, adv, untargeted, ...model.variables]);
  });
});

describe('attack arguments', () => {
  let t: { model: ReturnType<typeof lib.seedCnn>; x: tf.Tensor4D; y: tf.Tensor2D; y5: tf.Tensor2D; y1: tf.Tensor2D };
  beforeAll(() => {
    t = { model: lib.seedCnn({ seed: 1, inputShape: [8, 8, 1] }), x: tf.zeros([2, 8, 8, 1]) as tf.Tensor4D, y: onehotOf([1, 2]), y5: onehotOf([1, 2], 5), y1: onehotOf([1]) };
  });
  const cases: [string, () => unknown, string][] = [
    ['eps < 0', () => lib.fgsmAttack(t.model, t.x, t.y, { epsilon: -0.1 }), 'options.epsilon'],
    ['eps NaN', () => lib.pgdAttack(t.model, t.x, t.y, { epsilon: NaN }), 'options.epsilon'],
    ['labels not the model size', () => lib.pgdAttack(t.model, t.x, t.y5, { epsilon: 0.1 }), 'onehot'],
    ['labels not the batch', () => lib.fgsmAttack(t.model, t.x, t.y1, { epsilon: 0.1 }), 'onehot'],
    ['restarts 0', () => lib.pgdAttack(t.model, t.x, t.y, { epsilon: 0.1, restarts: 0 }), 'options.restarts'],
    ['steps 1.5', () => lib.pgdAttack(t.model, t.x, t.y, { epsilon: 0.1, steps: 1.5 }), 'options.steps'],
    ['target of another shape', () => lib.fgsmAttack(t.model, t.x, t.y, { epsilon: 0.1, targetOnehot: t.y1 }), 'options.targetOnehot'],
    // The public functions take their ranges from the attacks' tables (declared once): PGD-0 is refused as `pgd:steps=0` is.
    ['pgd steps=0', () => lib.pgdAttack(t.model, t.x, t.y, { epsilon: 0.1, steps: 0 }), 'options.steps'],
    ['pgd stepSize=-1', () => lib.pgdAttack(t.model, t.x, t.y, { epsilon: 0.1, stepSize: -1 }), 'options.stepSize'],
    ['pgd norm=l1', () => lib.pgdAttack(t.model, t.x, t.y, { epsilon: 0.1, norm: 'l1' as 'l2' }), 'options.norm'],
    ['fgsm loss=hinge', () => lib.fgsmAttack(t.model, t.x, t.y, { epsilon: 0.1, loss: 'hinge' }), 'options.loss'],
    ['fgm loss=hinge', () => lib.fgmAttack(t.model, t.x, t.y, { epsilon: 1, loss: 'hinge' }), 'options.loss'],
  ];
  for (const [name, run, argument] of cases) {
    test(`${name}: refused, naming ${argument}, nothing leaked`, () => {
      const before = tf.memory().numTensors;
      let error: unknown;
      try {
        run();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(lib.AdversarialArgumentError);
      expect((error as InstanceType<typeof lib.AdversarialArgumentError>).argument).toBe(argument);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
  // A derived step size (2.5 eps / steps) may exceed 1 (PGD-1 at eps 0.5, an L2 ball): the table's range
  // holds it, whether the table entry derives it or the caller gives it.
  test('pgd: a step size above 1 (derived at eps 0.5, 1 step, or given) is taken', async () => {
    const derived = lib.resolveAttackSpec({ kind: 'pgd', epsilon: 0.5, steps: 1 });
    expect(derived.params.stepSize).toBe(1.25);
    const labels = tf.argMax(t.y, 1) as tf.Tensor1D;
    const fromTable = derived.definition.run(t.model, { x: t.x, onehot: t.y, labels }, derived.params);
    const given = lib.pgdAttack(t.model, t.x, t.y, { epsilon: 0.5, steps: 1, stepSize: 1.25 });
    expect(Array.from(await fromTable.data())).toEqual(Array.from(await given.data()));
    tf.dispose([labels, fromTable, given]);
  });
});
