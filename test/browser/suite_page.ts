// The Chromium suite page (page.ts, window.suite) for a test file: opened before its tests with the backend
// checked to be webgpu, closed after them; `chrome()` is the open page.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect } from 'vitest';
import { openChromiumPage, type ChromiumPage } from '../../tools/chromium_page';

/** Registers the page's beforeAll/afterAll in the calling file; returns a getter of the open page. */
export function useSuitePage(): () => ChromiumPage {
  let chrome: ChromiumPage;
  beforeAll(async () => {
    chrome = await openChromiumPage(fileURLToPath(new URL('./page.ts', import.meta.url)), 'suite');
    expect((await chrome.page.evaluate(() => window.suite.init())).backend).toBe('webgpu');
  }, 300_000);
  afterAll(async () => {
    await chrome?.close();
  });
  return () => chrome;
}
