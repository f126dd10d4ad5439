// The demo page end to end in headless Chromium: `tfjs-adversarial demo` serves it; on WebGPU it trains one
// short epoch of the embedded digits (a clean model and one of the default trainer, the trainer list from its table), and the live charts, the epoch table,
// the gallery and the trade-off view hold the numbers the library returned (the gallery's predictions are
// recomputed apart); pause holds training and stop ends it; a saved model and IDX files picked on the page
// give the accuracies of the CLI's eval. With WebGPU off the page says so and trains on the CPU backend.
// Screenshots go to test-results/.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type ElementHandle, type Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDemoServer } from './demo_server';
import * as lib from '../../dist/index.js';
import { CHROMIUM_ARGS, findChromium } from '../../tools/chromium_page';

const SCREENSHOTS = 'test-results';

type DemoWindow = Window & { demo: any };

let server: ChildProcess;
let url: string;
const dir = mkdtempSync(join(tmpdir(), 'tfjs-adv-demo-'));

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  ({ server, url } = await startDemoServer());
});

afterAll(() => {
  server?.kill();
  rmSync(dir, { recursive: true, force: true });
});

async function openDemo(webgpu: boolean): Promise<{ browser: Browser; page: Page; errors: string[] }> {
  const args = webgpu ? CHROMIUM_ARGS : CHROMIUM_ARGS.filter((a) => a !== '--enable-unsafe-webgpu');
  const browser = await puppeteer.launch({ executablePath: findChromium(puppeteer), headless: true, args, protocolTimeout: 900_000 });
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1000 });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(url);
  await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state ?? ''), { timeout: 120_000 });
  expect(await page.$eval('#error', (e) => e.textContent)).toBe('');
  return { browser, page, errors };
}

async function setField(page: Page, name: string, value: string): Promise<void> {
  await page.evaluate((n, v) => {
    ((document.getElementById('settings') as HTMLFormElement).elements.namedItem(n) as HTMLInputElement).value = v;
  }, name, value);
}

async function waitForState(page: Page, states: string[], timeout = 600_000): Promise<string> {
  await page.waitForFunction((s) => s.includes(document.body.dataset.state ?? ''), { timeout, polling: 250 }, states);
  return page.evaluate(() => document.body.dataset.state ?? '');
}

/** The live charts, the epoch table and the records agree: every charted number is one the library returned. */
async function expectChartsHoldRecords(page: Page, runs: string[]): Promise<void> {
  const { charts, records, tableRows } = await page.evaluate(() => ({
    charts: (window as unknown as DemoWindow).demo.chartValues('live-charts'),
    records: (window as unknown as DemoWindow).demo.records.epochs,
    tableRows: Array.from(document.querySelectorAll('#epoch-table tbody tr')).map((tr) => Array.from(tr.children).map((td) => td.textContent)),
  }));
  expect(charts.map((c: { id: string }) => c.id)).toEqual(['loss', 'clean-accuracy', 'robust-accuracy', 'throughput']);
  const pick: Record<string, (r: any) => number> = {
    loss: (r) => r.record.meanLoss,
    'clean-accuracy': (r) => r.evaluation[0].accuracy,
    'robust-accuracy': (r) => r.evaluation[1].accuracy,
    throughput: (r) => r.record.imagesPerSecond,
  };
  for (const chart of charts) {
    expect(chart.series.map((s: { label: string }) => s.label.split(' (')[0]), chart.id).toEqual(runs);
    chart.series.forEach((series: { points: { x: number; y: number }[] }, k: number) => {
      const mine = records.filter((r: { run: string }) => r.run === runs[k]);
      expect(series.points.map((p) => p.x)).toEqual(mine.map((r: any) => r.record.epoch + 1));
      series.points.forEach((p, i) => expect(p.y, `${chart.id} ${runs[k]} epoch ${i + 1}`).toBeCloseTo(pick[chart.id](mine[i]), 9));
    });
  }
  expect(tableRows.map((row: string[]) => [row[5], row[6]])).toEqual(
    runs.flatMap((run) => records.filter((r: { run: string }) => r.run === run).map((r: any) => [`${(100 * r.evaluation[0].accuracy).toFixed(1)}%`, `${(100 * r.evaluation[1].accuracy).toFixed(1)}%`])),
  );
}

