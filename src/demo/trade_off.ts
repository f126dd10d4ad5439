// The trade-off view: clean against robust accuracy per eps, either of the models trained on the page
// (evaluated here at each eps of a list: the in-page sweep) or of a sweep.json the CLI wrote.
import * as lib from '../index';
import type { SweepReport } from '../report/schema';
import { tableElement } from '../report/dom';
import { drawChart } from '../report/render';
import { tradeOffView, type TradeOffData } from '../report/trade_off';
import { $, pageAttackSettings, pageState, records, setButtons, setState } from './state';

/** The source line of an in-page trade-off (a sweep.json's starts with its file name). */
const IN_PAGE_TRADE_OFF = 'the models trained on this page';

/** Clears an in-page trade-off: that of the models a new training run replaces. */
export function clearInPageTradeOff(): void {
  if (records.tradeOff?.source.startsWith(IN_PAGE_TRADE_OFF)) {
    $('tradeoff-charts').replaceChildren();
    $('tradeoff-tables').replaceChildren();
    $('tradeoff-status').textContent = '';
    records.tradeOff = null;
  }
}

function showTradeOff(d: TradeOffData, source: string): void {
  const view = tradeOffView(d);
  const charts = $('tradeoff-charts');
  charts.replaceChildren();
  for (const spec of view.charts) drawChart(charts.appendChild(document.createElement('figure')).appendChild(document.createElement('canvas')), spec);
  $('tradeoff-tables').replaceChildren(...view.tables.map(tableElement));
  $('tradeoff-status').textContent = source;
  records.tradeOff = { ...d, source };
}

function parseEpsList(text: string): number[] {
  const list = text.split(',').map((t) => Number(t.trim()));
  if (list.length === 0 || list.some((e) => !(e > 0 && e <= 1))) throw new Error(`attack eps list must be comma-separated numbers in (0, 1], got "${text}"`);
  return list;
}

/** Evaluates the trained models at each eps of the list: the in-page sweep. */
export async function runTradeOff(): Promise<void> {
  if (!pageState.data || pageState.runs.length === 0 || !pageState.settingsUsed) return;
  const s = pageState.settingsUsed;
  setButtons(true);
  $<HTMLButtonElement>('pause').disabled = true;
  $<HTMLButtonElement>('stop').disabled = true;
  setState('evaluating');
  try {
    const evalEpsilons = parseEpsList($<HTMLInputElement>('tradeoff-eps').value);
    const rows: TradeOffData['rows'] = [];
    const robustAt = (e: number) => lib.jobAttacks(pageAttackSettings(s, 'fgsm,pgd'), e).slice(1);
    const labels = lib.attackLabels(robustAt(evalEpsilons[0]));
    for (const run of pageState.runs) {
      $('tradeoff-status').textContent = `evaluating ${run.name} at eps ${evalEpsilons.join(', ')} on ${pageState.evalIndices.length} test digits...`;
      const [clean, ...results] = await lib.evaluateModel(run.model, pageState.data.dataset, pageState.evalIndices, [{ kind: 'clean' }, ...evalEpsilons.flatMap(robustAt)]);
      // Results come in the order asked: each eps, then each attack at it.
      const accuracy = Object.fromEntries(labels.map((label, k) => [label, Object.fromEntries(evalEpsilons.map((e, i) => [String(e), results[i * labels.length + k].accuracy]))]));
      rows.push({ train_epsilon: run.trainer === 'clean' ? 0 : run.epsilon, trainer: run.trainer, clean_accuracy: clean.accuracy, accuracy });
    }
    const pgd = labels[labels.length - 1];
    const tradeOff = lib.sweepTradeOff(rows.map((r) => ({ ...r, pgd_accuracy: r.accuracy[pgd] })), evalEpsilons, pgd);
    showTradeOff({ eval_epsilons: evalEpsilons, attacks: labels, trade_off_attack: pgd, rows, trade_off: tradeOff }, `${IN_PAGE_TRADE_OFF}, ${pageState.evalIndices.length} test digits, ${labels.join(' and ')}`);
    setState('done');
  } catch (err) {
    $('tradeoff-status').textContent = (err as Error).message;
    setState('error');
  } finally {
    setButtons(false);
  }
}

export async function loadSweepFile(file: File): Promise<void> {
  try {
    const sweep = JSON.parse(await file.text()) as SweepReport;
    if (sweep.command !== 'sweep' || !Array.isArray(sweep.rows)) throw new Error(`${file.name} is not a sweep.json of the CLI (command: ${String(sweep.command)})`);
    showTradeOff(lib.sweepTradeOffData(sweep), `${file.name}: ${sweep.rows.length} models, ${sweep.data.test_examples} test examples, ${sweep.runtime.name}`);
  } catch (err) {
    $('tradeoff-status').textContent = (err as Error).message;
  }
}
