// The L2 attacks (pgd and apgd with norm=l2, fgm) and APGD-T on Dawn: the ball (L-inf or L2: ||x' - x||_2 <=
// eps + 1e-5) and [0, 1] never left on random draws, nothing leaks; APGD-T's argument checks (4+ classes,
// targets, norm); more targets fool at least the points fewer do; on a small trained model L2 APGD is at
// least as strong as L2 PGD, FGM weaker than both, APGD-T at least as strong as PGD.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { expectInBallAndBounds, expectInL2BallAndBounds, onehotOf } from '../suite/attack_checks';
import { withGpuErrorScope } from '../suite/kernel_suite';
import { runSeed } from '../suite/run_seed';
import { syntheticTask } from '../suite/synthetic';

beforeAll(async () => {
  await lib.initWebGPU();
  await lib.ensureGradients();
  console.log(`l2 attacks: run seed ${runSeed}`);
});

const randomBatch = (random: () => number, batch: number) => ({
  x: tf.tensor4d(Float32Array.from({ length: batch * 64 }, () => (random() < 0.2 ? Math.round(random()) : random())), [batch, 8, 8, 1]),
  y: onehotOf(Array.from({ length: batch }, () => Math.floor(random() * 10))),
});

describe('the ball and the box', () => {
  test('pgd, apgd (L2) and fgm never leave the L2 ball or [0, 1]: 4 random draws each; nothing leaks', async () => {
    const random = lib.seededRandom(runSeed ^ 0x12);
    const model = lib.seedCnn({ seed: 3, inputShape: [8, 8, 1] });
    const { errors } = await withGpuErrorScope(lib.currentWebGPU()!.device, async () => {
      for (let draw = 0; draw < 4; draw++) {
        const { x, y } = randomBatch(random, 1 + Math.floor(random() * 6));
        const epsilon = 0.05 + random() * 3;
        const steps = 1 + Math.floor(random() * 8);
        const restarts = 1 + Math.floor(random() * 2);
        const loss = random() < 0.5 ? 'ce' : 'dlr';
        const runs: [string, () => tf.Tensor4D][] = [
          ['pgd', () => lib.pgdAttack(model, x, y, { epsilon, steps, restarts, loss, norm: 'l2', seed: draw })],
          ['apgd', () => lib.apgdAttack(model, x, y, { epsilon, steps, restarts, loss, norm: 'l2', seed: draw })],
          ['fgm', () => lib.fgmAttack(model, x, y, { epsilon, loss })],
        ];
        for (const [name, attack] of runs) {
          const before = tf.memory().numTensors;
          const adv = attack();
          expect(tf.memory().numTensors, `draw ${draw} ${name}: tensors`).toBe(before + 1);
          await expectInL2BallAndBounds(adv, x, epsilon, `draw ${draw} ${name}: eps ${epsilon}, ${steps} steps, ${restarts} restarts, ${loss}`);
          adv.dispose();
        }
        tf.dispose([x, y]);
      }
    });
    expect(errors).toEqual([]);
    tf.dispose(model.variables);
  });

  test('apgd-t never leaves the L-inf or the L2 ball or [0, 1]: 4 random draws each; nothing leaks', async () => {
    const random = lib.seededRandom(runSeed ^ 0x7a);
    const model = lib.seedCnn({ seed: 5, inputShape: [8, 8, 1] });
    const { errors } = await withGpuErrorScope(lib.currentWebGPU()!.device, async () => {
      for (let draw = 0; draw < 4; draw++) {
        const { x, y } = randomBatch(random, 1 + Math.floor(random() * 5));
        const o = { steps: 1 + Math.floor(random() * 6), targets: 1 + Math.floor(random() * 3), restarts: 1 + Math.floor(random() * 2), seed: draw };
        for (const norm of ['linf', 'l2'] as const) {
          const epsilon = norm === 'l2' ? 0.1 + random() * 2 : 0.01 + random() * 0.3;
          const before = tf.memory().numTensors;
          const adv = lib.apgdTargetedAttack(model, x, y, { ...o, epsilon, norm });
          expect(tf.memory().numTensors, `draw ${draw} ${norm}: tensors`).toBe(before + 1);
          const where = `draw ${draw} ${norm}: eps ${epsilon}, ${JSON.stringify(o)}`;
          await (norm === 'l2' ? expectInL2BallAndBounds(adv, x, epsilon, where) : expectInBallAndBounds(adv, x, epsilon, where));
          adv.dispose();
        }
        tf.dispose([x, y]);
      }
    });
    expect(errors).toEqual([]);
    tf.dispose(model.variables);
  });
});

