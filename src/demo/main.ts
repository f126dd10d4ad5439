// The demo page's script: WebGPU (or tfjs's CPU backend when the browser has none), the embedded digits,
// live training of the chosen trainer beside a clean model with per-epoch charts, the adversarial-example
// gallery, the trade-off view, and evaluation of a saved model on IDX files. Every number it shows is kept
// as the library returned it in `window.demo.records`, for the page test to compare with the charts.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as lib from '../index';
import type { Classifier } from '../models/seed_cnn';
import type { EpochRecord, EvaluationAttack, EvaluationResult, TrainerKind } from '../train/trainer';
import type { PreparedData } from '../job/data';
import { toReportEvaluation } from '../job/train_job';
import type { SweepReport } from '../job/eval_job';
import { tableElement } from '../report/dom';
import { chartValues, drawChart, updateChart, Chart } from '../report/render';
import { accuracyBars, adapterLine, pct, tradeOffView, type ChartSpec, type ReportTable, type TradeOffData } from '../report/specs';

interface Settings {
  trainer: TrainerKind;
  epsilon: number;
  epochs: number;
  batchSize: number;
  trainExamples: number;
  evalExamples: number;
  pgdSteps: number;
  baseline: boolean;
}

/** One model being trained, and its per-epoch points (as the library returned them). */
interface Run {
  name: string;
  trainer: TrainerKind;
  epsilon: number;
  model: Classifier;
  optimizer: tf.Optimizer;
  points: { epoch: number; record: EpochRecord; clean: EvaluationResult; robust: EvaluationResult }[];
}

interface GalleryRecord {
  attack: 'fgsm' | 'pgd';
  epsilon: number;
  indices: number[];
  labels: number[];
  models: { name: string; clean: { prediction: number; confidence: number }[]; adversarial: { prediction: number; confidence: number }[] }[];
}

const records = {
  epochs: [] as { run: string; record: EpochRecord; evaluation: EvaluationResult[] }[],
  gallery: null as GalleryRecord | null,
  tradeOff: null as (TradeOffData & { source: string }) | null,
  loaded: null as { model: string; examples: number; results: EvaluationResult[] } | null,
};

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const setState = (state: string) => (document.body.dataset.state = state);
const status = (text: string) => ($('status').textContent = text);

let backend: { kind: 'webgpu' | 'cpu'; text: string; software: boolean | null; reason?: string };
let digits: lib.IdxImageSet;
let data: PreparedData | null = null;
/** The test examples the per-epoch and trade-off evaluations use: the first of the test part. */
let evalIndices: number[] = [];
let runs: Run[] = [];
let settingsUsed: Settings | null = null;
let controller: AbortController | null = null;
let pause: { promise: Promise<void>; resume: () => void } | null = null;
/** Training steps begun since the page opened (a paused page begins none). */
let stepsBegun = 0;
const liveCharts = new Map<string, Chart>();
const IN_PAGE_TRADE_OFF = 'the models trained on this page';

