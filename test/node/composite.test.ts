// Composite attacks (AutoAttack's composition) and resumable evaluation on Dawn: each stage runs on the
// points every earlier one left, a point fooled by any stage stays fooled (the worst case kept), the
// stage counts add up, the images returned are the adversarial ones; an evaluation interrupted after
// any batch continues from its saved state to the same per-point outcomes; a state saved for other
// attacks, points or batches is refused by name; components missing from the table are refused before
// any work, with no tensor leaked.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { withGpuErrorScope } from '../suite/kernel_suite';
import { syntheticTask } from '../suite/synthetic';

let model: lib.Classifier;
let data: lib.GpuDataset;
const points = Array.from({ length: 150 }, (_, i) => i + 300);

beforeAll(async () => {
  await lib.initWebGPU();
  await lib.ensureGradients();
  const task = syntheticTask(450, 11);
  data = lib.uploadDataset(task.images, task.labels, [8, 8, 1], 10);
  model = lib.seedCnn({ seed: 3, inputShape: [8, 8, 1] });
  await lib.trainModel(model, lib.engineAdam(3e-3), data, Array.from({ length: 300 }, (_, i) => i), { trainer: 'clean', epsilon: 0, epochs: 3, batchSize: 32, learningRate: 3e-3, seed: 1 });
  lib.registerAttack(
    {
      id: 'fgsm-then-pgd',
      title: 'FGSM then PGD',
      threat: 'linf',
      help: 'test composite: FGSM, then PGD-5 on the points FGSM left',
      params: { epsilon: lib.EPSILON_PARAM, seed: lib.SEED_PARAM },
      components: (p) => [
        { kind: 'fgsm', epsilon: p.epsilon as number },
        { kind: 'pgd', epsilon: p.epsilon as number, steps: 5, seed: p.seed as number },
      ],
      run: (m, batch, p) => lib.runComposite(m, lib.compositeStages(lib.getAttack('fgsm-then-pgd'), p), batch),
    },
    { replace: true },
  );
}, 300_000);

const flagsOf = (r: lib.EvaluationResult) => Array.from(r.robust).join('');

