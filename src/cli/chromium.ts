// Finding and launching the system Chromium with WebGPU (SwiftShader where there is no GPU), shared by
// `--runtime chrome`, the report's PNG charts, the Chromium tests and the benchmarks. puppeteer is an optional
// peer dependency: it is loaded only here, when a Chromium is wanted, so the rest of the command line runs
// without it.
import { existsSync } from 'node:fs';
import type { PuppeteerNode } from 'puppeteer';

/** What {@link loadPuppeteer} tells a user who has not installed puppeteer. */
export const PUPPETEER_HINT = 'npm install puppeteer';

/**
 * Imports puppeteer (an optional peer dependency). `purpose` names what wants it in the error when it is
 * missing: `${purpose} needs puppeteer: npm install puppeteer`.
 */
export async function loadPuppeteer(purpose: string): Promise<PuppeteerNode> {
  try {
    return (await import('puppeteer')).default;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND' || /Cannot find (package|module) 'puppeteer'/.test(e.message ?? '')) {
      throw new Error(`${purpose} needs puppeteer: ${PUPPETEER_HINT} (it is an optional peer dependency of tfjs-adversarial)`);
    }
    throw err;
  }
}

/** Chromium flags that give WebGPU (SwiftShader without a GPU) and keep it off the network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-default-apps',
];

const SYSTEM_CHROMIUMS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

/** PUPPETEER_EXECUTABLE_PATH, a system Chromium or Chrome, or the Chrome that `puppeteer` (when given) downloaded. */
export function findChromium(puppeteer?: Pick<PuppeteerNode, 'executablePath'>): string {
  const fromEnv = process.env.PUPPETEER_EXECUTABLE_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`PUPPETEER_EXECUTABLE_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  const system = SYSTEM_CHROMIUMS.find((p) => existsSync(p));
  if (system) return system;
  try {
    const own = puppeteer?.executablePath();
    if (own && existsSync(own)) return own;
  } catch {
    // no browser downloaded by puppeteer
  }
  throw new Error(
    `no Chromium found (looked at ${SYSTEM_CHROMIUMS.join(', ')} and puppeteer's cache): ` +
      'apt-get install chromium, or set PUPPETEER_EXECUTABLE_PATH',
  );
}