/** WebGPU when the browser gives an adapter (and the URL does not say ?backend=cpu), else tfjs's CPU backend. */
async function startBackend(): Promise<typeof backend> {
  let reason: string;
  if (new URLSearchParams(location.search).get('backend') === 'cpu') reason = 'turned off by ?backend=cpu';
  else {
    try {
      const { adapter } = await lib.initWebGPU();
      return { kind: 'webgpu', text: `WebGPU: ${adapterLine(adapter)}`, software: adapter.software };
    } catch (err) {
      // The first sentence (the library's message goes on with install hints for Node as well).
      reason = (err as Error).message.replace(/^initWebGPU: /, '').split('. ')[0];
    }
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return {
    kind: 'cpu',
    software: null,
    reason,
    text: `WebGPU is not available in this browser (${reason}). Training runs on tfjs's CPU backend instead: the same library, much slower, so the settings start small. Chrome, Edge and Safari 26 have WebGPU; on Linux, Chrome needs --enable-unsafe-webgpu.`,
  };
}

/** The page's evaluation PGD: its step count, one restart, attack seed 0 (the CLI's defaults otherwise). */
const pageAttackSettings = (s: Settings) => ({ evalPgdSteps: s.pgdSteps, evalPgdRestarts: 1, attackSeed: 0 });

function readSettings(): Settings {
  const form = $<HTMLFormElement>('settings');
  const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;
  const int = (name: string, min: number, max: number) => {
    const v = Number(value(name));
    if (!Number.isInteger(v) || v < min || v > max) throw new Error(`${name} must be an integer in [${min}, ${max}], got ${value(name)}`);
    return v;
  };
  const epsilon = Number(value('epsilon'));
  if (!(epsilon >= 0 && epsilon <= 1)) throw new Error(`eps must be a number in [0, 1], got ${value('epsilon')}`);
  return {
    trainer: value('trainer') as TrainerKind,
    epsilon,
    epochs: int('epochs', 1, 100),
    batchSize: int('batchSize', 1, 1024),
    trainExamples: int('trainExamples', 16, 8000),
    evalExamples: int('evalExamples', 1, 2000),
    pgdSteps: int('pgdSteps', 1, 100),
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
    series: runs.map((r) => ({ label: `${r.name} (${r.trainer})`, points: r.points.map((p) => ({ x: p.epoch + 1, y: y(p) })) })),
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
    rows: runs.flatMap((r) =>
      r.points.map((p) => [`${r.name} (${r.trainer})`, String(p.epoch + 1), `${p.record.steps}${p.record.stopped ? ' (stopped)' : ''}`, p.record.meanLoss.toFixed(4), p.record.imagesPerSecond.toFixed(1), pct(p.clean.accuracy), pct(p.robust.accuracy), p.record.seconds.toFixed(1)]),
    ),
  };
  $('epoch-table').replaceChildren(tableElement(table));
}

function disposeRuns(): void {
  for (const r of runs) {
    tf.dispose(r.model.variables);
    r.optimizer.dispose();
  }
  runs = [];
}

function setButtons(training: boolean): void {
  $<HTMLButtonElement>('start').disabled = training;
  $<HTMLButtonElement>('pause').disabled = !training;
  $<HTMLButtonElement>('stop').disabled = !training;
  $<HTMLButtonElement>('tradeoff-run').disabled = training || runs.length === 0;
  $<HTMLButtonElement>('load-run').disabled = training;
  $<HTMLButtonElement>('download').disabled = training || runs.length === 0;
}

async function train(): Promise<void> {
  const s = readSettings();
  $('error').textContent = '';
  setButtons(true);
  setState('training');
  disposeRuns();
  data?.dataset.dispose();
  records.epochs = [];
  records.gallery = null;
  if (records.tradeOff?.source.startsWith(IN_PAGE_TRADE_OFF)) {
    // The trade-off of the models this run replaces.
    $('tradeoff-charts').replaceChildren();
    $('tradeoff-tables').replaceChildren();
    $('tradeoff-status').textContent = '';
    records.tradeOff = null;
  }
  data = lib.prepareJobData({ ...digits, source: 'embedded digits' }, undefined, { limitTrain: s.trainExamples, probeExamples: 0 });
  evalIndices = data.test.slice(0, s.evalExamples);
  settingsUsed = s;
  const make = (name: string, trainer: TrainerKind, epsilon: number): Run => ({ name, trainer, epsilon, model: lib.seedCnn({ seed: 0 }), optimizer: lib.engineAdam(0.003), points: [] });
  if (s.baseline && s.trainer !== 'clean') runs.push(make('clean model', 'clean', 0));
  runs.push(make(s.trainer === 'clean' ? 'clean model' : 'adversarial model', s.trainer, s.epsilon));
  drawLiveCharts(s, true);
  controller = new AbortController();
  // Clean and PGD: the CLI's evaluation attacks at these settings, without FGSM.
  const [cleanAttack, , pgdAttack] = lib.jobAttacks(pageAttackSettings(s), s.epsilon);
  const attacks = [cleanAttack, pgdAttack];
  const stepsPerEpoch = Math.floor(data.train.length / s.batchSize);
  if (stepsPerEpoch < 1) throw new Error(`batch size ${s.batchSize} is larger than the ${data.train.length} training examples`);
  const progress = $<HTMLProgressElement>('progress');
  const totalSteps = s.epochs * stepsPerEpoch * runs.length;
  let stepsBefore = 0;
  training: for (let epoch = 0; epoch < s.epochs; epoch++) {
    for (const run of runs) {
      const history = await lib.trainModel(run.model, run.optimizer, data.dataset, data.train, {
        trainer: run.trainer,
        epsilon: run.epsilon,
        epochs: s.epochs,
        startEpoch: epoch,
        batchSize: s.batchSize,
        learningRate: 0.003,
        schedule: 'cyclic',
        epsilonWarmupEpochs: s.epochs > 1 ? 1 : 0,
        seed: 0,
        progressEvery: 5,
        onProgress: (p) => {
          status(`epoch ${epoch + 1}/${s.epochs}, ${run.name} (${run.trainer}): step ${p.step}/${p.stepsPerEpoch}, loss ${p.meanLoss.toFixed(3)}, ${p.imagesPerSecond.toFixed(0)} images/s, eps ${p.epsilon.toFixed(3)}`);
          progress.value = (stepsBefore + p.step) / totalSteps;
        },
        beforeStep: () => (pause ? pause.promise.then(() => void stepsBegun++) : void stepsBegun++),
        signal: controller.signal,
        onEpochEnd: () => ({ stop: true }),
      });
      stepsBefore += stepsPerEpoch;
      if (history.length === 0) break training;
      const record = history[0];
      status(`epoch ${epoch + 1}/${s.epochs}, ${run.name}: evaluating on ${evalIndices.length} test digits (clean, PGD-${s.pgdSteps})`);
      const evaluation = await lib.evaluateModel(run.model, data.dataset, evalIndices, attacks);
      run.points.push({ epoch, record, clean: evaluation[0], robust: evaluation[1] });
      records.epochs.push({ run: run.name, record, evaluation });
      drawLiveCharts(s, false);
      if (record.stopped) break training;
    }
  }
  const stopped = controller.signal.aborted;
  controller = null;
  pause = null;
  $('pause').textContent = 'Pause';
  progress.value = 1;
  status(`${stopped ? 'stopped' : 'done'}: ${runs.map((r) => `${r.name} clean ${pct(r.points.at(-1)?.clean.accuracy)}, PGD-${s.pgdSteps} ${pct(r.points.at(-1)?.robust.accuracy)}`).join('; ')}`);
  setButtons(false);
  await renderGallery();
  setState(stopped ? 'stopped' : 'done');
}

/** Downloads the last model trained on the page as model.json + weights.bin (the CLI's format). */
async function downloadModel(): Promise<void> {
  const run = runs.at(-1);
  if (!run) return;
  const layers = lib.seedCnnToLayersModel(run.model);
  const files: [string, Uint8Array][] = [];
  try {
    await lib.saveLayersModelFiles(layers, async (name, bytes) => void files.push([name, bytes]));
  } finally {
    layers.dispose();
  }
  for (const [name, bytes] of files) {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>]));
    link.download = name;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
  }
}