/** The gallery's cells show the records' predictions, and the predictions recomputed apart (FGSM) match them. */
async function expectGalleryHoldsRecords(page: Page): Promise<void> {
  const { record, cells, recomputed } = await page.evaluate(async () => {
    const demo = (window as unknown as DemoWindow).demo;
    const record = demo.records.gallery;
    const cells = Array.from(document.querySelectorAll('#gallery tbody tr')).map((tr) =>
      Array.from(tr.querySelectorAll('.pred')).map((e) => ({ model: (e.parentElement as HTMLElement).dataset.model, role: (e as HTMLElement).dataset.role, prediction: Number((e as HTMLElement).dataset.prediction), text: e.textContent })),
    );
    // Recomputed apart from the gallery's code: the same digits, the library's FGSM, tfjs's argmax.
    const { tf, lib } = demo;
    const indices = tf.tensor1d(record.indices, 'int32');
    const batch = lib.gatherBatch(demo.data().dataset, indices);
    const recomputed = [];
    for (const run of demo.runs()) {
      const adversarial = lib.fgsmAttack(run.model, batch.x, batch.onehot, { epsilon: record.epsilon });
      const predictions = tf.tidy(() => [tf.argMax(run.model.forward(batch.x), 1), tf.argMax(run.model.forward(adversarial), 1)]);
      recomputed.push({ clean: Array.from(await predictions[0].data()), adversarial: Array.from(await predictions[1].data()) });
      tf.dispose([adversarial, ...predictions]);
    }
    tf.dispose([indices, batch.x, batch.labels, batch.onehot]);
    return { record, cells, recomputed };
  });
  expect(record.attack).toBe('fgsm');
  expect(record.labels).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  expect(cells).toHaveLength(10);
  record.models.forEach((m: any, k: number) => {
    expect(m.clean.map((p: any) => p.prediction)).toEqual(recomputed[k].clean);
    expect(m.adversarial.map((p: any) => p.prediction)).toEqual(recomputed[k].adversarial);
    cells.forEach((row: any[], i: number) => {
      const mine = row.filter((c) => c.model === m.name);
      expect(mine.map((c) => c.role)).toEqual(['clean-prediction', 'adversarial-prediction']);
      expect(mine[0].text).toBe(`${m.clean[i].prediction} (${(100 * m.clean[i].confidence).toFixed(1)}%)`);
      expect(mine[1].text).toBe(`${m.adversarial[i].prediction} (${(100 * m.adversarial[i].confidence).toFixed(1)}%)`);
    });
  });
}

/** Opens error scopes on the page's WebGPU device; the returned function pops them and lists any error. */
async function gpuErrorScope(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const device = (window as unknown as DemoWindow).demo.tf.backend().device as GPUDevice;
    device.pushErrorScope('validation');
    device.pushErrorScope('out-of-memory');
    (window as unknown as { uncaptured: string[] }).uncaptured = [];
    device.addEventListener('uncapturederror', (e) => (window as unknown as { uncaptured: string[] }).uncaptured.push((e as GPUUncapturedErrorEvent).error.message));
  });
  return () =>
    page.evaluate(async () => {
      const device = (window as unknown as DemoWindow).demo.tf.backend().device as GPUDevice;
      const errors = [await device.popErrorScope(), await device.popErrorScope()].filter((e) => e !== null).map((e) => e!.message);
      return [...errors, ...(window as unknown as { uncaptured: string[] }).uncaptured];
    });
}

