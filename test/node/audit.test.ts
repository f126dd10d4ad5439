// The evaluation audit: every check on a case built to pass and one built to fail (contexts whose attack
// results are given, so each check's rule is what is tested), the audit's own probes on real models on
// Dawn (a saturated softmax has zero input gradients, NaN inputs give non-finite ones; PGD's loss trace
// rises and levels off), and auditEvaluation end to end on a small trained model with no tensor leaked.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { syntheticTask } from '../suite/synthetic';

/** A result whose per-point outcomes are `flags` ('1' robust). */
function result(kind: string, flags: string, extra: Partial<lib.EvaluationResult> = {}, params: Record<string, number> = { epsilon: 0.1 }): lib.EvaluationResult {
  const robust = Uint8Array.from(flags, (c) => (c === '1' ? 1 : 0));
  const correct = robust.reduce((a, b) => a + b, 0);
  return { attack: { kind, ...(kind === 'clean' ? {} : params) }, label: kind, key: kind, accuracy: correct / robust.length, correct, examples: robust.length, robust, gradients: 0, queries: 0, seconds: 0, ...extra };
}
const ones = (n: number, of = 10) => '1'.repeat(n) + '0'.repeat(of - n);

/** A context with given results: `runs` answers ctx.run by attack kind and steps/restarts. */
function context(over: Partial<lib.AuditContext> & { runs?: Record<string, lib.EvaluationResult>; trace?: Float32Array; gradientFlags?: Uint8Array }): lib.AuditContext {
  return {
    epsilon: 0.1,
    pgdSteps: 20,
    seed: 0,
    points: 10,
    chance: 0.1,
    evaluation: [],
    run: async (spec) => {
      const name = `${spec.kind}${spec.epsilon !== undefined && spec.epsilon !== 0.1 ? `@${spec.epsilon}` : ''}${spec.steps ? `:${spec.steps}` : ''}${spec.restarts ? `x${spec.restarts}` : ''}`;
      const r = over.runs?.[name];
      if (!r) throw new Error(`test context has no run ${name}`);
      return r;
    },
    withBatch: async () => (over.trace ?? over.gradientFlags) as never,
    ...over,
  };
}

const check = (id: string) => lib.AUDIT_CHECKS.find((c) => c.id === id)!;

const cases: { name: string; id: string; ctx: () => lib.AuditContext; status: 'pass' | 'warn' | 'skip' }[] = [
  { name: 'large-eps reaches chance', id: 'large-eps', status: 'pass', ctx: () => context({ runs: { 'pgd@0.5:20': result('pgd', ones(1)) } }) },
  { name: 'large-eps stuck at 60%', id: 'large-eps', status: 'warn', ctx: () => context({ runs: { 'pgd@0.5:20': result('pgd', ones(6)) } }) },
  { name: 'monotone curve', id: 'monotone', status: 'pass', ctx: () => context({ evaluation: [result('clean', ones(9))], curve: { epsilons: [0.05, 0.1, 0.2], attacks: ['PGD-20'], accuracy: { 'PGD-20': { '0.05': 0.8, '0.1': 0.6, '0.2': 0.3 } }, examples: 10 } }) },
  { name: 'curve rising at 0.2', id: 'monotone', status: 'warn', ctx: () => context({ evaluation: [result('clean', ones(9))], curve: { epsilons: [0.05, 0.1, 0.2], attacks: ['PGD-20'], accuracy: { 'PGD-20': { '0.05': 0.8, '0.1': 0.6, '0.2': 0.7 } }, examples: 10 } }) },
  { name: 'attack above clean', id: 'monotone', status: 'warn', ctx: () => context({ evaluation: [result('clean', ones(5)), result('pgd', ones(7))] }) },
  { name: 'converged PGD', id: 'convergence', status: 'pass', ctx: () => context({ runs: { 'pgd:20': result('pgd', ones(5, 100)), 'pgd:40': result('pgd', ones(4, 100)), 'pgd:20x5': result('pgd', ones(5, 100)) } }) },
  { name: 'restarts find 5 points more', id: 'convergence', status: 'warn', ctx: () => context({ runs: { 'pgd:20': result('pgd', ones(50, 100)), 'pgd:40': result('pgd', ones(50, 100)), 'pgd:20x5': result('pgd', ones(45, 100)) } }) },
  {
    name: 'square finds nothing after the white-box stages',
    id: 'black-box',
    status: 'pass',
    ctx: () => context({ evaluation: [result('autoattack', ones(80, 100), { stages: [stage('apgd', 80), stage('square', 80, 80)] })] }),
  },
  {
    name: 'square fools 30 of 80 points gradients left',
    id: 'black-box',
    status: 'warn',
    ctx: () => context({ evaluation: [result('autoattack', ones(50, 100), { stages: [stage('apgd', 80), stage('square', 50, 80)] })] }),
  },
  { name: 'FGSM weaker than PGD', id: 'fgsm-vs-pgd', status: 'pass', ctx: () => context({ evaluation: [result('fgsm', ones(7)), result('pgd', ones(5))] }) },
  { name: 'FGSM stronger than PGD', id: 'fgsm-vs-pgd', status: 'warn', ctx: () => context({ evaluation: [result('fgsm', ones(3)), result('pgd', ones(6))] }) },
  { name: 'informative gradients', id: 'gradients', status: 'pass', ctx: () => context({ gradientFlags: Uint8Array.from(ones(0, 100), Number) }) },
  { name: 'half the gradients zero', id: 'gradients', status: 'warn', ctx: () => context({ gradientFlags: Uint8Array.from('1'.repeat(50) + '0'.repeat(50), Number) }) },
  { name: 'loss levelled off', id: 'loss-rising', status: 'pass', ctx: () => context({ trace: Float32Array.from({ length: 21 }, (_, i) => 2 - Math.exp(-i / 2)) }) },
  { name: 'loss rising linearly', id: 'loss-rising', status: 'warn', ctx: () => context({ trace: Float32Array.from({ length: 21 }, (_, i) => 1 + i / 10) }) },
  { name: 'PGD agrees with AutoAttack', id: 'pgd-vs-autoattack', status: 'pass', ctx: () => context({ evaluation: [result('pgd', ones(89, 100)), result('autoattack', ones(88, 100), { stages: [] })] }) },
  { name: 'PGD 30 points above AutoAttack', id: 'pgd-vs-autoattack', status: 'warn', ctx: () => context({ evaluation: [result('pgd', ones(96, 100)), result('autoattack', ones(66, 100), { stages: [] })] }) },
  { name: 'no AutoAttack run', id: 'pgd-vs-autoattack', status: 'skip', ctx: () => context({ evaluation: [result('pgd', ones(96, 100))] }) },
];

