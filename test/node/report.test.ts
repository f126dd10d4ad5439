// The report views apart from drawing: the trade-off against the eps-0 model, the chart specs of a sweep,
// the refusal of an unknown report, and JSON that cannot close the page's script element.
import { describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';

const row = (train_epsilon: number, clean: number, pgd: Record<string, number>) => ({ train_epsilon, trainer: train_epsilon === 0 ? 'clean' : 'fgsm-rs', clean_accuracy: clean, accuracy: { FGSM: pgd, 'PGD-20': pgd }, fgsm_accuracy: pgd, pgd_accuracy: pgd });
const attacks = { attacks: ['FGSM', 'PGD-20'], trade_off_attack: 'PGD-20' };

describe('sweepTradeOff', () => {
  const cases = [
    { name: 'at the model\'s own eps', rows: [row(0, 0.98, { '0.1': 0.3, '0.2': 0.05 }), row(0.1, 0.97, { '0.1': 0.85, '0.2': 0.4 })], evalEps: [0.1, 0.2], want: [{ train_epsilon: 0.1, clean_accuracy_cost: 0.01, pgd_accuracy_gain: 0.55 }] },
    { name: 'at the largest eval eps when the model\'s own was not evaluated', rows: [row(0, 0.98, { '0.2': 0.05 }), row(0.15, 0.96, { '0.2': 0.5 })], evalEps: [0.2], want: [{ train_epsilon: 0.15, clean_accuracy_cost: 0.02, pgd_accuracy_gain: 0.45 }] },
    { name: 'empty without an eps-0 model', rows: [row(0.1, 0.97, { '0.1': 0.85 })], evalEps: [0.1], want: [] },
  ];
  test.each(cases)('sweepTradeOff $name', ({ rows, evalEps, want }) => {
    const got = lib.sweepTradeOff(rows, evalEps);
    expect(got.map((t) => t.train_epsilon)).toEqual(want.map((t) => t.train_epsilon));
    got.forEach((t, i) => {
      expect(t.clean_accuracy_cost).toBeCloseTo(want[i].clean_accuracy_cost, 12);
      expect(t.pgd_accuracy_gain).toBeCloseTo(want[i].pgd_accuracy_gain, 12);
      expect(t.robust_accuracy_gain).toBeCloseTo(want[i].pgd_accuracy_gain, 12);
    });
  });
});

describe('tradeOffView', () => {
  test('a series per model from its clean accuracy at eps 0; one trade-off point per adversarial model; tables of the same numbers', () => {
    const rows = [row(0, 0.98, { '0.1': 0.3, '0.2': 0.05 }), row(0.1, 0.97, { '0.1': 0.85, '0.2': 0.4 })];
    const view = lib.tradeOffView({ eval_epsilons: [0.1, 0.2], rows, trade_off: lib.sweepTradeOff(rows, [0.1, 0.2]), ...attacks });
    expect(view.charts.map((c) => c.id)).toEqual(['pgd-20-vs-eps', 'fgsm-vs-eps', 'trade-off']);
    expect(view.charts[0].series[1].points).toEqual([{ x: 0, y: 0.97 }, { x: 0.1, y: 0.85 }, { x: 0.2, y: 0.4 }]);
    expect(view.charts[2].series).toHaveLength(1);
    expect(view.charts[2].series[0].points[0].x).toBeCloseTo(1, 9);
    expect(view.charts[2].series[0].points[0].y).toBeCloseTo(55, 9);
    expect(view.tables[0].rows[1]).toEqual(['0.1', 'fgsm-rs', '97.0%', '85.0%', '40.0%', '85.0%', '40.0%']);
    expect(view.tables[1].rows).toEqual([['0.1', '', '+1.0', '+55.0']]);
  });

  test('without an eps-0 model there is no trade-off chart', () => {
    const view = lib.tradeOffView({ eval_epsilons: [0.1], rows: [row(0.1, 0.97, { '0.1': 0.85 })], trade_off: [], ...attacks });
    expect(view.charts.map((c) => c.id)).toEqual(['pgd-20-vs-eps', 'fgsm-vs-eps']);
  });
});

describe('reportView and reportHtml', () => {
  test('an unknown report command is refused by name', () => {
    expect(() => lib.reportView({ command: 'bake' } as unknown as lib.AnyReport)).toThrow(/unknown report command bake/);
  });

  test('the embedded JSON holds no "<" and no line separators, and parses back to the report', () => {
    const report = { schema: 'tfjs-adversarial/report@1', command: 'eval', model_path: '</script><!-- \u2028' } as unknown as lib.AnyReport;
    const html = lib.reportHtml(report, 'void 0;');
    const json = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1];
    expect(json).not.toMatch(/[<\u2028\u2029]/);
    expect(JSON.parse(json)).toEqual(report);
    expect(html).toContain("default-src 'none'");
  });
});

describe('accuracyBars', () => {
  const row = (attack: string, label: string, examples: number, epsilon: number | null) =>
    ({ attack, label, threat: 'linf', params: {}, epsilon, steps: null, step_size: null, random_start: null, restarts: null, seed: null, accuracy: 0.5, correct: examples / 2, examples, seconds: 1, gradients: 0, queries: 0 }) as unknown as lib.ReportEvaluation;
  test('a bar measured on fewer points than the others says how many; equal counts add nothing', () => {
    const mixed = lib.accuracyBars('a', 'Accuracy (1996 held-out examples)', [{ label: 'm', evaluation: [row('clean', 'clean', 1996, null), row('fgsm', 'FGSM', 1996, 0.1), row('autoattack', 'AutoAttack-fast', 200, 0.1)] }]);
    expect(mixed.x.categories).toEqual(['clean', 'FGSM eps 0.1', 'AutoAttack-fast eps 0.1 (200 points)']);
    const even = lib.accuracyBars('b', 't', [{ label: 'm', evaluation: [row('clean', 'clean', 50, null), row('fgsm', 'FGSM', 50, 0.1)] }]);
    expect(even.x.categories).toEqual(['clean', 'FGSM eps 0.1']);
  });
});