describe('apgdTargetedAttack arguments', () => {
  const refuse = (numClasses: number, options: Partial<lib.ApgdTargetedAttackOptions>, argument: string) => {
    const model = lib.seedCnn({ seed: 1, inputShape: [8, 8, 1], numClasses });
    const x = tf.zeros([2, 8, 8, 1]) as tf.Tensor4D;
    const y = onehotOf([0, 1], numClasses);
    const before = tf.memory().numTensors;
    let error: unknown;
    try {
      lib.apgdTargetedAttack(model, x, y, { epsilon: 0.1, ...options });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(lib.AdversarialArgumentError);
    expect((error as InstanceType<typeof lib.AdversarialArgumentError>).argument).toBe(argument);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y, ...model.variables]);
  };
  test.each([
    ['a 3-class model, naming logits', 3, {}, 'logits'],
    ['10 targets of 10 classes', 10, { targets: 10 }, 'options.targets'],
    ['0 targets', 10, { targets: 0 }, 'options.targets'],
    ['norm l1', 10, { norm: 'l1' as never }, 'options.norm'],
    ['0 restarts', 10, { restarts: 0 }, 'options.restarts'],
    ['eps NaN', 10, { epsilon: NaN }, 'options.epsilon'],
  ] as const)('refuses %s', (_name, classes, options, argument) => refuse(classes, options, argument));
});

describe('on a small trained model (synthetic 8x8 task)', () => {
  let model: lib.Classifier;
  let x: tf.Tensor4D;
  let y: tf.Tensor2D;
  beforeAll(async () => {
    const task = syntheticTask(384, 5);
    const data = lib.uploadDataset(task.images.slice(0, 320 * 64), task.labels.slice(0, 320), [8, 8, 1], 10);
    model = lib.seedCnn({ seed: 2, inputShape: [8, 8, 1] });
    await lib.trainModel(model, lib.engineAdam(3e-3), data, Array.from({ length: 320 }, (_, i) => i), { trainer: 'clean', epsilon: 0.1, epochs: 3, batchSize: 32, learningRate: 3e-3, seed: 1 });
    data.dispose();
    x = tf.tensor4d(Float32Array.from(task.images.slice(320 * 64), (v) => v / 255), [64, 8, 8, 1]);
    y = onehotOf(Array.from(task.labels.slice(320)));
  });
  const correct = async (adv: tf.Tensor4D) => {
    const n = (await tf.sum(tf.cast(tf.equal(tf.argMax(model.forward(adv), 1), tf.argMax(y, 1)), 'int32')).data())[0];
    adv.dispose();
    return n;
  };

  test('L2 (eps 0.8): APGD-CE at least as strong as PGD-20, FGM weaker than PGD, all below clean', async () => {
    const eps = 0.8;
    const clean = await correct(x.clone());
    const fgm = await correct(lib.fgmAttack(model, x, y, { epsilon: eps }));
    const pgd = await correct(lib.pgdAttack(model, x, y, { epsilon: eps, steps: 20, norm: 'l2', seed: 1 }));
    const apgd = await correct(lib.apgdAttack(model, x, y, { epsilon: eps, steps: 20, norm: 'l2', seed: 1 }));
    console.log(`synthetic L2 eps ${eps}: clean ${clean}/64, FGM ${fgm}, PGD-20-L2 ${pgd}, APGD-CE-20-L2 ${apgd}`);
    expect(clean).toBeGreaterThan(40);
    expect(pgd).toBeLessThan(clean);
    expect(fgm).toBeGreaterThanOrEqual(pgd);
    expect(apgd).toBeLessThanOrEqual(pgd + 1);
  });

  test('APGD-T (3 targets) at least as strong as PGD-20; 3 targets fool every point 1 target fools (same seed)', async () => {
    const eps = 0.08;
    const labels = Array.from(await tf.argMax(y, 1).data());
    const fooled = async (adv: tf.Tensor4D) => {
      const p = Array.from(await tf.argMax(model.forward(adv), 1).data());
      adv.dispose();
      return p.map((c, i) => c !== labels[i]);
    };
    const pgd = await correct(lib.pgdAttack(model, x, y, { epsilon: eps, steps: 20, seed: 1 }));
    const one = await fooled(lib.apgdTargetedAttack(model, x, y, { epsilon: eps, steps: 20, targets: 1, seed: 4 }));
    const three = await fooled(lib.apgdTargetedAttack(model, x, y, { epsilon: eps, steps: 20, targets: 3, seed: 4 }));
    const robust = three.filter((f) => !f).length;
    console.log(`synthetic L-inf eps ${eps}: PGD-20 ${pgd}/64, APGD-T-20 (1 target) ${one.filter((f) => !f).length}, (3 targets) ${robust}`);
    one.forEach((f, i) => {
      if (f) expect(three[i], `example ${i}`).toBe(true);
    });
    expect(robust).toBeLessThanOrEqual(pgd + 1);
  });
});
