// report.html and the PNG charts beside every CLI report: the main job's command (train, reduced), eval
// and sweep write them; each page opens from disk in headless Chromium with no request but its own file,
// draws every chart of its report with the report's numbers, and the PNGs are the charts at 2x.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { CHROMIUM_ARGS, findChromium } from '../../tools/chromium_page';

const dir = mkdtempSync(join(tmpdir(), 'tfjs-adv-report-'));
const cli = (args: string[]) => spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8', timeout: 600_000 });
let browser: Browser;

beforeAll(async () => {
  browser = await puppeteer.launch({ executablePath: findChromium(puppeteer), headless: true, args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface OpenedReport {
  requests: string[];
  charts: { id: string; series: { label: string; points: { x: number; y: number }[] }[] }[];
  inked: number[];
  tables: Record<string, string[][]>;
  text: string;
}

/** Opens a report.html from disk; lists every request the page made and what its charts hold. */
async function openReport(htmlPath: string): Promise<OpenedReport> {
  const page = await browser.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  try {
    await page.goto(pathToFileURL(htmlPath).href);
    await page.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
    const opened = await page.evaluate(() => ({
      charts: (window as unknown as { reportChartValues(): OpenedReport['charts'] }).reportChartValues(),
      // Pixels that are not white on each canvas: a drawn chart, not an empty box.
      inked: Array.from(document.querySelectorAll('canvas')).map((c) => {
        const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
        let n = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200) n++;
        return n;
      }),
      tables: Object.fromEntries(
        Array.from(document.querySelectorAll('section[data-table-id]')).map((s) => [(s as HTMLElement).dataset.tableId, Array.from(s.querySelectorAll('tbody tr')).map((tr) => Array.from(tr.children).map((td) => td.textContent ?? ''))]),
      ),
      text: document.body.innerText,
    }));
    expect(errors).toEqual([]);
    return { requests, ...opened };
  } finally {
    await page.close();
  }
}

/** Width and height of a PNG (its IHDR chunk), after checking the signature. */
function pngSize(path: string): { width: number; height: number } {
  const bytes = readFileSync(path);
  expect(Array.from(bytes.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

function expectPngs(out: string, ids: string[]): void {
  for (const id of ids) expect(pngSize(join(out, 'charts', `${id}.png`)), id).toEqual({ width: 1280, height: 720 });
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

describe('report.html beside the CLI reports', () => {
  test('train (the main job, reduced): report.html opens from disk with no request and shows every chart with the report numbers', async () => {
    const out = join(dir, 'train');
    const r = cli(['train', '--epochs', '2', '--limit-train', '700', '--limit-test', '100', '--probe-examples', '100', '--probe-steps', '2', '--pgd-steps', '2', '--audit-points', '10', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/wrote .*report\.html and 5 PNG charts/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    const html = join(out, 'report.html');
    const opened = await openReport(html);
    expect(opened.requests).toEqual([pathToFileURL(html).href]);
    const ids = ['loss', 'probe', 'alignment', 'throughput', 'accuracy'];
    expect(opened.charts.map((c) => c.id)).toEqual(ids);
    expect(lib.reportView(report).charts.map((c) => c.id)).toEqual(ids);
    opened.inked.forEach((n, i) => expect(n, ids[i]).toBeGreaterThan(2000));
    const [loss, probe, alignment, throughput, accuracy] = opened.charts;
    const close = (values: number[]) => values.map((v) => expect.closeTo(v, 9));
    expect(loss.series[0].points.map((p) => p.y)).toEqual(close(report.history.map((h: { mean_loss: number }) => h.mean_loss)));
    expect(loss.series[0].points.map((p) => p.x)).toEqual([1, 2]);
    expect(probe.series[0].points.map((p) => p.y)).toEqual(close(report.history.map((h: { probe_pgd_accuracy: number }) => h.probe_pgd_accuracy)));
    // The gradient-alignment diagnostic: a cosine per epoch, charted from history.
    for (const h of report.history) expect(Math.abs(h.grad_alignment)).toBeLessThanOrEqual(1);
    expect(alignment.series[0].points.map((p) => p.y)).toEqual(close(report.history.map((h: { grad_alignment: number }) => h.grad_alignment)));
    expect(throughput.series[0].points.map((p) => p.y)).toEqual(close(report.history.map((h: { images_per_second: number }) => h.images_per_second)));
    expect(accuracy.series[0].points.map((p) => p.y)).toEqual(close([report.metrics.clean_accuracy, report.metrics.fgsm_accuracy, report.metrics.pgd_accuracy]));
    expect(opened.tables.evaluation.map((row) => row[5])).toEqual([report.metrics.clean_accuracy, report.metrics.fgsm_accuracy, report.metrics.pgd_accuracy].map(pct));
    expect(opened.tables.evaluation.map((row) => row[6])).toEqual(report.evaluation.map((e: { correct: number; examples: number }) => `${e.correct} / ${e.examples}`));
    expectPngs(out, ids);
  }, 600_000);

  test('eval --out and sweep: report.html and PNGs; the sweep page charts accuracy against eps and the trade-off', async () => {
    const evalOut = join(dir, 'eval');
    const e = cli(['eval', '--model', join(dir, 'train', 'model', 'model.json'), '--limit-test', '60', '--pgd-steps', '2', '--audit', 'off', '--out', evalOut]);
    expect(e.status, e.stderr).toBe(0);
    const evalReport = JSON.parse(readFileSync(join(evalOut, 'report.json'), 'utf8'));
    const evalPage = await openReport(join(evalOut, 'report.html'));
    expect(evalPage.requests).toHaveLength(1);
    expect(evalPage.charts.map((c) => c.id)).toEqual(['accuracy']);
    expect(evalPage.charts[0].series[0].points.map((p) => p.y)).toEqual(evalReport.evaluation.map((x: { accuracy: number }) => expect.closeTo(x.accuracy, 9)));
    expectPngs(evalOut, ['accuracy']);

    const sweepOut = join(dir, 'sweep');
    const s = cli(['sweep', '--epochs', '1', '--limit-train', '400', '--limit-test', '60', '--train-epsilons', '0,0.1', '--eval-epsilons', '0.1,0.2', '--pgd-steps', '2', '--probe-examples', '0', '--out', sweepOut]);
    expect(s.status, s.stderr).toBe(0);
    const sweep = JSON.parse(readFileSync(join(sweepOut, 'sweep.json'), 'utf8'));
    const page = await openReport(join(sweepOut, 'report.html'));
    expect(page.requests).toHaveLength(1);
    expect(page.charts.map((c) => c.id)).toEqual(['pgd-2-vs-eps', 'fgsm-vs-eps', 'trade-off']);
    page.inked.forEach((n) => expect(n).toBeGreaterThan(2000));
    sweep.rows.forEach((row: { clean_accuracy: number; pgd_accuracy: Record<string, number>; fgsm_accuracy: Record<string, number> }, k: number) => {
      expect(page.charts[0].series[k].points).toEqual([0, 0.1, 0.2].map((x, i) => ({ x, y: expect.closeTo(i === 0 ? row.clean_accuracy : row.pgd_accuracy[String(x)], 9) })));
      expect(page.charts[1].series[k].points.map((p) => p.y)).toEqual([row.clean_accuracy, row.fgsm_accuracy['0.1'], row.fgsm_accuracy['0.2']].map((v) => expect.closeTo(v, 9)));
    });
    expect(page.charts[2].series[0].points[0].x).toBeCloseTo(100 * sweep.trade_off[0].clean_accuracy_cost, 9);
    expect(page.charts[2].series[0].points[0].y).toBeCloseTo(100 * sweep.trade_off[0].pgd_accuracy_gain, 9);
    expect(page.tables.sweep.map((row) => row[2])).toEqual(sweep.rows.map((r: { clean_accuracy: number }) => pct(r.clean_accuracy)));
    expectPngs(sweepOut, ['pgd-2-vs-eps', 'fgsm-vs-eps', 'trade-off']);
  }, 600_000);

  test('tfjs-adversarial report PATH rewrites the page and PNGs of a saved report; other JSON is refused by name', () => {
    const evalOut = join(dir, 'eval');
    rmSync(join(evalOut, 'report.html'));
    rmSync(join(evalOut, 'charts'), { recursive: true });
    const r = cli(['report', join(evalOut, 'report.json')]);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(evalOut, 'report.html'))).toBe(true);
    expectPngs(evalOut, ['accuracy']);
    writeFileSync(join(dir, 'other.json'), '{"schema": "something/else"}');
    const refused = cli(['report', join(dir, 'other.json')]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/other\.json is not a tfjs-adversarial report/);
  }, 120_000);

  test('report text cannot break out of the page: a model path holding </script> shows as text', async () => {
    const report = JSON.parse(readFileSync(join(dir, 'eval', 'report.json'), 'utf8'));
    report.model_path = '</script><script>document.title="broken"</script>';
    const html = join(dir, 'hostile.html');
    writeFileSync(html, lib.reportHtml(report, readFileSync('dist/report-view.js', 'utf8')));
    const opened = await openReport(html);
    expect(opened.text).toContain('</script><script>document.title="broken"</script>');
    expect(opened.charts).toHaveLength(1);
  });
});