function togglePause(): void {
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

function stop(): void {
  controller?.abort();
  if (pause) togglePause();
}

/** The first digit of each class in the test part, in class order. */
function galleryIndices(): number[] {
  const out: number[] = [];
  for (let label = 0; label < 10; label++) {
    const i = data!.test.find((t) => digits.labels[t] === label);
    if (i !== undefined) out.push(i);
  }
  return out;
}

/** A 28x28 grey image of `values` (in [0, 1]) on a canvas. */
function imageCanvas(values: Float32Array, offset: number, h: number, w: number, role: string): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  canvas.dataset.role = role;
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(w, h);
  for (let p = 0; p < h * w; p++) {
    const v = Math.round(255 * Math.min(1, Math.max(0, values[offset + p])));
    image.data.set([v, v, v, 255], 4 * p);
  }
  ctx.putImageData(image, 0, 0);
  return canvas;
}

function predictionElement(p: { prediction: number; confidence: number }, label: number, role: string): HTMLElement {
  const span = document.createElement('span');
  span.className = `pred${p.prediction === label ? '' : ' wrong'}`;
  span.dataset.role = role;
  span.dataset.prediction = String(p.prediction);
  span.dataset.confidence = String(p.confidence);
  span.textContent = `${p.prediction} (${(100 * p.confidence).toFixed(1)}%)`;
  return span;
}

