// The tables and what is derived from them: parameter specs and the `id:name=value` text form, the
// attack and trainer registries (resolution, labels, keys, refusals by name), the job's attack list with
// the settings' defaults, the settings table's defaults and checks, evaluation refusing bad attacks before
// any tensor, and a training run as an async iterator of epochs.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { withGpuErrorScope } from '../suite/kernel_suite';
import { syntheticTask } from '../suite/synthetic';

beforeAll(async () => {
  await lib.initWebGPU();
  await lib.ensureGradients();
});

describe('parameter specs', () => {
  const steps: lib.ParamSpec = { type: 'integer', default: 20, min: 1, max: 100, help: '' };
  const cases: [string, lib.ParamSpec, unknown, string | null][] = [
    ['integer in range', steps, 7, null],
    ['integer below min', steps, 0, 'must be an integer in [1, 100], got 0'],
    ['integer not whole', steps, 2.5, 'must be an integer in [1, 100], got 2.5'],
    ['NaN', steps, Number.NaN, 'must be an integer in [1, 100], got NaN'],
    ['open minimum', { type: 'number', default: 1, min: 0, openMin: true, max: 1, help: '' }, 0, 'must be a number in (0, 1], got 0'],
    ['choice', { type: 'choice', default: 'a', choices: ['a', 'b'], help: '' }, 'c', 'must be one of a, b, got "c"'],
    ['boolean', { type: 'boolean', default: true, help: '' }, 'yes', 'must be true or false, got "yes"'],
  ];
  for (const [name, spec, value, problem] of cases) test(`paramProblem ${name}`, () => expect(lib.paramProblem(spec, value)).toBe(problem));

  test('splitSpecList reads ids and name=value pairs, names in camelCase', () => {
    expect(lib.splitSpecList('fgsm, pgd:steps=50:restarts=5:step-size=0.01:eps=0.2')).toEqual([
      { id: 'fgsm', values: {} },
      { id: 'pgd', values: { steps: '50', restarts: '5', stepSize: '0.01', epsilon: '0.2' } },
    ]);
    expect(() => lib.splitSpecList('fgsm,,pgd')).toThrow(/empty entry/);
    expect(() => lib.splitSpecList('pgd:steps')).toThrow(/"steps" in "pgd:steps" is not name=value/);
  });

  test('resolveParams fills defaults and refuses unknown names naming them', () => {
    expect(lib.resolveParams('op', 'p', { steps, stepSize: { type: 'number', default: null, help: '' } }, { steps: 3 })).toEqual({ steps: 3 });
    expect(() => lib.resolveParams('op', 'p', { steps }, { iters: 3 })).toThrow(expect.objectContaining({ argument: 'p.iters' }));
  });
});

