// `--runtime chrome`: the main job's command in headless Chromium through puppeteer writes the report in
// the same schema as in Node (and its report.html and PNGs), and `eval --runtime chrome` of its saved model
// reproduces its accuracies; AutoAttack's fast preset runs there end to end; eval --shard parts run there merge
// into the Node one-process eval's per-point outcomes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';

/** Every key path of a JSON value, arrays by their first element. */
function shape(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.length > 0 ? shape(value[0], `${prefix}[]`) : [`${prefix}[]`];
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [`${prefix}.${k}`, ...shape(v, `${prefix}.${k}`)]);
  return [];
}

describe('tfjs-adversarial --runtime chrome', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfjs-adv-chrome-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const args = ['--limit-train', '700', '--limit-test', '120', '--epochs', '1', '--probe-examples', '100', '--probe-steps', '2', '--pgd-steps', '3', '--audit-points', '10'];
  const cli = (extra: string[]) => spawnSync(process.execPath, ['dist/cli.js', ...extra], { encoding: 'utf8', timeout: 400_000 });

  test('train writes the Node report schema; eval of the saved model reproduces the accuracies exactly', () => {
    const chrome = cli(['train', ...args, '--runtime', 'chrome', '--out', join(dir, 'chrome')]);
    expect(chrome.status, chrome.stderr).toBe(0);
    // The Node run is here for its report's keys: the same flags on less data (300 examples).
    const node = cli(['train', ...args, '--limit-train', '300', '--out', join(dir, 'node')]);
    expect(node.status, node.stderr).toBe(0);
    const chromeReport = JSON.parse(readFileSync(join(dir, 'chrome', 'report.json'), 'utf8'));
    const nodeReport = JSON.parse(readFileSync(join(dir, 'node', 'report.json'), 'utf8'));
    expect(chromeReport.runtime.name).toBe('chrome');
    expect(chromeReport.runtime.version).toMatch(/Chrome\//);
    expect(nodeReport.runtime.name).toBe('node');
    // The adapter's optional fields (the Vulkan driver in Node) aside, the same keys.
    const keys = (r: unknown) => shape(r).filter((k) => !k.startsWith('.adapter.'));
    expect(keys(chromeReport)).toEqual(keys(nodeReport));
    expect(chromeReport.transfer.image_bytes_per_step).toBe(0);
    expect(chromeReport.metrics.clean_accuracy).toBeGreaterThan(0.5);
    // A --runtime chrome job also gets its report.html and PNG charts.
    expect(chrome.stdout).toMatch(/report\.html and 5 PNG charts/);
    for (const file of ['report.html', 'charts/loss.png', 'charts/probe.png', 'charts/alignment.png', 'charts/throughput.png', 'charts/accuracy.png']) expect(existsSync(join(dir, 'chrome', file)), file).toBe(true);

    const evaluated = cli(['eval', '--runtime', 'chrome', '--model', join(dir, 'chrome', 'model', 'model.json'), '--limit-test', '120', '--pgd-steps', '3', '--audit', 'off', '--out', join(dir, 'eval')]);
    expect(evaluated.status, evaluated.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'eval', 'report.json'), 'utf8')).metrics).toEqual(chromeReport.metrics);

    // AutoAttack end to end in Chromium: the fast preset's stages in order, each on the points still robust.
    const aa = cli(['eval', '--runtime', 'chrome', '--model', join(dir, 'chrome', 'model', 'model.json'), '--limit-test', '16', '--attacks', 'autoattack:version=fast', '--audit', 'off', '--out', join(dir, 'aa')]);
    expect(aa.status, aa.stderr).toBe(0);
    const [clean, composite] = JSON.parse(readFileSync(join(dir, 'aa', 'report.json'), 'utf8')).evaluation;
    expect(composite).toMatchObject({ attack: 'autoattack', label: 'AutoAttack-fast', examples: 16 });
    expect(composite.stages.map((st: { label: string }) => st.label)).toEqual(['APGD-CE', 'APGD-T']);
    expect(composite.stages[0].attacked).toBe(clean.correct);
    expect(composite.stages[1].attacked).toBe(composite.stages[0].correct);
    expect(composite.correct).toBe(composite.stages[1].correct);
    expect(composite.correct).toBeLessThanOrEqual(clean.correct);
    expect(composite.gradients).toBeGreaterThan(0);
  }, 900_000);

  test('eval --runtime chrome --shard K/2 in two processes, merged, gives the Node one-process eval\'s per-point outcomes and counts', () => {
    const trained = cli(['train', '--limit-train', '300', '--limit-test', '64', '--epochs', '1', '--probe-examples', '0', '--pgd-steps', '2', '--audit', 'off', '--out', join(dir, 'shard-model')]);
    expect(trained.status, trained.stderr).toBe(0);
    const flags = ['eval', '--model', join(dir, 'shard-model', 'model', 'model.json'), '--limit-test', '96', '--eval-batch', '32', '--attacks', 'fgsm,pgd', '--pgd-steps', '3', '--audit', 'off'];
    const single = cli([...flags, '--out', join(dir, 'shard-node')]);
    expect(single.status, single.stderr).toBe(0);
    for (const k of [0, 1]) {
      const part = cli([...flags, '--runtime', 'chrome', '--shard', `${k}/2`, '--out', join(dir, `shard-chrome-${k}`)]);
      expect(part.status, part.stderr).toBe(0);
    }
    const merged = cli(['merge', join(dir, 'shard-chrome-0'), join(dir, 'shard-chrome-1'), '--out', join(dir, 'shard-merged')]);
    expect(merged.status, merged.stderr).toBe(0);
    const read = (name: string) => JSON.parse(readFileSync(join(dir, name, 'report.json'), 'utf8'));
    const [node, chrome] = [read('shard-node'), read('shard-merged')];
    expect(chrome.outcomes).toEqual(node.outcomes);
    expect(chrome.outcomes.points).toBe(96);
    const counts = (r: { evaluation: { label: string; correct: number; examples: number }[] }) => r.evaluation.map((e) => [e.label, e.correct, e.examples]);
    expect(counts(chrome)).toEqual(counts(node));
    expect(chrome.model.fingerprint).toBe(node.model.fingerprint);
    expect(chrome.data.fingerprint).toBe(node.data.fingerprint);
  }, 900_000);
});