let galleryBusy: Promise<void> | null = null;
let galleryAgain = false;

/** Renders the gallery at the slider's eps; a slider move during a render renders once more after it. */
async function renderGallery(): Promise<void> {
  if (galleryBusy) {
    galleryAgain = true;
    return galleryBusy;
  }
  galleryBusy = (async () => {
    do {
      galleryAgain = false;
      await renderGalleryOnce();
    } while (galleryAgain);
  })();
  try {
    await galleryBusy;
  } finally {
    galleryBusy = null;
  }
}

async function renderGalleryOnce(): Promise<void> {
  if (!data || runs.length === 0) return;
  const epsilon = Number($<HTMLInputElement>('gallery-eps').value);
  const attack = $<HTMLSelectElement>('gallery-attack').value as 'fgsm' | 'pgd';
  $('gallery-eps-value').textContent = epsilon.toFixed(2);
  const indices = galleryIndices();
  const [h, w] = data.imageShape;
  const pixels = h * w;
  const order = tf.tensor1d(indices, 'int32');
  const batch = lib.gatherBatch(data.dataset, order);
  order.dispose();
  const labels = Array.from(await batch.labels.data());
  const clean = (await batch.x.data()) as Float32Array;
  const perModel: { run: Run; adversarial: Float32Array; cleanProbs: Float32Array; adversarialProbs: Float32Array }[] = [];
  for (const run of runs) {
    const adversarial =
      attack === 'fgsm'
        ? lib.fgsmAttack(run.model, batch.x, batch.onehot, { epsilon })
        : lib.pgdAttack(run.model, batch.x, batch.onehot, { epsilon, steps: 10, stepSize: (2.5 * epsilon) / 10, seed: 0 });
    const [cleanProbs, adversarialProbs] = tf.tidy(() => [tf.softmax(run.model.forward(batch.x)), tf.softmax(run.model.forward(adversarial))]);
    perModel.push({ run, adversarial: (await adversarial.data()) as Float32Array, cleanProbs: (await cleanProbs.data()) as Float32Array, adversarialProbs: (await adversarialProbs.data()) as Float32Array });
    tf.dispose([adversarial, cleanProbs, adversarialProbs]);
  }
  tf.dispose([batch.x, batch.labels, batch.onehot]);
  const classes = data.numClasses;
  const top = (probs: Float32Array, row: number) => {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[row * classes + c] > probs[row * classes + best]) best = c;
    return { prediction: best, confidence: probs[row * classes + best] };
  };
  const record: GalleryRecord = {
    attack,
    epsilon,
    indices,
    labels,
    models: perModel.map((m) => ({ name: m.run.name, clean: indices.map((_, i) => top(m.cleanProbs, i)), adversarial: indices.map((_, i) => top(m.adversarialProbs, i)) })),
  };
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  head.appendChild(document.createElement('th')).textContent = 'digit';
  head.appendChild(document.createElement('th')).textContent = 'image';
  for (const m of perModel) {
    const th = head.appendChild(document.createElement('th'));
    th.colSpan = 4;
    th.textContent = `${m.run.name} (${m.run.trainer}${m.run.trainer === 'clean' ? '' : `, eps ${m.run.epsilon}`}): on the image | perturbation | adversarial | on it`;
  }
  const body = table.createTBody();
  indices.forEach((index, i) => {
    const tr = body.insertRow();
    tr.dataset.index = String(index);
    tr.dataset.label = String(labels[i]);
    tr.insertCell().textContent = String(labels[i]);
    tr.insertCell().appendChild(imageCanvas(clean, i * pixels, h, w, 'clean'));
    perModel.forEach((m, k) => {
      const perturbation = new Float32Array(pixels);
      for (let p = 0; p < pixels; p++) perturbation[p] = epsilon > 0 ? 0.5 + (m.adversarial[i * pixels + p] - clean[i * pixels + p]) / (2 * epsilon) : 0.5;
      const cells = [tr.insertCell(), tr.insertCell(), tr.insertCell(), tr.insertCell()];
      cells.forEach((c) => (c.dataset.model = m.run.name));
      cells[0].appendChild(predictionElement(record.models[k].clean[i], labels[i], 'clean-prediction'));
      cells[1].appendChild(imageCanvas(perturbation, 0, h, w, 'perturbation'));
      cells[2].appendChild(imageCanvas(m.adversarial, i * pixels, h, w, 'adversarial'));
      cells[3].appendChild(predictionElement(record.models[k].adversarial[i], labels[i], 'adversarial-prediction'));
    });
  });
  const summary = document.createElement('p');
  summary.textContent = perModel.map((m, k) => `${m.run.name}: ${record.models[k].adversarial.filter((p, i) => p.prediction === labels[i]).length}/${indices.length} right under ${attack === 'fgsm' ? 'FGSM' : 'PGD-10'} at eps ${epsilon.toFixed(2)}`).join('; ');
  $('gallery').replaceChildren(summary, table);
  $('gallery').dataset.epsilon = String(epsilon);
  $('gallery').dataset.attack = attack;
  records.gallery = record;
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
async function runTradeOff(): Promise<void> {
  if (!data || runs.length === 0 || !settingsUsed) return;
  const s = settingsUsed;
  setButtons(true);
  $<HTMLButtonElement>('pause').disabled = true;
  $<HTMLButtonElement>('stop').disabled = true;
  setState('evaluating');
  try {
    const evalEpsilons = parseEpsList($<HTMLInputElement>('tradeoff-eps').value);
    const rows: TradeOffData['rows'] = [];
    for (const run of runs) {
      $('tradeoff-status').textContent = `evaluating ${run.name} at eps ${evalEpsilons.join(', ')} on ${evalIndices.length} test digits...`;
      const attacks: EvaluationAttack[] = [{ kind: 'clean' }, ...evalEpsilons.flatMap((e) => lib.jobAttacks(pageAttackSettings(s), e).slice(1))];
      const results = await lib.evaluateModel(run.model, data.dataset, evalIndices, attacks);
      rows.push({
        train_epsilon: run.trainer === 'clean' ? 0 : run.epsilon,
        trainer: run.trainer,
        clean_accuracy: results[0].accuracy,
        fgsm_accuracy: Object.fromEntries(evalEpsilons.map((e, i) => [String(e), results[1 + 2 * i].accuracy])),
        pgd_accuracy: Object.fromEntries(evalEpsilons.map((e, i) => [String(e), results[2 + 2 * i].accuracy])),
      });
    }
    showTradeOff({ eval_epsilons: evalEpsilons, rows, trade_off: lib.sweepTradeOff(rows, evalEpsilons), pgdSteps: s.pgdSteps }, `${IN_PAGE_TRADE_OFF}, ${evalIndices.length} test digits, PGD-${s.pgdSteps}`);
    setState('done');
  } catch (err) {
    $('tradeoff-status').textContent = (err as Error).message;
    setState('error');
  } finally {
    setButtons(false);
  }
}

