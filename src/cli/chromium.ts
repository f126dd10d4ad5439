// Finding and launching the system Chromium with WebGPU (SwiftShader where there is no GPU), shared by
// `--runtime chrome`, the Chromium tests and the benchmarks.
import { existsSync } from 'node:fs';
import puppeteer from 'puppeteer';

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

/** PUPPETEER_EXECUTABLE_PATH, a system Chromium or Chrome, or puppeteer's own download. */
export function findChromium(): string {
  const fromEnv = process.env.PUPPETEER_EXECUTABLE_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`PUPPETEER_EXECUTABLE_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  const system = SYSTEM_CHROMIUMS.find((p) => existsSync(p));
  if (system) return system;
  try {
    const own = puppeteer.executablePath();
    if (existsSync(own)) return own;
  } catch {
    // no browser downloaded by puppeteer
  }
  throw new Error(
    `no Chromium found (looked at ${SYSTEM_CHROMIUMS.join(', ')} and puppeteer's cache): ` +
      'apt-get install chromium, or set PUPPETEER_EXECUTABLE_PATH',
  );
}

