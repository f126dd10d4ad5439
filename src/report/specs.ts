// What a report shows, apart from how it is drawn: each report (train, eval, sweep) and the demo page's
// live run become named chart specs (series of points) and tables, plain data that the Chart.js renderer
// draws, the report page lays out and the tests compare with the numbers the library returned.
import type { AnyReport, EvalReport, ReportEvaluation, SweepReport, SweepRow, TrainReport } from './schema';
import { pct, type ChartSpec, type ReportTable } from './format';
import { auditLines, auditTable, compositeLines, curveChart, curveTable, stageTables } from './robustness';

export type { AnyReport };
export type { ChartPoint, ChartSeries, ChartSpec, ReportTable } from './format';
export { pct } from './format';

/** A report as the report page shows it. */
export interface ReportView {
  title: string;
  lines: string[];
  charts: ChartSpec[];
  tables: ReportTable[];
}

/** A difference in points, signed. */
export const points = (v: number): string => `${v >= 0 ? '+' : '-'}${(100 * Math.abs(v)).toFixed(1)}`;

const attackName = (e: ReportEvaluation): string => e.label;

/** `clean 97.6%, FGSM 91.8%, PGD-20 89.1%`: every attack of an evaluation in the order run. */
export const accuracyLine = (evaluation: ReportEvaluation[]): string => evaluation.map((e) => `${e.label} ${pct(e.accuracy)}`).join(', ');

/** Accuracy under each attack of one or more models, as bars. */
export function accuracyBars(id: string, title: string, models: { label: string; evaluation: ReportEvaluation[] }[]): ChartSpec {
  // A bar measured on fewer points than the others (AutoAttack on its first N) says how many.
  const counts = models[0].evaluation.map((e) => e.examples);
  const most = Math.max(...counts);
  const categories = models[0].evaluation.map((e) => `${attackName(e)}${e.epsilon !== null ? ` eps ${e.epsilon}` : ''}${e.examples !== most ? ` (${e.examples} points)` : ''}`);
  return {
    id,
    title,
    kind: 'bar',
    x: { title: 'attack', categories },
    y: { title: 'accuracy', percent: true, min: 0, max: 1 },
    series: models.map((m) => ({ label: m.label, points: m.evaluation.map((e, i) => ({ x: i, y: e.accuracy })) })),
  };
}

function evaluationTable(evaluation: ReportEvaluation[]): ReportTable {
  return {
    id: 'evaluation',
    title: 'Evaluation',
    columns: ['attack', 'eps', 'steps', 'step size', 'restarts', 'accuracy', 'correct / examples', 'gradient evaluations', 'queries', 'seconds'],
    rows: evaluation.map((e) => [
      attackName(e),
      e.epsilon === null ? '-' : String(e.epsilon),
      e.steps === null ? '-' : String(e.steps),
      e.step_size === null ? '-' : String(Number(e.step_size.toPrecision(4))),
      e.restarts === null ? '-' : String(e.restarts),
      pct(e.accuracy),
      `${e.correct} / ${e.examples}`,
      String(e.gradients ?? '-'),
      String(e.queries ?? '-'),
      e.seconds.toFixed(1),
    ]),
  };
}