async function loadSweepFile(file: File): Promise<void> {
  try {
    const sweep = JSON.parse(await file.text()) as SweepReport;
    if (sweep.command !== 'sweep' || !Array.isArray(sweep.rows)) throw new Error(`${file.name} is not a sweep.json of the CLI (command: ${String(sweep.command)})`);
    showTradeOff({ ...sweep, pgdSteps: sweep.settings.evalPgdSteps }, `${file.name}: ${sweep.rows.length} models, ${sweep.data.test_examples} test examples, ${sweep.runtime.name}`);
  } catch (err) {
    $('tradeoff-status').textContent = (err as Error).message;
  }
}

/** Evaluates a model.json + weights picked by the user on IDX files (or the embedded test split). */
async function evaluateLoadedModel(): Promise<void> {
  const out = $('load-status');
  out.className = 'note';
  setState('evaluating');
  let layers: Awaited<ReturnType<typeof lib.loadLayersModelFiles>> | null = null;
  let loadedData: PreparedData | null = null;
  let model: Classifier | null = null;
  try {
    const files = Array.from($<HTMLInputElement>('model-files').files ?? []);
    const json = files.find((f) => f.name.endsWith('.json'));
    if (!json) throw new Error('pick the model.json and its weights file(s) together');
    const byName = new Map(files.map((f) => [f.name, f]));
    layers = await lib.loadLayersModelFiles(json.name, async (path) => {
      const name = path.split('/').pop()!;
      const file = byName.get(name);
      if (!file) throw new Error(`${name}: model.json names it, but it is not among the files picked`);
      return new Uint8Array(await file.arrayBuffer());
    });
    model = lib.classifierFromLayersModel(layers);
    const examples = Number($<HTMLInputElement>('load-examples').value);
    const epsilon = Number($<HTMLInputElement>('load-eps').value);
    const steps = Number($<HTMLInputElement>('load-pgd-steps').value);
    if (!(epsilon >= 0 && epsilon <= 1)) throw new Error(`eps must be in [0, 1], got ${epsilon}`);
    if (!Number.isInteger(steps) || steps < 1) throw new Error(`PGD steps must be an integer >= 1, got ${steps}`);
    if (!Number.isInteger(examples) || examples < 1) throw new Error(`examples must be an integer >= 1, got ${examples}`);
    const images = $<HTMLInputElement>('idx-images').files?.[0];
    const labels = $<HTMLInputElement>('idx-labels').files?.[0];
    let source: string;
    if (images || labels) {
      if (!images || !labels) throw new Error('pick both an images and a labels IDX file (or neither, for the embedded digits)');
      const [imagesUrl, labelsUrl] = [URL.createObjectURL(images), URL.createObjectURL(labels)];
      try {
        const set = await lib.loadIdxImageSet(imagesUrl, labelsUrl);
        source = `${images.name} + ${labels.name}`;
        loadedData = lib.prepareJobData({ ...set, source }, undefined, { allTest: true, limitTest: examples, numClasses: model.numClasses });
      } finally {
        URL.revokeObjectURL(imagesUrl);
        URL.revokeObjectURL(labelsUrl);
      }
    } else {
      source = 'embedded digits, test split';
      loadedData = lib.prepareJobData({ ...digits, source }, undefined, { limitTest: examples, probeExamples: 0, numClasses: model.numClasses });
    }
    out.textContent = `evaluating ${json.name} on ${loadedData.test.length} examples (${source})...`;
    const results = await lib.evaluateModel(model, loadedData.dataset, loadedData.test, lib.jobAttacks({ evalPgdSteps: steps, evalPgdRestarts: 1, attackSeed: 0 }, epsilon), {
      onProgress: (done, total) => (out.textContent = `evaluating ${json.name}: ${done}/${total}`),
    });
    const evaluation = results.map((r) => toReportEvaluation(r, 0));
    const charts = $('load-charts');
    charts.replaceChildren();
    drawChart(charts.appendChild(document.createElement('figure')).appendChild(document.createElement('canvas')), accuracyBars('loaded-accuracy', `${json.name}: accuracy under attack (${loadedData.test.length} examples)`, [{ label: json.name, evaluation }]));
    $('load-tables').replaceChildren(
      tableElement({
        id: 'loaded',
        title: `${json.name} (${model.architecture ?? 'tfjs LayersModel'}) on ${source}`,
        columns: ['attack', 'eps', 'accuracy', 'correct / examples'],
        rows: results.map((r) => [r.attack.kind === 'pgd' ? `PGD-${steps}` : r.attack.kind === 'fgsm' ? 'FGSM' : 'clean', r.attack.kind === 'clean' ? '-' : String(epsilon), pct(r.accuracy), `${r.correct} / ${r.examples}`]),
      }),
    );
    out.textContent = `${json.name}: clean ${pct(results[0].accuracy)}, FGSM ${pct(results[1].accuracy)}, PGD-${steps} ${pct(results[2].accuracy)} on ${loadedData.test.length} examples (${source})`;
    records.loaded = { model: json.name, examples: loadedData.test.length, results };
    setState('done');
  } catch (err) {
    out.textContent = (err as Error).message;
    out.className = 'error';
    setState('error');
  } finally {
    if (model?.architecture === 'seed-cnn') tf.dispose(model.variables);
    layers?.dispose();
    loadedData?.dataset.dispose();
  }
}