describe('attack table', () => {
  test('the built-in attacks in order; PGD\'s label, derived step size and key', () => {
    expect(lib.ATTACK_REGISTRY.ids().slice(0, 9)).toEqual(['clean', 'fgsm', 'fgm', 'pgd', 'apgd', 'apgd-t', 'fab-t', 'square', 'autoattack']);
    const pgd = lib.resolveAttackSpec({ kind: 'pgd', epsilon: 0.2, steps: 10 });
    expect(pgd.label).toBe('PGD-10');
    expect(pgd.params.stepSize).toBeCloseTo(0.05, 12);
    expect(pgd.key).toBe(`pgd:epsilon=0.2:steps=10:stepSize=${(2.5 * 0.2) / 10}:restarts=1:randomStart=true:seed=0:loss=ce:norm=linf`);
    expect(pgd.threat).toBe('linf');
    expect(lib.attackBudget(lib.resolveAttackSpec({ kind: 'fgsm', epsilon: 0.1 }))).toEqual({ epsilon: 0.1, steps: 1, step_size: 0.1, random_start: false, restarts: null, seed: null });
  });

  const refused: [string, lib.AttackSpec, string][] = [
    ['unknown attack', { kind: 'cw' }, 'attack.kind'],
    ['unknown parameter', { kind: 'pgd', iters: 3 }, 'attack pgd.iters'],
    ['eps below 0', { kind: 'fgsm', epsilon: -1 }, 'attack fgsm.epsilon'],
    ['zero restarts', { kind: 'pgd', restarts: 0 }, 'attack pgd.restarts'],
    ['an L-inf radius above 1', { kind: 'pgd', epsilon: 1.5 }, 'attack pgd.epsilon'],
    ['an L-inf APGD-T radius above 1', { kind: 'apgd-t', epsilon: 2 }, 'attack apgd-t.epsilon'],
    ['an L1 ball', { kind: 'apgd', norm: 'l1' }, 'attack apgd.norm'],
    ['zero APGD-T targets', { kind: 'apgd-t', targets: 0 }, 'attack apgd-t.targets'],
    ['an FGM radius below 0', { kind: 'fgm', epsilon: -1 }, 'attack fgm.epsilon'],
  ];
  for (const [name, spec, argument] of refused) test(`resolveAttackSpec refuses ${name} naming ${argument}`, () => expect(() => lib.resolveAttackSpec(spec)).toThrow(expect.objectContaining({ name: 'AdversarialArgumentError', argument })));

  test('the L2 attacks: norm=l2 takes radii above 1, sets the threat and the label; fgm is L2; APGD-T\'s cost', () => {
    const l2 = lib.resolveAttackSpec({ kind: 'pgd', epsilon: 1.5, norm: 'l2' });
    expect([l2.threat, l2.label, l2.params.stepSize]).toEqual(['l2', 'PGD-20-L2', (2.5 * 1.5) / 20]);
    expect(lib.resolveAttackSpec({ kind: 'apgd', norm: 'l2', epsilon: 1 }).label).toBe('APGD-CE-L2');
    const fgm = lib.resolveAttackSpec({ kind: 'fgm' });
    expect([fgm.threat, fgm.label, fgm.params.epsilon]).toEqual(['l2', 'FGM', 1]);
    const t = lib.resolveAttackSpec({ kind: 'apgd-t' });
    expect([t.threat, t.label, t.params.targets, t.params.steps, t.params.restarts]).toEqual(['linf', 'APGD-T', 9, 100, 1]);
    expect(t.definition.cost!(t.params)).toEqual({ gradients: 9 * 101, queries: 1 });
    expect(lib.resolveAttackSpec({ kind: 'apgd-t', norm: 'l2', epsilon: 1.5, targets: 3 }).label).toBe('APGD-T-L2');
    expect(lib.parseAttackList('apgd-t:targets=3:norm=l2:eps=1.5,fgm:eps=2')).toEqual([{ kind: 'apgd-t', targets: 3, norm: 'l2', epsilon: 1.5 }, { kind: 'fgm', epsilon: 2 }]);
    expect(lib.attackHelp().map((line) => line.split(' ')[0])).toEqual(expect.arrayContaining(['apgd-t', 'fgm']));
  });

  test('parseAttackList checks each parameter against the table', () => {
    expect(lib.parseAttackList('fgsm,pgd:steps=50:randomStart=false')).toEqual([{ kind: 'fgsm' }, { kind: 'pgd', steps: 50, randomStart: false }]);
    expect(() => lib.parseAttackList('pgd:steps=0x10')).toThrow(/pgd:steps must be an integer/);
    expect(() => lib.parseAttackList('fgsm:loss=kl')).toThrow(/fgsm:loss must be one of ce, dlr, got "kl"/);
  });

  test('registering: ids are checked and not taken twice', () => {
    const def = { ...lib.cleanAttack, id: 'identity-test' };
    lib.registerAttack(def);
    expect(lib.getAttack('identity-test')).toBe(def);
    expect(() => lib.registerAttack(def)).toThrow(/already registered/);
    expect(() => lib.registerAttack({ ...def, id: 'Bad Id' })).toThrow(expect.objectContaining({ argument: 'attack.id' }));
  });
});

describe('trainer table and settings table', () => {
  test('the built-in trainers; parameters resolved and refused by name', () => {
    expect(lib.trainerIds().slice(0, 7)).toEqual(['clean', 'fgsm', 'fgsm-rs', 'nfgsm', 'pgd', 'trades', 'mart']);
    expect(lib.resolveTrainerById('pgd', { steps: 3 }).params).toEqual({ steps: 3 });
    expect(() => lib.resolveTrainerById('pgd', { steps: 0 })).toThrow(expect.objectContaining({ argument: 'trainerParams.steps' }));
    expect(() => lib.resolveTrainerById('free')).toThrow(expect.objectContaining({ argument: 'trainer' }));
  });

  test("the main job's defaults come from the table; settings feed trainer and attack parameters", () => {
    expect(lib.DEFAULT_TRAIN_SETTINGS).toMatchObject({ arch: 'seed-cnn', trainer: 'nfgsm', epsilon: 0.1, epochs: 5, batchSize: 64, learningRate: 0.003, schedule: 'cyclic', epsilonWarmupEpochs: 1, seed: 0, cleanWeight: 0.5, trainPgdSteps: 7, attacks: 'fgsm,pgd', evalPgdSteps: 20, evalPgdRestarts: 1, attackSeed: 0, guard: 'rollback', guardDrop: 0.1, probeSteps: 7 });
    const s = { ...lib.DEFAULT_TRAIN_SETTINGS, cleanWeight: 0.3, trainPgdSteps: 4, evalPgdSteps: 9, attackSeed: 5 };
    expect(lib.trainerParamsOf(s, 'fgsm')).toEqual({ cleanWeight: 0.3 });
    expect(lib.trainerParamsOf(s, 'pgd')).toEqual({ steps: 4 });
    expect(lib.jobAttacks({ ...s, attacks: 'fgsm,pgd:restarts=3' }, 0.2)).toEqual([
      { kind: 'clean' },
      { kind: 'fgsm', epsilon: 0.2 },
      { kind: 'pgd', epsilon: 0.2, steps: 9, restarts: 3, seed: 5 },
    ]);
  });

  const bad: [keyof lib.TrainJobSettings, unknown][] = [['epochs', 0], ['trainer', 'free'], ['arch', 'resnet'], ['learningRate', 0], ['attacks', 3], ['guard', 'maybe']];
  for (const [key, value] of bad) {
    test(`checkTrainSettings refuses ${key}=${String(value)} naming settings.${key}`, () => {
      expect(() => lib.checkTrainSettings({ ...lib.DEFAULT_TRAIN_SETTINGS, [key]: value } as lib.TrainJobSettings, 'runTrainJob')).toThrow(expect.objectContaining({ argument: `settings.${key}` }));
    });
  }
});

