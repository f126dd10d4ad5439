// The trade-off trainers (TRADES, MART, N-FGSM) in headless Chromium: the same synthetic case as in Node
// (test/suite/trainer_suite.ts), each trainer's loss falls and its PGD-10 accuracy beats clean training's.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectTrainerBeatsClean, TRADE_OFF_TRAINERS } from '../suite/trainer_check';
import type { TrainerCaseResult } from '../suite/trainer_suite';
import { openChromiumPage, type ChromiumPage } from '../../tools/chromium_page';

let chrome: ChromiumPage;
let clean: TrainerCaseResult;

beforeAll(async () => {
  chrome = await openChromiumPage(fileURLToPath(new URL('./page.ts', import.meta.url)), 'suite');
  expect((await chrome.page.evaluate(() => window.suite.init())).backend).toBe('webgpu');
  clean = await chrome.page.evaluate(() => window.suite.runTrainerCase('clean'));
}, 600_000);

afterAll(async () => {
  await chrome?.close();
});

describe('trade-off trainers against clean training in Chromium (synthetic 8x8, eps 0.1, PGD-10 on 200 held-out)', () => {
  for (const trainer of TRADE_OFF_TRAINERS) {
    test(`chromium trainer_case ${trainer}`, async () => {
      expectTrainerBeatsClean(await chrome.page.evaluate((t) => window.suite.runTrainerCase(t), trainer), clean);
    }, 300_000);
  }
});
