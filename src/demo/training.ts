// Live training on the demo page: the settings form, the chosen trainer's model beside a clean one trained
// epoch by epoch, the live charts and the epoch table, pause and stop, and the download of the last model.
import * as lib from '../index';
import { tableElement } from '../report/dom';
import { drawChart, updateChart, Chart } from '../report/render';
import { pct, type ChartSpec, type ReportTable } from '../report/format';
import { renderGallery } from './gallery';
import { clearInPageTradeOff } from './trade_off';
import { $, pageAttackSettings, pageState, records, setButtons, setState, status, type Run, type Settings } from './state';

let controller: AbortController | null = null;
let pause: { promise: Promise<void>; resume: () => void } | null = null;
/** Training steps begun since the page opened (a paused page begins none). */
let stepsBegun = 0;
const liveCharts = new Map<string, Chart>();

/** Training steps begun since the page opened (`window.demo.stepsBegun`). */
export const stepsBegunSoFar = () => stepsBegun;

/** The form's trainer choices from the trainer table, and its input ranges from the settings table. */
export function fillSettingsForm(): void {
  const form = $<HTMLFormElement>('settings');
  const select = form.elements.namedItem('trainer') as HTMLSelectElement;
  const chosen = select.value || String(lib.DEFAULT_TRAIN_SETTINGS.trainer);
  select.replaceChildren(...lib.trainerIds().map((id) => new Option(id, id, id === chosen, id === chosen)));
  for (const [name, key] of Object.entries(FORM_SETTINGS)) {
    const row = lib.SETTINGS.find((r) => r.key === key)!;
    const input = form.elements.namedItem(name) as HTMLInputElement;
    if (row.min !== undefined) input.min = String(row.min);
    if (row.max !== undefined) input.max = String(row.max);
    input.title = row.help;
  }
}

/** Form fields checked by a row of the settings table (the rest are the page's own). */
const FORM_SETTINGS: Record<string, string> = { epsilon: 'epsilon', epochs: 'epochs', batchSize: 'batchSize', pgdSteps: 'evalPgdSteps' };

function readSettings(): Settings {
  const form = $<HTMLFormElement>('settings');
  const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;
  /** A field of the settings table, read and checked by its row. */
  const setting = (name: string) => {
    const row = lib.SETTINGS.find((r) => r.key === FORM_SETTINGS[name])!;
    const v = Number(value(name));
    const problem = lib.paramProblem(row as lib.ParamSpec, v);
    if (value(name).trim() === '' || problem) throw new Error(`${name} ${problem ?? 'is empty'}`);
    return v;
  };
  const int = (name: string, min: number, max: number) => {
    const v = Number(value(name));
    if (!Number.isInteger(v) || v < min || v > max) throw new Error(`${name} must be an integer in [${min}, ${max}], got ${value(name)}`);
    return v;
  };
  const trainer = value('trainer');
  if (!lib.trainerIds().includes(trainer)) throw new Error(`trainer must be one of ${lib.trainerIds().join(', ')}, got ${trainer}`);
  return {
    trainer,
    epsilon: setting('epsilon'),
    epochs: setting('epochs'),
    batchSize: setting('batchSize'),
    trainExamples: int('trainExamples', 16, 8000),
    evalExamples: int('evalExamples', 1, 2000),
    pgdSteps: setting('pgdSteps'),
    baseline: (form.elements.namedItem('baseline') as HTMLInputElement).checked,
  };
}

function liveSpecs(s: Settings): ChartSpec[] {
  const line = (id: string, title: string, yTitle: string, y: (p: Run['points'][number]) => number, percent: boolean): ChartSpec => ({
    id,
    title,
    kind: 'line',
    x: { title: 'epoch', integer: true },
    y: { title: yTitle, percent, ...(percent ? { min: 0, max: 1 } : {}) },
    series: pageState.runs.map((r) => ({ label: `${r.name} (${r.trainer})`, points: r.points.map((p) => ({ x: p.epoch + 1, y: y(p) })) })),
  });
  return [
    line('loss', 'Training loss per epoch', 'mean loss', (p) => p.record.meanLoss, false),
    line('clean-accuracy', `Clean accuracy per epoch (${s.evalExamples} test digits)`, 'accuracy', (p) => p.clean.accuracy, true),
    line('robust-accuracy', `Robust accuracy per epoch: PGD-${s.pgdSteps} at eps ${s.epsilon}`, 'accuracy', (p) => p.robust.accuracy, true),
    line('throughput', 'Training images per second per epoch', 'images/s', (p) => p.record.imagesPerSecond, false),
  ];
}

function drawLiveCharts(s: Settings, fresh: boolean): void {
  const container = $('live-charts');
  if (fresh) {
    container.replaceChildren();
    liveCharts.clear();
  }
  for (const spec of liveSpecs(s)) {
    const chart = liveCharts.get(spec.id);
    if (chart) updateChart(chart, spec);
    else liveCharts.set(spec.id, drawChart(container.appendChild(document.createElement('figure')).appendChild(document.createElement('canvas')), spec));
  }
  const table: ReportTable = {
    id: 'epochs',
    title: 'Per epoch',
    columns: ['model', 'epoch', 'steps', 'mean loss', 'images/s', 'clean accuracy', `PGD-${s.pgdSteps} accuracy`, 'seconds'],
    rows: pageState.runs.flatMap((r) =>
      r.points.map((p) => [`${r.name} (${r.trainer})`, String(p.epoch + 1), `${p.record.steps}${p.record.stopped ? ' (stopped)' : ''}`, p.record.meanLoss.toFixed(4), p.record.imagesPerSecond.toFixed(1), pct(p.clean.accuracy), pct(p.robust.accuracy), p.record.seconds.toFixed(1)]),
    ),
  };
  $('epoch-table').replaceChildren(tableElement(table));
}