describe('evaluation and training refuse before their first tensor', () => {
  const task = () => syntheticTask(40, 2);
  const cases: [string, lib.AttackSpec[], string][] = [
    ['an unknown attack', [{ kind: 'clean' }, { kind: 'cw' }], 'attacks[1].kind'],
    ['an FGSM eps of -1', [{ kind: 'fgsm', epsilon: -1 }], 'attack fgsm.epsilon'],
    ['0 PGD restarts', [{ kind: 'pgd', restarts: 0 }], 'attack pgd.restarts'],
  ];
  for (const [name, attacks, argument] of cases) {
    test(`evaluateModel with ${name}: refused naming ${argument}, no tensor leaked`, async () => {
      const t = task();
      const data = lib.uploadDataset(t.images, t.labels, [8, 8, 1], 10);
      const model = lib.seedCnn({ seed: 1, inputShape: [8, 8, 1] });
      const before = tf.memory().numTensors;
      await expect(lib.evaluateModel(model, data, [0, 1, 2, 3], attacks)).rejects.toMatchObject({ name: 'AdversarialArgumentError', argument });
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
      data.dispose();
    });
  }

  test('evaluateModel refuses an index outside the data set, trainModel a bad trainer parameter: no leak', async () => {
    const t = task();
    const data = lib.uploadDataset(t.images, t.labels, [8, 8, 1], 10);
    const model = lib.seedCnn({ seed: 1, inputShape: [8, 8, 1] });
    const optimizer = lib.engineAdam(1e-3);
    const before = tf.memory().numTensors;
    await expect(lib.evaluateModel(model, data, [0, 40], [{ kind: 'clean' }])).rejects.toMatchObject({ argument: 'indices[1]' });
    const o = { trainer: 'pgd', epsilon: 0.1, epochs: 1, batchSize: 4, learningRate: 1e-3, seed: 0 };
    await expect(lib.trainModel(model, optimizer, data, [0, 1, 2, 3], { ...o, trainerParams: { steps: -1 } })).rejects.toMatchObject({ argument: 'trainerParams.steps' });
    await expect(lib.trainModel(model, optimizer, data, [0, 1, 2, 3], { ...o, epsilonWarmupEpochs: Number.NaN })).rejects.toMatchObject({ argument: 'options.epsilonWarmupEpochs' });
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    model.dispose();
    data.dispose();
  });
});

describe('a training run is an async iterator of epochs', () => {
  test('the learning-rate scale set between epochs applies to the next; leaving the loop stops training and releases its tensors', async () => {
    const t = syntheticTask(128, 3);
    const data = lib.uploadDataset(t.images, t.labels, [8, 8, 1], 10);
    const model = lib.seedCnn({ seed: 2, inputShape: [8, 8, 1] });
    const optimizer = lib.engineAdam(3e-3);
    const counts: number[] = [];
    const { value: records, errors } = await withGpuErrorScope(lib.currentWebGPU()!.device, async () => {
      const run = lib.trainingRun(model, optimizer, data, Array.from({ length: 128 }, (_, i) => i), { trainer: 'fgsm-rs', epsilon: 0.1, epochs: 4, batchSize: 32, learningRate: 3e-3, seed: 1 });
      const seen: lib.EpochRecord[] = [];
      for await (const epoch of run) {
        seen.push(epoch);
        counts.push(tf.memory().numTensors);
        run.learningRateScale = 0.25;
        if (seen.length === 2) break;
      }
      return seen;
    });
    expect(errors).toEqual([]);
    expect(records.map((r) => [r.epoch, r.learningRateScale, r.steps])).toEqual([[0, 1, 4], [1, 0.25, 4]]);
    // Between epochs and after the loop, only the variables and the optimizer's state: the loop's own
    // tensors (the epoch's order, the loss sum) are released at each epoch's end.
    counts.push(tf.memory().numTensors);
    expect(new Set(counts).size, `tensor counts ${counts.join(' ')}`).toBe(1);
    optimizer.dispose();
    model.dispose();
    data.dispose();
  });
});