function stage(kind: string, correct: number, attacked = 90): lib.EvaluationStage {
  return { attack: { kind }, label: kind, key: kind, attacked, correct, accuracy: correct / 100, gradients: 0, queries: 0, seconds: 0 };
}

describe('audit checks: a case built to pass and one built to fail, each', () => {
  for (const c of cases) {
    test(`${c.id}: ${c.name} -> ${c.status}`, async () => {
      const outcome = await check(c.id).run(c.ctx());
      expect(outcome.status, outcome.summary).toBe(c.status);
      expect(outcome.summary.length).toBeGreaterThan(10);
    });
  }
  test('every check of the table has a pass and a warn case here', () => {
    for (const c of lib.AUDIT_CHECKS) {
      expect(cases.some((x) => x.id === c.id && x.status === 'pass'), `${c.id} pass`).toBe(true);
      expect(cases.some((x) => x.id === c.id && x.status === 'warn'), `${c.id} warn`).toBe(true);
    }
  });
});

describe('audit probes and the audit on Dawn', () => {
  let model: lib.Classifier;
  let data: lib.GpuDataset;
  const points = Array.from({ length: 60 }, (_, i) => i + 300);
  beforeAll(async () => {
    await lib.initWebGPU();
    await lib.ensureGradients();
    const task = syntheticTask(360, 12);
    data = lib.uploadDataset(task.images, task.labels, [8, 8, 1], 10);
    model = lib.seedCnn({ seed: 4, inputShape: [8, 8, 1] });
    await lib.trainModel(model, lib.engineAdam(3e-3), data, Array.from({ length: 300 }, (_, i) => i), { trainer: 'clean', epsilon: 0, epochs: 2, batchSize: 32, learningRate: 3e-3, seed: 1 });
  }, 300_000);

  const batchOf = (indices: number[]) => {
    const idx = tf.tensor1d(Int32Array.from(indices), 'int32');
    const b = lib.gatherBatch(data, idx);
    idx.dispose();
    return b;
  };

  test('degenerateGradientFlags: informative on the trained model, all zero when its logits are scaled by 1e6, NaN inputs flagged', async () => {
    const b = batchOf(points);
    const flags = await lib.degenerateGradientFlags(model, b);
    expect(flags.reduce((a, v) => a + v, 0)).toBeLessThan(points.length / 10);
    const saturated: lib.Classifier = { ...model, forward: (x) => tf.tidy(() => tf.mul(model.forward(x), 1e6)) as tf.Tensor2D };
    const correct = await lib.correctCount(model, b.x, b.labels).data();
    const zero = await lib.degenerateGradientFlags(saturated, b);
    // Every point the model gets right has a saturated softmax: no gradient to follow.
    expect(zero.reduce((a, v) => a + v, 0)).toBeGreaterThanOrEqual(correct[0]);
    const nanBatch = { ...b, x: tf.fill(b.x.shape, NaN) as tf.Tensor4D };
    expect(Array.from(await lib.degenerateGradientFlags(model, nanBatch)).every((v) => v === 1)).toBe(true);
    tf.dispose([b.x, b.onehot, b.labels, nanBatch.x]);
  });

  test('pgdLossTrace: one mean loss per step, higher at the end than at the start', async () => {
    const b = batchOf(points);
    const trace = await lib.pgdLossTrace(model, b, 0.2, 10, 3);
    expect(trace.length).toBe(11);
    expect(trace[10]).toBeGreaterThan(trace[0]);
    tf.dispose([b.x, b.onehot, b.labels]);
  });

  test('auditEvaluation end to end: 8 checks with figures, pgd-vs-autoattack skipped without AutoAttack, no leak', async () => {
    const evaluation = await lib.evaluateModel(model, data, points, [{ kind: 'clean' }, { kind: 'fgsm', epsilon: 0.1 }, { kind: 'pgd', epsilon: 0.1, steps: 5 }]);
    const before = tf.memory().numTensors;
    const audit = await lib.auditEvaluation(model, data, points, evaluation, { epsilon: 0.1, points: 40 });
    expect(tf.memory().numTensors).toBe(before);
    expect(audit.points).toBe(40);
    expect(audit.checks.map((c) => c.id)).toEqual(lib.AUDIT_CHECKS.map((c) => c.id));
    expect(audit.checks.find((c) => c.id === 'pgd-vs-autoattack')!.status).toBe('skip');
    expect(audit.warnings).toBe(audit.checks.filter((c) => c.status === 'warn').length);
    const convergence = audit.checks.find((c) => c.id === 'convergence')!;
    expect(convergence.figures.pgd).toBeTypeOf('number');
    await expect(lib.auditEvaluation(model, data, points, evaluation, { epsilon: 0, points: 40 })).rejects.toMatchObject({ argument: 'options.epsilon' });
  });
});