function disposeRuns(): void {
  for (const r of pageState.runs) {
    r.model.dispose();
    r.optimizer.dispose();
  }
  pageState.runs = [];
}

export async function train(): Promise<void> {
  const s = readSettings();
  $('error').textContent = '';
  setButtons(true);
  setState('training');
  disposeRuns();
  pageState.data?.dataset.dispose();
  records.epochs = [];
  records.gallery = null;
  clearInPageTradeOff();
  pageState.data = lib.prepareJobData({ ...pageState.digits, source: 'embedded digits' }, undefined, { limitTrain: s.trainExamples, probeExamples: 0 });
  pageState.evalIndices = pageState.data.test.slice(0, s.evalExamples);
  pageState.settingsUsed = s;
  const make = (name: string, trainer: string, epsilon: number): Run => ({ name, trainer, epsilon, model: lib.seedCnn({ seed: 0 }), optimizer: lib.engineAdam(0.003), points: [] });
  if (s.baseline && s.trainer !== 'clean') pageState.runs.push(make('clean model', 'clean', 0));
  pageState.runs.push(make(s.trainer === 'clean' ? 'clean model' : 'adversarial model', s.trainer, s.epsilon));
  drawLiveCharts(s, true);
  controller = new AbortController();
  // Clean and PGD: the CLI's evaluation attacks at these settings.
  const attacks = lib.jobAttacks(pageAttackSettings(s), s.epsilon);
  const stepsPerEpoch = Math.floor(pageState.data.train.length / s.batchSize);
  if (stepsPerEpoch < 1) throw new Error(`batch size ${s.batchSize} is larger than the ${pageState.data.train.length} training examples`);
  const progress = $<HTMLProgressElement>('progress');
  const totalSteps = s.epochs * stepsPerEpoch * pageState.runs.length;
  let stepsBefore = 0;
  // One run per model, advanced an epoch at a time in turn.
  const epochs = pageState.runs.map((run) =>
    lib
      .trainingRun(run.model, run.optimizer, pageState.data!.dataset, pageState.data!.train, {
        trainer: run.trainer,
        epsilon: run.epsilon,
        epochs: s.epochs,
        batchSize: s.batchSize,
        learningRate: 0.003,
        schedule: 'cyclic',
        epsilonWarmupEpochs: s.epochs > 1 ? 1 : 0,
        seed: 0,
        progressEvery: 5,
        onProgress: (p) => {
          status(`epoch ${p.epoch + 1}/${s.epochs}, ${run.name} (${run.trainer}): step ${p.step}/${p.stepsPerEpoch}, loss ${p.meanLoss.toFixed(3)}, ${p.imagesPerSecond.toFixed(0)} images/s, eps ${p.epsilon.toFixed(3)}`);
          progress.value = (stepsBefore + p.step) / totalSteps;
        },
        beforeStep: () => (pause ? pause.promise.then(() => void stepsBegun++) : void stepsBegun++),
        signal: controller!.signal,
      })
      [Symbol.asyncIterator](),
  );
  training: for (let epoch = 0; epoch < s.epochs; epoch++) {
    for (const [k, run] of pageState.runs.entries()) {
      const next = await epochs[k].next();
      stepsBefore += stepsPerEpoch;
      if (next.done) break training;
      const record = next.value;
      status(`epoch ${epoch + 1}/${s.epochs}, ${run.name}: evaluating on ${pageState.evalIndices.length} test digits (clean, PGD-${s.pgdSteps})`);
      const evaluation = await lib.evaluateModel(run.model, pageState.data.dataset, pageState.evalIndices, attacks);
      run.points.push({ epoch, record, clean: evaluation[0], robust: evaluation[1] });
      records.epochs.push({ run: run.name, record, evaluation });
      drawLiveCharts(s, false);
      if (record.stopped) break training;
    }
  }
  await Promise.all(epochs.map((it) => it.return?.()));
  const stopped = controller.signal.aborted;
  controller = null;
  pause = null;
  $('pause').textContent = 'Pause';
  progress.value = 1;
  status(`${stopped ? 'stopped' : 'done'}: ${pageState.runs.map((r) => `${r.name} clean ${pct(r.points.at(-1)?.clean.accuracy)}, PGD-${s.pgdSteps} ${pct(r.points.at(-1)?.robust.accuracy)}`).join('; ')}`);
  setButtons(false);
  await renderGallery();
  setState(stopped ? 'stopped' : 'done');
}

/** Downloads the last model trained on the page as model.json + weights.bin (the CLI's format). */
export async function downloadModel(): Promise<void> {
  const run = pageState.runs.at(-1);
  if (!run) return;
  const files: [string, Uint8Array][] = [];
  await lib.saveClassifier(run.model, async (name, bytes) => void files.push([name, bytes]));
  for (const [name, bytes] of files) {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>]));
    link.download = name;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
  }
}

export function togglePause(): void {
  if (pause) {
    pause.resume();
    pause = null;
    $('pause').textContent = 'Pause';
    setState('training');
  } else {
    let resume = () => {};
    const promise = new Promise<void>((r) => (resume = r));
    pause = { promise, resume };
    $('pause').textContent = 'Resume';
    setState('paused');
    status(`${$('status').textContent} (paused)`);
  }
}

export function stop(): void {
  controller?.abort();
  if (pause) togglePause();
}