describe('demo page on WebGPU', () => {
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let popScope: () => Promise<string[]>;
  beforeAll(async () => {
    ({ browser, page, errors } = await openDemo(true));
    popScope = await gpuErrorScope(page);
  });
  afterAll(async () => {
    await browser?.close();
  });

  test('one short epoch of the embedded digits: the charts, the table and the gallery hold the library numbers', async () => {
    expect(await page.$eval('#backend', (e) => (e as HTMLElement).dataset.backend)).toBe('webgpu');
    expect(await page.$eval('#backend', (e) => e.textContent)).toMatch(/^WebGPU: .*\((software|hardware)\)\. tfjs [\d.]+, backend webgpu\./);
    // The trainer choices come from the trainer table, the default from the settings table.
    const trainerSelect = await page.$eval('select[name=trainer]', (e) => ({ options: Array.from((e as HTMLSelectElement).options, (o) => o.value), value: (e as HTMLSelectElement).value }));
    expect(trainerSelect).toEqual({ options: lib.trainerIds(), value: lib.DEFAULT_TRAIN_SETTINGS.trainer });
    await setField(page, 'epochs', '1');
    await setField(page, 'trainExamples', '512');
    await setField(page, 'evalExamples', '100');
    await page.click('#start');
    expect(await waitForState(page, ['done', 'stopped', 'error'])).toBe('done');
    const records = await page.evaluate(() => (window as unknown as DemoWindow).demo.records.epochs);
    expect(records.map((r: { run: string }) => r.run)).toEqual(['clean model', 'adversarial model']);
    for (const r of records) {
      expect(r.record.steps).toBe(8); // 512 / 64
      expect(r.evaluation.map((e: { examples: number }) => e.examples)).toEqual([100, 100]);
    }
    await expectChartsHoldRecords(page, ['clean model', 'adversarial model']);
    await expectGalleryHoldsRecords(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'demo-webgpu-trained.png'), fullPage: true });
  });

  test('the gallery follows the eps slider: at eps 0 every adversarial prediction is the clean one', async () => {
    await page.evaluate(() => {
      const slider = document.getElementById('gallery-eps') as HTMLInputElement;
      slider.value = '0';
      slider.dispatchEvent(new Event('input'));
    });
    await page.waitForFunction(() => document.getElementById('gallery')!.dataset.epsilon === '0', { timeout: 60_000 });
    const record = await page.evaluate(() => (window as unknown as DemoWindow).demo.records.gallery);
    for (const m of record.models) expect(m.adversarial.map((p: any) => p.prediction)).toEqual(m.clean.map((p: any) => p.prediction));
    await page.evaluate(() => {
      const slider = document.getElementById('gallery-eps') as HTMLInputElement;
      slider.value = '0.2';
      slider.dispatchEvent(new Event('input'));
    });
    await page.waitForFunction(() => document.getElementById('gallery')!.dataset.epsilon === '0.2', { timeout: 60_000 });
    await expectGalleryHoldsRecords(page);
    // PGD-10 instead of FGSM: the cells show the new records; then back to FGSM for the tests that follow.
    await page.select('#gallery-attack', 'pgd');
    await page.waitForFunction(() => document.getElementById('gallery')!.dataset.attack === 'pgd', { timeout: 60_000 });
    const { record: pgdRecord, shown } = await page.evaluate(() => ({
      record: (window as unknown as DemoWindow).demo.records.gallery,
      shown: Array.from(document.querySelectorAll('#gallery .pred[data-role="adversarial-prediction"]')).map((e) => Number((e as HTMLElement).dataset.prediction)),
    }));
    expect(pgdRecord.attack).toBe('pgd');
    // Row by row, model by model, as the table lays them out.
    expect(shown).toEqual(pgdRecord.labels.flatMap((_: number, i: number) => pgdRecord.models.map((m: any) => m.adversarial[i].prediction)));
    await page.select('#gallery-attack', 'fgsm');
    await page.waitForFunction(() => document.getElementById('gallery')!.dataset.attack === 'fgsm', { timeout: 60_000 });
  });

  test('Download the model gives model.json + weights.bin that, picked again, evaluate to the training run\'s own accuracies', async () => {
    const downloads = join(dir, 'downloads');
    mkdirSync(downloads, { recursive: true });
    const cdp = await page.createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
    await page.click('#download');
    const files = ['model.json', 'weights.bin'].map((f) => join(downloads, f));
    for (let i = 0; i < 100 && !files.every((f) => existsSync(f)); i++) await new Promise((r) => setTimeout(r, 100));
    expect(files.map((f) => existsSync(f))).toEqual([true, true]);
    await ((await page.$('#model-files')) as ElementHandle<HTMLInputElement>).uploadFile(...files);
    await page.$eval('#load-eps', (e) => ((e as HTMLInputElement).value = '0.1'));
    await page.$eval('#load-pgd-steps', (e) => ((e as HTMLInputElement).value = '10'));
    await page.$eval('#load-examples', (e) => ((e as HTMLInputElement).value = '100'));
    await page.$eval('#load-audit-points', (e) => ((e as HTMLInputElement).value = '10'));
    await page.click('#load-run');
    await page.waitForFunction(() => (window as unknown as DemoWindow).demo.records.loaded !== null || document.body.dataset.state === 'error', { timeout: 300_000, polling: 250 });
    // The audit ran on the page, one row per check, and its table is shown.
    const auditRows = await page.$$eval('#load-audit table tbody tr', (rows) => rows.length);
    expect(auditRows).toBe(lib.AUDIT_CHECKS.length);
    const { loaded, trained } = await page.evaluate(() => ({ loaded: (window as unknown as DemoWindow).demo.records.loaded, trained: (window as unknown as DemoWindow).demo.records.epochs.at(-1) }));
    // The same 100 test digits, the same kernels, the same PGD seed: the same correct counts.
    expect(loaded.examples).toBe(100);
    expect([loaded.results[0].correct, loaded.results[2].correct]).toEqual([trained.evaluation[0].correct, trained.evaluation[1].correct]);
    expect(loaded.audit.points).toBe(10);
    expect(loaded.audit.checks.map((c: { id: string }) => c.id)).toEqual(lib.AUDIT_CHECKS.map((c) => c.id));
  }, 400_000);

  test('the trade-off view charts and tabulates the accuracies the library returned', async () => {
    await page.$eval('#tradeoff-eps', (e) => ((e as HTMLInputElement).value = '0.1,0.2'));
    await page.click('#tradeoff-run');
    await page.waitForFunction(() => (window as unknown as DemoWindow).demo.records.tradeOff !== null, { timeout: 300_000, polling: 250 });
    const { charts, record, rows } = await page.evaluate(() => ({
      charts: (window as unknown as DemoWindow).demo.chartValues('tradeoff-charts'),
      record: (window as unknown as DemoWindow).demo.records.tradeOff,
      rows: Array.from(document.querySelectorAll('#tradeoff-tables section[data-table-id="sweep"] tbody tr')).map((tr) => Array.from(tr.children).map((td) => td.textContent)),
    }));
    expect(charts.map((c: { id: string }) => c.id)).toEqual(['pgd-10-vs-eps', 'fgsm-vs-eps', 'trade-off']);
    expect(record.rows.map((r: { train_epsilon: number }) => r.train_epsilon)).toEqual([0, 0.1]);
    record.rows.forEach((row: any, k: number) => {
      expect(charts[0].series[k].points).toEqual([{ x: 0, y: expect.closeTo(row.clean_accuracy, 9) }, ...[0.1, 0.2].map((e) => ({ x: e, y: expect.closeTo(row.accuracy['PGD-10'][String(e)], 9) }))]);
      expect(charts[1].series[k].points.map((p: { y: number }) => p.y)).toEqual([row.clean_accuracy, row.accuracy.FGSM['0.1'], row.accuracy.FGSM['0.2']].map((v) => expect.closeTo(v, 9)));
      expect(rows[k][2]).toBe(`${(100 * row.clean_accuracy).toFixed(1)}%`);
    });
    const [cost] = record.trade_off;
    expect(cost.clean_accuracy_cost).toBeCloseTo(record.rows[0].clean_accuracy - record.rows[1].clean_accuracy, 12);
    expect(charts[2].series[0].points[0].x).toBeCloseTo(100 * cost.clean_accuracy_cost, 9);
    expect(charts[2].series[0].points[0].y).toBeCloseTo(100 * cost.robust_accuracy_gain, 9);
    await page.screenshot({ path: join(SCREENSHOTS, 'demo-webgpu-tradeoff.png'), fullPage: true });
  });

  test('pause holds training between steps; stop ends it and records the partial epoch', async () => {
    await setField(page, 'epochs', '3');
    await setField(page, 'trainExamples', '2048'); // 32 steps an epoch: stop lands inside one
    await page.$eval('input[name=baseline]', (e) => ((e as HTMLInputElement).checked = false));
    const steps = () => page.evaluate(() => (window as unknown as DemoWindow).demo.stepsBegun() as number);
    const first = await steps();
    await page.click('#start');
    await page.waitForFunction((n) => (window as unknown as DemoWindow).demo.stepsBegun() >= n + 2, { timeout: 120_000, polling: 20 }, first);
    await page.click('#pause');
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('paused');
    await new Promise((r) => setTimeout(r, 1000)); // the step under way finishes
    const held = await steps();
    await new Promise((r) => setTimeout(r, 2000));
    expect(await steps()).toBe(held);
    await page.click('#pause'); // resume
    await page.waitForFunction((n) => (window as unknown as DemoWindow).demo.stepsBegun() > n, { timeout: 60_000, polling: 20 }, held);
    await page.click('#stop');
    expect(await waitForState(page, ['done', 'stopped', 'error'])).toBe('stopped');
    const records = await page.evaluate(() => (window as unknown as DemoWindow).demo.records.epochs);
    expect(records.length).toBeGreaterThanOrEqual(1);
    expect(records.length).toBeLessThan(3);
    expect(records.at(-1).record.stopped).toBe(true);
    expect(records.at(-1).record.steps).toBeLessThan(32);
    // The new run replaced the models the trade-off view showed: it is cleared, not left stale.
    expect(await page.evaluate(() => (window as unknown as DemoWindow).demo.records.tradeOff)).toBeNull();
    expect(await page.$$eval('#tradeoff-charts canvas', (c) => c.length)).toBe(0);
    await expectChartsHoldRecords(page, ['adversarial model']);
  });

  test('a CLI sweep.json picked on the page fills the trade-off view with its numbers', async () => {
    const sweep = {
      schema: 'tfjs-adversarial/report@1',
      command: 'sweep',
      settings: { evalPgdSteps: 20 },
      data: { test_examples: 1996 },
      runtime: { name: 'node' },
      eval_epsilons: [0.1, 0.2],
      rows: [
        { train_epsilon: 0, trainer: 'clean', clean_accuracy: 0.976, fgsm_accuracy: { '0.1': 0.677, '0.2': 0.2 }, pgd_accuracy: { '0.1': 0.338, '0.2': 0.01 } },
        { train_epsilon: 0.1, trainer: 'fgsm-rs', clean_accuracy: 0.976, fgsm_accuracy: { '0.1': 0.918, '0.2': 0.6 }, pgd_accuracy: { '0.1': 0.891, '0.2': 0.3 } },
      ],
      trade_off: [{ train_epsilon: 0.1, clean_accuracy_cost: 0, pgd_accuracy_gain: 0.553 }],
    };
    writeFileSync(join(dir, 'sweep.json'), JSON.stringify(sweep));
    await ((await page.$('#sweep-file')) as ElementHandle<HTMLInputElement>).uploadFile(join(dir, 'sweep.json'));
    await page.waitForFunction(() => ((window as unknown as DemoWindow).demo.records.tradeOff?.source ?? '').startsWith('sweep.json'), { timeout: 30_000 });
    const charts = await page.evaluate(() => (window as unknown as DemoWindow).demo.chartValues('tradeoff-charts'));
    // A sweep.json of the FGSM-and-PGD format before attack lists: read as its FGSM and PGD-20 columns.
    expect(charts.map((c: { id: string }) => c.id)).toEqual(['pgd-20-vs-eps', 'fgsm-vs-eps', 'trade-off']);
    expect(charts[0].series[1].points.map((p: { y: number }) => p.y)).toEqual([0.976, 0.891, 0.3].map((v) => expect.closeTo(v, 9)));
    expect(charts[2].series[0].points[0].y).toBeCloseTo(55.3, 9);
    expect(await page.$eval('#tradeoff-status', (e) => e.textContent)).toBe('sweep.json: 2 models, 1996 test examples, node');
  });

  test('a saved model and IDX files picked on the page: the accuracies of the CLI eval of the same files', async () => {
    // A model trained by the CLI, and 100 embedded digits written as IDX files.
    const cli = (args: string[]) => spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8', timeout: 300_000 });
    const trained = cli(['train', '--epochs', '1', '--limit-train', '600', '--limit-test', '50', '--probe-examples', '0', '--pgd-steps', '2', '--audit', 'off', '--out', join(dir, 'train')]);
    expect(trained.status, trained.stderr).toBe(0);
    const digits = await lib.loadIdxImageSet(join('dist', 'data', 'digits-images-idx3-ubyte.gz'), join('dist', 'data', 'digits-labels-idx1-ubyte.gz'));
    const n = 100;
    const pick = Array.from({ length: n }, (_, i) => i * 97); // across the classes
    writeFileSync(join(dir, 'images-idx3-ubyte'), lib.writeIdx([n, 28, 28], Uint8Array.from(pick.flatMap((i) => Array.from(digits.images.subarray(i * 784, (i + 1) * 784))))));
    writeFileSync(join(dir, 'labels-idx1-ubyte'), lib.writeIdx([n], Uint8Array.from(pick.map((i) => digits.labels[i]))));
    const evaluated = cli(['eval', '--model', join(dir, 'train', 'model', 'model.json'), '--test-images', join(dir, 'images-idx3-ubyte'), '--test-labels', join(dir, 'labels-idx1-ubyte'), '--pgd-steps', '3', '--audit', 'off', '--out', join(dir, 'eval')]);
    expect(evaluated.status, evaluated.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'eval', 'report.json'), 'utf8'));

    await ((await page.$('#model-files')) as ElementHandle<HTMLInputElement>).uploadFile(join(dir, 'train', 'model', 'model.json'), join(dir, 'train', 'model', 'weights.bin'));
    await ((await page.$('#idx-images')) as ElementHandle<HTMLInputElement>).uploadFile(join(dir, 'images-idx3-ubyte'));
    await ((await page.$('#idx-labels')) as ElementHandle<HTMLInputElement>).uploadFile(join(dir, 'labels-idx1-ubyte'));
    await page.$eval('#load-pgd-steps', (e) => ((e as HTMLInputElement).value = '3'));
    await page.$eval('#load-audit-points', (e) => ((e as HTMLInputElement).value = '0'));
    await page.evaluate(() => ((window as unknown as DemoWindow).demo.records.loaded = null));
    await page.click('#load-run');
    await page.waitForFunction(() => (window as unknown as DemoWindow).demo.records.loaded !== null || document.body.dataset.state === 'error', { timeout: 300_000, polling: 250 });
    expect(await page.$eval('#load-status', (e) => e.className)).not.toBe('error');
    const loaded = await page.evaluate(() => (window as unknown as DemoWindow).demo.records.loaded);
    expect(loaded.examples).toBe(n);
    // Chromium's and Dawn's WebGPU round alike here: the same correct counts.
    expect(loaded.results.map((r: { correct: number }) => r.correct)).toEqual(report.evaluation.map((e: { correct: number }) => e.correct));
    const chart = await page.evaluate(() => (window as unknown as DemoWindow).demo.chartValues('load-charts'));
    expect(chart[0].series[0].points.map((p: { y: number }) => p.y)).toEqual(loaded.results.map((r: { accuracy: number }) => expect.closeTo(r.accuracy, 9)));
    await page.screenshot({ path: join(SCREENSHOTS, 'demo-webgpu-loaded-model.png'), fullPage: true });
  }, 400_000);

  test('no GPU errors, no page errors, no tensors left over after the gallery re-renders', async () => {
    const before = await page.evaluate(() => (window as unknown as DemoWindow).demo.tf.memory().numTensors);
    await page.evaluate(() => (window as unknown as DemoWindow).demo.renderGallery());
    expect(await page.evaluate(() => (window as unknown as DemoWindow).demo.tf.memory().numTensors)).toBe(before);
    expect(await popScope()).toEqual([]);
    expect(errors).toEqual([]);
  });
});

describe('demo page with WebGPU off', () => {
  test('says so, falls back to the CPU backend and still trains; the charts and the gallery hold the numbers', async () => {
    const { browser, page, errors } = await openDemo(false);
    try {
      expect(await page.evaluate(() => (navigator as Navigator & { gpu?: unknown }).gpu === undefined || (window as unknown as DemoWindow).demo.backend().kind === 'cpu')).toBe(true);
      expect(await page.$eval('#backend', (e) => (e as HTMLElement).dataset.backend)).toBe('cpu');
      expect(await page.$eval('#backend', (e) => e.textContent)).toMatch(/WebGPU is not available in this browser .*CPU backend/);
      expect(await page.evaluate(() => (window as unknown as DemoWindow).demo.tf.getBackend())).toBe('cpu');
      await setField(page, 'trainExamples', '128');
      await setField(page, 'evalExamples', '32');
      await page.click('#start');
      expect(await waitForState(page, ['done', 'stopped', 'error'])).toBe('done');
      await expectChartsHoldRecords(page, ['clean model', 'adversarial model']);
      await expectGalleryHoldsRecords(page);
      await page.screenshot({ path: join(SCREENSHOTS, 'demo-cpu-fallback.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
