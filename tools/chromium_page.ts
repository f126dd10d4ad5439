// Headless Chromium with WebGPU for the tests and the benchmarks (the repository's tooling, not the
// package): bundles a page entry with esbuild, serves it on 127.0.0.1 and opens it in the system Chromium
// (or PUPPETEER_EXECUTABLE_PATH) through puppeteer, with the command line's Chromium flags. The bundle stays
// in memory: test files that run at the same time each serve their own, and no file is half-written.
import * as esbuild from 'esbuild';
import puppeteer, { type Browser, type Page } from 'puppeteer';
import { CHROMIUM_ARGS, findChromium } from '../src/cli/chromium';
import { serveFiles } from '../src/cli/serve';

export { CHROMIUM_ARGS, findChromium };

export interface ChromiumPage {
  browser: Browser;
  page: Page;
  url: string;
  /** Console errors and uncaught exceptions seen on the page. */
  pageErrors: string[];
  close(): Promise<void>;
}

/** Bundles `entry` (a page script) for the browser: the bundle's bytes, in memory. */
export async function bundlePage(entry: string): Promise<Uint8Array> {
  const built = await esbuild.build({
    entryPoints: [entry],
    outfile: 'page.js',
    write: false,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    loader: { '.wgsl': 'text' },
    logLevel: 'warning',
  });
  return built.outputFiles[0]!.contents;
}

/**
 * Bundles `entry`, serves it from 127.0.0.1 and opens it in headless Chromium; resolves once
 * `window[readyGlobal]` exists on the page.
 */
export async function openChromiumPage(entry: string, readyGlobal: string): Promise<ChromiumPage> {
  const pageJs = await bundlePage(entry);
  const { url, close: closeServer } = await serveFiles({
    '/': { type: 'text/html', body: () => '<!doctype html><meta charset="utf-8"><title>tfjs-adversarial</title><link rel="icon" href="data:,"><script type="module" src="/page.js"></script>' },
    '/page.js': { type: 'text/javascript', body: () => Buffer.from(pageJs) },
  });
  const browser = await puppeteer.launch({
    executablePath: findChromium(puppeteer),
    headless: true,
    args: CHROMIUM_ARGS,
    // One page.evaluate runs a whole benchmark: allow hours, not the default 3 minutes.
    protocolTimeout: 4 * 3600_000,
  });
  const pageErrors: string[] = [];
  try {
    const page = await browser.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(url);
    await page.waitForFunction((g) => g in window, { timeout: 60_000 }, readyGlobal);
    return {
      browser,
      page,
      url,
      pageErrors,
      async close() {
        await browser.close();
        await closeServer();
      },
    };
  } catch (err) {
    await browser.close();
    await closeServer();
    throw new Error(`Chromium page ${url} did not start: ${(err as Error).message}; page errors: ${pageErrors.join(' | ')}`);
  }
}
