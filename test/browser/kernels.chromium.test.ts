// The kernel suites (attack kernels, engine kernels, DLR and APGD step, L2 steps, targeted DLR, Square, FAB's projection and step, the backward pass's early release) in headless Chromium (puppeteer), on the built bundle served from 127.0.0.1, plus the
// check that one RandomStart seed gives the same bits in Chromium and in Node (Dawn).
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { expectApgdStepOk, expectApgdUpdateOk, expectDlrOk } from '../suite/apgd_check';
import { apgdStepCases, dlrCases } from '../suite/apgd_suite';
import { apgdUpdateCases } from '../suite/apgd_update_suite';
import { argumentCases } from '../suite/argument_suite';
import { expectBackwardReleaseOk } from '../suite/backward_release_check';
import { backwardReleaseCases } from '../suite/backward_release_suite';
import { dlrTargetedCases } from '../suite/dlr_targeted_suite';
import { expectDlrTargetedOk, expectL2Ok } from '../suite/l2_check';
import { l2Cases, randomStartL2Bits } from '../suite/l2_suite';
import { kernelCases } from '../suite/cases';
import { engineCases } from '../suite/engine_cases';
import { expectEngineCaseOk } from '../suite/engine_check';
import { expectGatherOk } from '../suite/dataset_check';
import { expectFabOk } from '../suite/fab_check';
import { fabCases } from '../suite/fab_suite';
import { gatherCases } from '../suite/dataset_suite';
import { randomStartBits } from '../suite/kernel_suite';
import { expectArgumentRefused, expectCaseOk } from '../suite/report_check';
import { runSeed } from '../suite/run_seed';
import { expectSquareCaseOk } from '../suite/square_check';
import { squareCases } from '../suite/square_suite';
import { openChromiumPage, type ChromiumPage } from '../../tools/chromium_page';

let chrome: ChromiumPage;

beforeAll(async () => {
  chrome = await openChromiumPage(fileURLToPath(new URL('./page.ts', import.meta.url)), 'suite');
  const info = await chrome.page.evaluate(() => window.suite.init());
  console.log(`chromium: ${info.userAgent}; adapter ${info.adapter.vendor} ${info.adapter.architecture} (${info.adapter.software ? 'software' : 'hardware'}), run seed ${runSeed}`);
  expect(info.backend).toBe('webgpu');
});

afterAll(async () => {
  await chrome?.close();
});

describe('fused kernels in Chromium', () => {
  for (const c of kernelCases) {
    test(`chromium ${c.name}`, async () => {
      expectCaseOk(await chrome.page.evaluate((kc, seed) => window.suite.runKernelCase(kc, seed), c, runSeed));
    });
  }
});

describe('engine kernels in Chromium', () => {
  for (const c of engineCases) {
    test(`chromium ${c.name}`, async () => {
      expectEngineCaseOk(c, await chrome.page.evaluate((ec, seed) => window.suite.runEngineCase(ec, seed), c, runSeed));
    });
  }
});

describe('DLR loss, APGD step and APGD update in Chromium', () => {
  for (const c of dlrCases) test(`chromium ${c.name}`, async () => expectDlrOk(await chrome.page.evaluate((dc, seed) => window.suite.runDlrCase(dc, seed), c, runSeed)));
  for (const c of apgdStepCases) test(`chromium ${c.name}`, async () => expectApgdStepOk(await chrome.page.evaluate((ac, seed) => window.suite.runApgdStepCase(ac, seed), c, runSeed)));
  for (const c of apgdUpdateCases) test(`chromium ${c.name}`, async () => expectApgdUpdateOk(await chrome.page.evaluate((uc, seed) => window.suite.runApgdUpdateCase(uc, seed), c, runSeed)));
});

describe('L2 steps and targeted DLR in Chromium', () => {
  for (const c of l2Cases) test(`chromium ${c.name}`, async () => expectL2Ok(await chrome.page.evaluate((lc, seed) => window.suite.runL2Case(lc, seed), c, runSeed)));
  for (const c of dlrTargetedCases) test(`chromium ${c.name}`, async () => expectDlrTargetedOk(await chrome.page.evaluate((dc, seed) => window.suite.runDlrTargetedCase(dc, seed), c, runSeed)));
});

describe('Square kernels in Chromium', () => {
  for (const c of squareCases) test(`chromium ${c.name}`, async () => expectSquareCaseOk(await chrome.page.evaluate((sc, seed) => window.suite.runSquareCase(sc, seed), c, runSeed)));
});

describe("FAB's projection and step in Chromium", () => {
  // The Node suite's cases on 37 rows (1-row cases add nothing a browser could break).
  for (const c of fabCases.filter((f) => f.rows > 1)) test(`chromium ${c.name}`, async () => expectFabOk(await chrome.page.evaluate((fc, seed) => window.suite.runFabCase(fc, seed), c, runSeed)));
});

describe('backward release in Chromium', () => {
  test.each(backwardReleaseCases.map((c) => [c.name, c] as const))('chromium %s', async (name, c) => {
    expectBackwardReleaseOk(await chrome.page.evaluate((n, seed) => window.suite.runBackwardReleaseCase(n, seed), name, runSeed), c.lowerPeak, runSeed);
  }, 120_000);
});

describe('GPU-resident data set in Chromium', () => {
  for (const c of gatherCases) {
    test(`chromium ${c.name}`, async () => {
      expectGatherOk(await chrome.page.evaluate((gc, seed) => window.suite.runGatherCase(gc, seed), c, runSeed));
    });
  }
});

describe('IDX loader in Chromium', () => {
  test('gzipped and plain IDX files from blob URLs round trip; a truncated gzip is refused', async () => {
    const r = await chrome.page.evaluate(() => window.suite.idxRoundTrip());
    expect(r.dims).toEqual([3, 5, 4]);
    expect(r.images).toEqual(r.expected);
    expect(r.labels).toEqual([7, 0, 9]);
    expect(r.truncated).toMatch(/corrupt or truncated gzip data/);
  });
});

describe('argument checks in Chromium', () => {
  for (const c of argumentCases) {
    test(`chromium ${c.name}`, async () => {
      const { value, errors } = await chrome.page.evaluate((name) => window.suite.runArgumentCase(name), c.name);
      expect(errors).toEqual([]);
      expectArgumentRefused(value, c.argument);
    });
  }
});

describe('one seed, one result on every runtime', () => {
  for (const n of [3, 2179, 1 << 20]) {
    test(`randomStart seed=1234 n=${n}: Chromium bits equal Node (Dawn) bits`, async () => {
      const inChromium = await chrome.page.evaluate((count) => window.suite.randomStartBits(1234, count), n);
      await lib.initWebGPU();
      const inNode = await randomStartBits(1234, n);
      expect(inChromium.length).toBe(n);
      expect(inChromium).toEqual(inNode);
    });
  }

  test('randomStart norm=l2 seed=1234 [7, 2179]: Chromium bits equal Node (Dawn) bits', async () => {
    const inChromium = await chrome.page.evaluate(() => window.suite.randomStartL2Bits(1234, 7, 2179));
    await lib.initWebGPU();
    expect(inChromium).toEqual(await randomStartL2Bits(1234, 7, 2179));
  });

  test('no errors on the page', () => {
    expect(chrome.pageErrors).toEqual([]);
  });
});
