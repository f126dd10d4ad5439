// The registries' models through `--runtime chrome` (headless Chromium, tiny runs): train --model of a
// user's functional Layers model, written back under its own layer names, and train --arch madry-cnn;
// `eval --runtime chrome` of each saved model reproduces its training report's metrics.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { trainMadryThenEval, trainUserModelThenEval } from '../suite/cli_jobs';

const CHROME = ['--runtime', 'chrome'];

describe('registries through the CLI, --runtime chrome', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfjs-adv-registry-chrome-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("train --model on a user's functional model: its own topology back; eval reproduces the report", async () => {
    const { report } = await trainUserModelThenEval(join(dir, 'functional'), CHROME, 'chrome');
    expect(report.runtime.name).toBe('chrome');
  }, 600_000);

  test('--arch madry-cnn trains and evaluates; eval of the saved model reproduces the report', () => {
    expect(trainMadryThenEval(join(dir, 'arch'), CHROME, 'chrome').runtime.name).toBe('chrome');
  }, 600_000);
});
