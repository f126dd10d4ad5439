// The robustness / clean-accuracy trade-off of a sweep (the CLI's sweep.json or the demo page's models) as
// charts and tables: accuracy against eps per trained model, and each model's clean-accuracy cost against
// its robust-accuracy gain over the eps-0 one.
import type { SweepReport, SweepRow } from './schema';
import { pct, type ChartSpec, type ReportTable } from './format';
import { points } from './evaluation_view';

/** What the trade-off charts need of a sweep (a CLI sweep.json, or the demo page's models). */
export interface TradeOffData {
  eval_epsilons: number[];
  /** The attacks' labels, in the order run: each row's `accuracy` keys. */
  attacks: string[];
  /** The label the trade-off is measured with. */
  trade_off_attack: string;
  rows: Pick<SweepRow, 'train_epsilon' | 'trainer' | 'trainer_label' | 'clean_accuracy' | 'accuracy'>[];
  trade_off: Pick<SweepReport['trade_off'][number], 'train_epsilon' | 'trainer_label' | 'clean_accuracy_cost' | 'robust_accuracy_gain'>[];
}

const modelLabel = (row: { train_epsilon: number; trainer: string; trainer_label?: string }): string => `trained at eps ${row.train_epsilon} (${row.trainer_label ?? row.trainer})`;
/** The robust accuracy of a model under `label` at its own training eps (else the largest evaluated). */
const ownEpsilonAccuracy = (d: TradeOffData, row: TradeOffData['rows'][number], label: string): number | undefined =>
  row.accuracy[label]?.[String(d.eval_epsilons.includes(row.train_epsilon) ? row.train_epsilon : d.eval_epsilons[d.eval_epsilons.length - 1])];
/** A chart id from an attack label: `PGD-20` -> `pgd-20`. */
const slug = (label: string): string => label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/**
 * The trade-off view: accuracy against eps for each trained model under each attack (the last attack, the
 * strongest by convention, first), starting from its clean accuracy at eps 0, and the clean-accuracy cost
 * against the robust-accuracy gain of each model against the eps-0 one, with tables of the numbers.
 */
export function tradeOffView(d: TradeOffData): { charts: ChartSpec[]; tables: ReportTable[] } {
  const against = (label: string): ChartSpec => ({
    id: `${slug(label)}-vs-eps`,
    title: `${label} accuracy against eps, per trained model`,
    kind: 'line',
    x: { title: 'attack eps' },
    y: { title: 'accuracy', percent: true, min: 0, max: 1 },
    series: d.rows.map((row) => ({ label: modelLabel(row), points: [{ x: 0, y: row.clean_accuracy }, ...d.eval_epsilons.map((e) => ({ x: e, y: row.accuracy[label]?.[String(e)] }))] })),
  });
  const charts: ChartSpec[] = [...d.attacks].reverse().map(against);
  if (d.trade_off.length > 0) {
    charts.push({
      id: 'trade-off',
      title: `Clean-accuracy cost against ${d.trade_off_attack} accuracy gain at the training eps (against the eps-0 model)`,
      kind: 'scatter',
      x: { title: 'clean accuracy cost (points)' },
      y: { title: `${d.trade_off_attack} accuracy gain (points)` },
      series: d.trade_off.map((t) => ({
        label: `trained at eps ${t.train_epsilon}${t.trainer_label ? ` (${t.trainer_label})` : ''}`,
        points: [{ x: 100 * t.clean_accuracy_cost, y: 100 * t.robust_accuracy_gain }],
        colourIndex: d.rows.findIndex((r) => r.train_epsilon === t.train_epsilon && r.trainer_label === t.trainer_label),
      })),
    });
  }
  if (new Set(d.rows.map((r) => r.trainer_label ?? r.trainer)).size > 2) {
    // Several trainers: the frontier, clean accuracy against the strongest attack's, one point per model.
    charts.push({
      id: 'frontier',
      title: `Clean accuracy against ${d.trade_off_attack} accuracy at the training eps, one point per trained model`,
      kind: 'scatter',
      x: { title: 'clean accuracy (%)' },
      y: { title: `${d.trade_off_attack} accuracy`, percent: true },
      series: d.rows.map((row, i) => ({ label: modelLabel(row), points: [{ x: 100 * row.clean_accuracy, y: ownEpsilonAccuracy(d, row, d.trade_off_attack) ?? NaN }], colourIndex: i })),
    });
  }
  const tables: ReportTable[] = [
    {
      id: 'sweep',
      title: 'Accuracy of each trained model',
      columns: ['train eps', 'trainer', 'clean', ...d.attacks.flatMap((a) => d.eval_epsilons.map((e) => `${a}@${e}`))],
      rows: d.rows.map((r) => [String(r.train_epsilon), r.trainer_label ?? r.trainer, pct(r.clean_accuracy), ...d.attacks.flatMap((a) => d.eval_epsilons.map((e) => pct(r.accuracy[a]?.[String(e)])))]),
    },
    {
      id: 'trade-off',
      title: 'Trade-off against the eps-0 model',
      columns: ['train eps', 'trainer', 'clean accuracy cost (points)', `${d.trade_off_attack} accuracy gain (points)`],
      rows: d.trade_off.map((t) => [String(t.train_epsilon), t.trainer_label ?? '', points(t.clean_accuracy_cost), points(t.robust_accuracy_gain)]),
    },
  ];
  return { charts, tables };
}

/**
 * The trade-off data of a sweep.json; one written before attack lists (FGSM and PGD only, no `attacks`)
 * is read as its FGSM and PGD-K columns.
 */
export function sweepTradeOffData(r: SweepReport): TradeOffData {
  if (Array.isArray(r.attacks)) return r;
  const old = r as unknown as { settings: { evalPgdSteps?: number }; rows: (SweepRow & { fgsm_accuracy: Record<string, number>; pgd_accuracy: Record<string, number> })[]; trade_off: { train_epsilon: number; clean_accuracy_cost: number; pgd_accuracy_gain: number }[] };
  const pgd = `PGD-${old.settings?.evalPgdSteps ?? 20}`;
  return {
    eval_epsilons: r.eval_epsilons,
    attacks: ['FGSM', pgd],
    trade_off_attack: pgd,
    rows: old.rows.map((row) => ({ ...row, accuracy: { FGSM: row.fgsm_accuracy, [pgd]: row.pgd_accuracy } })),
    trade_off: old.trade_off.map((t) => ({ ...t, robust_accuracy_gain: t.pgd_accuracy_gain })),
  };
}