declare global {
  interface Window {
    demo: {
      lib: typeof lib;
      tf: typeof tf;
      records: typeof records;
      backend: () => typeof backend;
      runs: () => Run[];
      data: () => PreparedData | null;
      /** The values of the charts inside the element `containerId`. */
      chartValues: (containerId: string) => ReturnType<typeof chartValues>[];
      renderGallery: () => Promise<void>;
      stepsBegun: () => number;
    };
  }
}

function fail(err: unknown): void {
  $('error').textContent = `${(err as Error).message ?? String(err)}`;
  setState('error');
  setButtons(false);
  console.error(err);
}

async function main(): Promise<void> {
  backend = await startBackend();
  await lib.ensureGradients();
  const banner = $('backend');
  banner.textContent = `${backend.text}${backend.text.endsWith('.') ? '' : '.'} tfjs ${tf.version_core}, backend ${tf.getBackend()}.`;
  banner.dataset.backend = backend.kind;
  if (backend.kind === 'cpu') {
    banner.classList.add('fallback');
    const form = $<HTMLFormElement>('settings');
    const set = (name: string, v: string) => ((form.elements.namedItem(name) as HTMLInputElement).value = v);
    set('epochs', '1');
    set('trainExamples', '256');
    set('evalExamples', '64');
    set('pgdSteps', '5');
    $<HTMLInputElement>('load-examples').value = '100';
  }
  status('loading the embedded digits...');
  digits = await lib.loadIdxImageSet(new URL('data/digits-images-idx3-ubyte.gz', location.href), new URL('data/digits-labels-idx1-ubyte.gz', location.href));
  status(`${digits.count} embedded digits loaded; pick the settings and press Start`);
  $('start').addEventListener('click', () => train().catch(fail));
  $('pause').addEventListener('click', togglePause);
  $('stop').addEventListener('click', stop);
  $('gallery-eps').addEventListener('input', () => renderGallery().catch(fail));
  $('gallery-attack').addEventListener('change', () => renderGallery().catch(fail));
  $('tradeoff-run').addEventListener('click', () => runTradeOff().catch(fail));
  $('sweep-file').addEventListener('change', (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) void loadSweepFile(file);
  });
  $('load-run').addEventListener('click', () => evaluateLoadedModel().catch(fail));
  $('download').addEventListener('click', () => downloadModel().catch(fail));
  window.demo = {
    lib,
    tf,
    records,
    backend: () => backend,
    runs: () => runs,
    data: () => data,
    chartValues: (containerId) => Array.from($(containerId).querySelectorAll('canvas')).map((c) => chartValues(c as HTMLCanvasElement)).filter((v) => v !== null),
    renderGallery,
    stepsBegun: () => stepsBegun,
  };
  setState('ready');
}

main().catch(fail);