/** The charts and tables of a training report: loss, probe accuracy and images/s per epoch, and the evaluation. */
export function trainReportView(r: TrainReport): ReportView {
  const epochs = r.history.map((h) => h.epoch);
  const line = (id: string, title: string, yTitle: string, label: string, ys: (number | null)[], percent = false): ChartSpec => ({
    id,
    title,
    kind: 'line',
    x: { title: 'epoch', integer: true },
    y: { title: yTitle, percent, ...(percent ? { min: 0, max: 1 } : {}) },
    series: [{ label, points: ys.flatMap((y, i) => (y === null ? [] : [{ x: epochs[i], y }])) }],
  });
  const probe = r.history.map((h) => h.probe_pgd_accuracy);
  const charts = [
    line('loss', 'Training loss per epoch', 'mean loss', `${r.settings.trainer} loss`, r.history.map((h) => h.mean_loss)),
    ...(probe.some((p) => p !== null)
      ? [line('probe', `Guard probe: PGD-${r.guard.probe_attack.steps} accuracy per epoch (${r.guard.probe_examples} held-back examples)`, 'accuracy', 'probe PGD accuracy', probe, true)]
      : []),
    ...(r.history.some((h) => h.grad_alignment != null)
      ? [line('alignment', `Gradient alignment per epoch: cos(grad at x, grad at a random point of the eps-ball), ${r.guard.probe_examples} held-back examples (falls before catastrophic overfitting)`, 'cosine', 'gradient alignment', r.history.map((h) => h.grad_alignment ?? null))]
      : []),
    line('throughput', 'Training images per second per epoch', 'images/s', 'images/s', r.history.map((h) => h.images_per_second)),
    accuracyBars('accuracy', `Accuracy under attack (${r.data.test_examples} held-out examples)`, [{ label: `${r.settings.trainer} model`, evaluation: r.evaluation }]),
  ];
  const s = r.settings;
  return {
    title: `tfjs-adversarial train: ${s.trainer}, eps ${s.epsilon}, ${r.history.length} epochs`,
    lines: [
      `${accuracyLine(r.evaluation)} on ${r.data.test_examples} held-out examples`,
      `model: ${r.model.description || r.model.architecture}${r.model.source ? ` (fine-tuned from ${r.model.source})` : ''}, ${r.model.parameters} parameters`,
      `data: ${r.data.train_examples} training examples (${r.data.train_source}), ${r.data.probe_examples} held back for the probe`,
      `settings: batch ${s.batch_size}, ${s.optimizer} lr ${s.learning_rate} (${s.schedule}), eps warm-up ${s.epsilon_warmup_epochs} epochs, seed ${s.seed}`,
      `runtime: ${r.runtime.name} ${r.runtime.version}, tfjs ${r.runtime.tfjs_core} (${r.runtime.backend}); adapter: ${adapterLine(r.adapter)}`,
      `throughput: ${r.throughput.train_images_per_second.toFixed(0)} training images/s, ${r.throughput.total_seconds.toFixed(0)} s in all`,
      ...(r.guard.kept_epoch !== null ? [`guard (${r.guard.mode}): kept epoch ${r.guard.kept_epoch}, best probe ${pct(r.guard.best_probe_pgd_accuracy)} after epoch ${r.guard.best_epoch}`] : []),
      ...r.guard.events.map((e) => `guard ${e.action} after epoch ${e.epoch}: ${e.reason}`),
      ...compositeLines(r.evaluation),
      ...auditLines(r.audit),
      `created ${r.created}`,
    ],
    charts,
    tables: [
      ...(r.audit ? [auditTable(r.audit)] : []),
      evaluationTable(r.evaluation),
      ...stageTables(r.evaluation),
      {
        id: 'history',
        title: 'History',
        columns: ['epoch', 'mean loss', 'images/s', 'lr scale', 'probe PGD accuracy', 'gradient alignment', 'seconds'],
        rows: r.history.map((h) => [String(h.epoch), h.mean_loss.toFixed(4), h.images_per_second.toFixed(1), String(h.learning_rate_scale), pct(h.probe_pgd_accuracy), h.grad_alignment == null ? '-' : h.grad_alignment.toFixed(3), h.seconds.toFixed(1)]),
      },
    ],
  };
}

/** The chart and table of an evaluation report. */
export function evalReportView(r: EvalReport): ReportView {
  const points = r.shard ? r.shard.end - r.shard.first : r.data.test_examples;
  return {
    title: `tfjs-adversarial eval: ${r.model_path}`,
    lines: [
      `${accuracyLine(r.evaluation)} on ${points} examples (${r.data.test_source})`,
      ...(r.shard ? [`part ${r.shard.index} of ${r.shard.count} (0-based): points ${r.shard.first}-${r.shard.end - 1} of ${r.shard.total}; tfjs-adversarial merge joins the parts`] : []),
      ...(r.merged_from ? [`merged from ${r.merged_from.length} parts: ${r.merged_from.map((m) => `${m.source} (points ${m.first}-${m.end - 1})`).join(', ')}`] : []),
      ...compositeLines(r.evaluation),
      ...auditLines(r.audit),
      ...(r.audit?.merge ? [`audit merge: ${r.audit.merge.note}`] : []),
      `runtime: ${r.runtime.name} ${r.runtime.version}, tfjs ${r.runtime.tfjs_core} (${r.runtime.backend}); adapter: ${adapterLine(r.adapter)}`,
      `created ${r.created}${r.resumed ? ' (continued from a saved evaluation state)' : ''}`,
    ],
    charts: [accuracyBars('accuracy', `Accuracy under attack (${points} examples)`, [{ label: 'model', evaluation: r.evaluation }]), ...(r.curve ? [curveChart(r.curve)] : [])],
    tables: [...(r.audit ? [auditTable(r.audit)] : []), evaluationTable(r.evaluation), ...stageTables(r.evaluation), ...(r.curve ? [curveTable(r.curve)] : [])],
  };
}

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

export function sweepReportView(r: SweepReport): ReportView {
  const { charts, tables } = tradeOffView(sweepTradeOffData(r));
  return {
    title: `tfjs-adversarial sweep: ${String(r.settings.trainer)} at eps ${r.train_epsilons.join(', ')}`,
    lines: [
      `${r.rows.length} models, ${String(r.settings.epochs)} epochs each, evaluated under ${sweepTradeOffData(r).attacks.join(', ')} at eps ${r.eval_epsilons.join(', ')} on ${r.data.test_examples} held-out examples`,
      `runtime: ${r.runtime.name} ${r.runtime.version}, tfjs ${r.runtime.tfjs_core} (${r.runtime.backend}); adapter: ${adapterLine(r.adapter)}`,
      `created ${r.created}`,
    ],
    charts,
    tables,
  };
}

/** The view of any report by its `command`. */
export function reportView(r: AnyReport): ReportView {
  if (r.command === 'train') return trainReportView(r);
  if (r.command === 'eval') return evalReportView(r);
  if (r.command === 'sweep') return sweepReportView(r);
  throw new Error(`reportView: unknown report command ${String((r as { command?: unknown }).command)}`);
}

export function adapterLine(a: { vendor: string; architecture: string; description: string; software: boolean }): string {
  return `${[a.vendor, a.architecture, a.description].filter(Boolean).join(' ')} (${a.software ? 'software' : 'hardware'})`;
}
