// report.html and PNG charts next to a CLI report: the page is written from the report and the viewer
// bundle (dist/report-view.js); the PNGs are the page's canvases, drawn by headless Chromium from the file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { reportHtml } from '../report/html';
import type { AnyReport } from '../report/schema';
import { CHROMIUM_ARGS, findChromium, loadPuppeteer } from './chromium';
import { writeFileAtomically } from './node_io';

/** The PNG images of every chart of a report.html, by chart id (drawn at twice the CSS size). */
export async function renderChartPngs(htmlPath: string): Promise<Map<string, Uint8Array>> {
  const puppeteer = await loadPuppeteer('the report step (PNG charts)');
  const browser = await puppeteer.launch({ executablePath: findChromium(puppeteer), headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(htmlPath).href);
    await page.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
    const images = await page.$$eval('canvas', (canvases) => canvases.map((c) => [(c as HTMLCanvasElement).dataset.chartId ?? '', (c as HTMLCanvasElement).toDataURL('image/png')] as const));
    return new Map(images.map(([id, url]) => [id, new Uint8Array(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64'))]));
  } finally {
    await browser.close();
  }
}

/**
 * Writes `out/report.html` for `report` and `out/charts/<chart>.png` for each of its charts; returns the
 * paths written. Without a Chromium or without puppeteer the PNGs are left out and `log` says why.
 */
export async function writeReportFiles(out: string, report: AnyReport, log: (message: string) => void): Promise<string[]> {
  const viewer = readFileSync(fileURLToPath(new URL('./report-view.js', import.meta.url)), 'utf8');
  const htmlPath = join(out, 'report.html');
  await writeFileAtomically(htmlPath, reportHtml(report, viewer));
  const written = [htmlPath];
  let pngs: Map<string, Uint8Array>;
  try {
    pngs = await renderChartPngs(htmlPath);
  } catch (err) {
    log(`charts: PNG images not written (${(err as Error).message}); report.html has the charts`);
    return written;
  }
  for (const [id, bytes] of pngs) {
    const path = join(out, 'charts', `${id}.png`);
    await writeFileAtomically(path, bytes);
    written.push(path);
  }
  return written;
}
