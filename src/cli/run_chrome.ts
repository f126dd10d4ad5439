// A job in headless Chromium (`--runtime chrome`): Node reads the data and serves the page bundle
// (dist/job-page.js) on 127.0.0.1; the page runs the library on the browser's WebGPU and writes its files
// through functions exposed by puppeteer, into the same output folder and the same report schema.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { JobOutcome, JobRequest } from '../job/execute';
import type { PageImageSet } from '../job/page';
import type { ImageSet } from '../job/data';
import { CHROMIUM_ARGS, findChromium, loadPuppeteer } from './chromium';
import { loadRequestSets, nodeJobIO, type ProgressPrinter } from './node_io';
import { serveFiles } from './serve';
import { AdversarialArgumentError } from '../core/validate';

const toPage = (set: ImageSet | undefined): PageImageSet | undefined =>
  set ? { ...set, images: Buffer.from(set.images).toString('base64'), labels: Buffer.from(set.labels).toString('base64') } : undefined;

export async function runJobInChrome(request: JobRequest, progress: ProgressPrinter): Promise<JobOutcome['report']> {
  const puppeteer = await loadPuppeteer('--runtime chrome');
  const executablePath = findChromium(puppeteer);
  const pageScript = readFileSync(fileURLToPath(new URL('./job-page.js', import.meta.url)));
  const { train, test } = await loadRequestSets(request);
  const io = nodeJobIO(request.out, progress);
  const server = await serveFiles({
    '/': { type: 'text/html', body: () => '<!doctype html><meta charset="utf-8"><title>tfjs-adversarial job</title><link rel="icon" href="data:,"><script type="module" src="/job-page.js"></script>' },
    '/job-page.js': { type: 'text/javascript', body: () => pageScript },
  });
  const browser = await puppeteer.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, protocolTimeout: 24 * 3600_000 });
  const pageErrors: string[] = [];
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    await page.exposeFunction('jobReadFile', async (path: string) => {
      const bytes = await io.readFile(path);
      return bytes === null ? null : Buffer.from(bytes).toString('base64');
    });
    await page.exposeFunction('jobWriteFile', (path: string, base64: string) => io.writeFile(path, new Uint8Array(Buffer.from(base64, 'base64'))));
    await page.exposeFunction('jobRemoveFile', (path: string) => io.removeFile?.(path));
    await page.exposeFunction('jobLog', (message: string) => io.log(message));
    await page.exposeFunction('jobProgress', (p: Parameters<NonNullable<typeof io.progress>>[0]) => io.progress?.(p));
    await page.goto(server.url);
    await page.waitForFunction(() => 'tfjsAdversarialJob' in window, { timeout: 60_000 });
    io.log(`runtime chrome: ${await browser.version()} (${executablePath})`);
    let outcome: JobOutcome;
    try {
      outcome = await page.evaluate((req, sets) => window.tfjsAdversarialJob.run(req, sets), request, { train: toPage(train), test: toPage(test) });
    } catch (err) {
      // The page's own message, without puppeteer's wrapping; an argument error as one (the CLI names its flag).
      const marked = /AdversarialArgumentError:(\{.*\})/.exec((err as Error).message);
      if (marked) {
        const { op, argument, message } = JSON.parse(marked[1]) as { op: string; argument: string; message: string };
        const prefix = `${op}: ${argument} `;
        throw new AdversarialArgumentError(op, argument, message.startsWith(prefix) ? message.slice(prefix.length) : message);
      }
      throw new Error(`${(err as Error).message.replace(/^Error: /, '')}${pageErrors.length ? ` (page: ${pageErrors.join(' | ')})` : ''}`);
    }
    console.log(`\n${outcome.summary.join('\n')}`);
    return outcome.report;
  } finally {
    await browser.close();
    await server.close();
  }
}
