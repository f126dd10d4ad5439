// The evaluation as a report shows it, in every report kind and on the demo page: the accuracy line, the
// accuracy bars (a bar measured on fewer points says how many), the evaluation table, and the adapter line.
import type { ReportEvaluation } from './schema';
import { pct, type ChartSpec, type ReportTable } from './format';

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

/** The evaluation table: each attack's parameters, accuracy, counts, cost and time. */
export function evaluationTable(evaluation: ReportEvaluation[]): ReportTable {
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

/** `google swiftshader ... (software)`: the WebGPU adapter in one line. */
export function adapterLine(a: { vendor: string; architecture: string; description: string; software: boolean }): string {
  return `${[a.vendor, a.architecture, a.description].filter(Boolean).join(' ')} (${a.software ? 'software' : 'hardware'})`;
}
