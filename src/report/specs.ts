// What a report shows, apart from how it is drawn: each report (train, eval, sweep) becomes a view of named
// chart specs (series of points) and tables, plain data that the Chart.js renderer draws, the report page
// lays out and the tests compare with the numbers the library returned. The evaluation's pieces are in
// evaluation_view.ts, the sweep's trade-off in trade_off.ts.
import type { AnyReport, EvalReport, SweepReport, TrainReport } from './schema';
import { memoryLines, pct, type ChartSpec, type ReportTable } from './format';
import { accuracyBars, accuracyLine, adapterLine, evaluationTable } from './evaluation_view';
import { sweepTradeOffData, tradeOffView } from './trade_off';
import { auditLines, auditTable, compositeLines, curveChart, curveTable, stageTables } from './robustness';


/** A report as the report page shows it. */
export interface ReportView {
  title: string;
  lines: string[];
  charts: ChartSpec[];
  tables: ReportTable[];
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
      ...memoryLines(r.memory),
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
      ...memoryLines(r.memory),
      `created ${r.created}${r.resumed ? ' (continued from a saved evaluation state)' : ''}`,
    ],
    charts: [accuracyBars('accuracy', `Accuracy under attack (${points} examples)`, [{ label: 'model', evaluation: r.evaluation }]), ...(r.curve ? [curveChart(r.curve)] : [])],
    tables: [...(r.audit ? [auditTable(r.audit)] : []), evaluationTable(r.evaluation), ...stageTables(r.evaluation), ...(r.curve ? [curveTable(r.curve)] : [])],
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