describe('composite attacks', () => {
  for (const epsilon of [0.05, 0.15]) {
    test(`composite eps=${epsilon}: stages on the points still robust, counts add up, no point FGSM fools stays robust`, async () => {
      const before = tf.memory().numTensors;
      const { value, errors } = await withGpuErrorScope(lib.currentWebGPU()!.device, () =>
        lib.evaluateModel(model, data, points, [{ kind: 'clean' }, { kind: 'fgsm', epsilon }, { kind: 'fgsm-then-pgd', epsilon }], { batchSize: 64 }),
      );
      expect(errors).toEqual([]);
      const [clean, fgsm, composite] = value;
      const [s1, s2] = composite.stages!;
      expect(s1.label).toBe('FGSM');
      expect(s2.label).toBe('PGD-5');
      // FGSM runs on the clean-correct points; PGD on those FGSM left.
      expect(s1.attacked).toBe(clean.correct);
      expect(s2.attacked).toBe(s1.correct);
      expect(s1.correct).toBe(fgsm.correct);
      expect(composite.correct).toBe(s2.correct);
      expect(s2.correct).toBeLessThanOrEqual(s1.correct);
      // Per point: robust to the composite implies robust to FGSM (deterministic) and clean-correct.
      for (let i = 0; i < points.length; i++) {
        if (composite.robust[i]) {
          expect(fgsm.robust[i], `point ${i}`).toBe(1);
          expect(clean.robust[i], `point ${i}`).toBe(1);
        }
      }
      expect(composite.robust.reduce((a, b) => a + b, 0)).toBe(composite.correct);
      expect(composite.gradients).toBe(s1.attacked * 1 + s2.attacked * 5);
      expect(s1.seconds).toBeGreaterThan(0);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  test('runCompositeStages keeps each point\'s first adversarial image: the model is right on exactly the robust points', async () => {
    const stages = lib.compositeStages(lib.getAttack('fgsm-then-pgd'), { epsilon: 0.15, seed: 4 });
    const idx = tf.tensor1d(Int32Array.from(points.slice(0, 97)), 'int32');
    const batch = lib.gatherBatch(data, idx);
    const before = tf.memory().numTensors;
    const out = await lib.runCompositeStages(model, stages, batch, 0, { keepImages: true });
    const predicted = tf.tidy(() => tf.cast(tf.equal(tf.argMax(model.forward(out.images!), 1), batch.labels), 'int32'));
    expect(Array.from(await predicted.data())).toEqual(Array.from(out.robust));
    // Every image stays in the eps-ball and the box.
    const dist = tf.tidy(() => tf.max(tf.abs(tf.sub(out.images!, batch.x))));
    expect((await dist.data())[0]).toBeLessThanOrEqual(0.15 + 1e-6);
    expect(out.cleanCorrect).toBe(out.stages[0].attacked);
    tf.dispose([predicted, dist, out.images!]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([idx, batch.x, batch.onehot, batch.labels]);
  });

  test('the composite\'s own run (no read-backs) fools at least the points its stages fool', async () => {
    const idx = tf.tensor1d(Int32Array.from(points.slice(0, 64)), 'int32');
    const batch = lib.gatherBatch(data, idx);
    const adv = lib.getAttack('fgsm-then-pgd').run(model, batch, { epsilon: 0.15, seed: 0 });
    const fgsmOnly = lib.getAttack('fgsm').run(model, batch, { epsilon: 0.15, loss: 'ce' });
    const [c, f] = await Promise.all([lib.correctCount(model, adv, batch.labels).data(), lib.correctCount(model, fgsmOnly, batch.labels).data()]);
    expect(c[0]).toBeLessThanOrEqual(f[0]);
    tf.dispose([idx, batch.x, batch.onehot, batch.labels, adv, fgsmOnly]);
  });

  test('composites on the first N points only (limits): N points evaluated, the rest untouched', async () => {
    const [clean, composite] = await lib.evaluateModel(model, data, points, [{ kind: 'clean' }, { kind: 'fgsm-then-pgd', epsilon: 0.1 }], { batchSize: 64, limits: [undefined, 70] });
    expect(clean.examples).toBe(150);
    expect(composite.examples).toBe(70);
    expect(composite.robust.length).toBe(70);
    expect(composite.stages![0].attacked).toBe(clean.robust.subarray(0, 70).reduce((a, b) => a + b, 0));
  });

  test('a composite naming an attack the table lacks is refused before any work, naming the component; no leak', async () => {
    lib.registerAttack({ id: 'broken-composite', title: 'broken', threat: 'linf', help: 'test', params: {}, components: () => [{ kind: 'fgsm' }, { kind: 'no-such-attack' }], run: () => { throw new Error('unreachable'); } }, { replace: true });
    const before = tf.memory().numTensors;
    await expect(lib.evaluateModel(model, data, points, [{ kind: 'clean' }, { kind: 'broken-composite' }])).rejects.toMatchObject({ name: 'AdversarialArgumentError', argument: 'attack broken-composite.components[1]' });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('resumable evaluation', () => {
  const attacks: lib.AttackSpec[] = [{ kind: 'clean' }, { kind: 'pgd', epsilon: 0.1, steps: 3, seed: 5 }, { kind: 'fgsm-then-pgd', epsilon: 0.1, seed: 2 }];
  // 12 saves: one per batch of clean and PGD (3 each), two per batch of the composite (after its first
  // stage, inside the batch, and at the batch's end). Save 7 and 9 are inside a composite batch.
  for (const stopAfter of [1, 3, 5, 7, 9, 10]) {
    test(`interrupted after save ${stopAfter} of 12, continued from the saved state: the same outcomes as one run`, async () => {
      const whole = await lib.evaluateModel(model, data, points, attacks, { batchSize: 50 });
      let saved: lib.EvaluationState | null = null;
      let saves = 0;
      const stop = new Error('interrupted');
      await expect(
        lib.evaluateModel(model, data, points, attacks, {
          batchSize: 50,
          checkpoint: {
            save: async (s) => {
              saved = JSON.parse(JSON.stringify(s));
              if (++saves === stopAfter) throw stop;
            },
          },
        }),
      ).rejects.toBe(stop);
      const before = tf.memory().numTensors;
      let resumedSaves = 0;
      const resumed = await lib.evaluateModel(model, data, points, attacks, { batchSize: 50, checkpoint: { restore: saved, save: async () => void resumedSaves++ } });
      expect(resumedSaves).toBe(12 - stopAfter);
      expect(saved!.attacks[2].batch !== undefined, 'the saved state stops inside a composite batch').toBe(stopAfter === 7 || stopAfter === 9);
      expect(resumed.map(flagsOf)).toEqual(whole.map(flagsOf));
      expect(resumed.map((r) => r.correct)).toEqual(whole.map((r) => r.correct));
      expect(resumed[2].stages!.map((s) => [s.attacked, s.correct])).toEqual(whole[2].stages!.map((s) => [s.attacked, s.correct]));
      // Which stage fooled each point survives the interruption too (a batch stopped between stages included).
      expect(Array.from(resumed[2].stageOutcome!)).toEqual(Array.from(whole[2].stageOutcome!));
      expect([-1, 1, 2].map((o) => whole[2].stageOutcome!.includes(o)), 'robust points and points fooled by each stage').toEqual([true, true, true]);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  test('progress inside a composite batch: after each stage but the last, its label and a share of the batch', async () => {
    const calls: { done: number; stage?: string }[] = [];
    await lib.evaluateModel(model, data, points, attacks, { batchSize: 50, onProgress: (done, _total, _attack, stage) => void calls.push({ done, stage }) });
    const staged = calls.map((c, i) => ({ ...c, i })).filter((c) => c.stage !== undefined);
    expect(staged.map((c) => c.stage)).toEqual(['FGSM', 'FGSM', 'FGSM']);
    for (const c of staged) {
      expect(c.done).toBeGreaterThan(calls[c.i - 1].done);
      expect(c.done).toBeLessThan(calls[c.i + 1].done);
    }
    expect(calls.filter((c) => c.stage === undefined).map((c) => c.done)).toEqual([50, 100, 150, 200, 250, 300, 350, 400, 450]);
  });

  const base = { version: 1 as const, keys: [] as string[], indices: points, batchSize: 50, attacks: [] as lib.AttackProgress[] };
  const cases: [string, (s: lib.EvaluationState) => lib.EvaluationState, RegExp][] = [
    ['other attacks', (s) => ({ ...s, keys: ['clean'] }), /saved for the attacks clean/],
    ['other points', (s) => ({ ...s, indices: s.indices.slice(1) }), /other points/],
    ['other batches', (s) => ({ ...s, batchSize: 64 }), /batches of 64/],
    ['not a state', () => ({ hello: 1 }) as unknown as lib.EvaluationState, /not a saved evaluation state/],
    ['a batch in progress that does not fit', (s) => ({ ...s, attacks: s.attacks.map((p, i) => (i === 2 ? { ...p, batch: { stage: 5, robust: '1', cleanCorrect: 0, stages: [] } } : p)) }), /broken record of attack 2's batch in progress/],
  ];
  for (const [name, edit, message] of cases) {
    test(`a state saved for ${name} is refused naming options.checkpoint.restore`, async () => {
      const resolvedKeys = attacks.map((a) => lib.resolveAttackSpec(a).key);
      const state = edit({ ...base, keys: resolvedKeys, attacks: attacks.map(() => ({ points: 0, robust: '', seconds: 0, cleanCorrect: 0, stages: [] })) });
      const before = tf.memory().numTensors;
      const err = await lib.evaluateModel(model, data, points, attacks, { batchSize: 50, checkpoint: { restore: state, save: async () => {} } }).catch((e) => e);
      expect(err).toMatchObject({ name: 'AdversarialArgumentError', argument: 'options.checkpoint.restore' });
      expect(String(err.message)).toMatch(message);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
