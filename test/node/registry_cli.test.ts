// The registries through the built CLI in child processes: a toy attack registered by a plugin file that a
// test writes (eval, report.html, --help attacks, sweep; refused without the plugin); train --model of a
// user's functional Layers model, written back under its own layer names, its eval reproducing the
// report, its saved logits equal through the wrapper; --arch madry-cnn trained and evaluated.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { cli, cliOk, readJson, trainMadryThenEval, trainUserModelThenEval, type Json } from '../suite/cli_jobs';

const dir = mkdtempSync(join(tmpdir(), 'tfjs-adv-registry-'));
// The plugin lives inside the repository (test-results/ is git-ignored) so that its bare
// '@tensorflow/tfjs-core' resolves to the node_modules the CLI uses.
const pluginDir = join(process.cwd(), 'test-results', `plugin-${process.pid}-${Date.now()}`);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(pluginDir, { recursive: true, force: true });
});

/** A toy attack: uniform noise in the eps-ball, seeded, clipped to [0, 1]. */
function writeNoisePlugin(): string {
  mkdirSync(pluginDir, { recursive: true });
  const file = join(pluginDir, 'noise.mjs');
  if (existsSync(file)) return file;
  writeFileSync(
    file,
    [
      "import * as tf from '@tensorflow/tfjs-core';",
      `import * as lib from ${JSON.stringify(pathToFileURL(join(process.cwd(), 'dist', 'index.js')).href)};`,
      'lib.registerAttack({',
      "  id: 'noise', title: 'noise', threat: 'linf', help: 'uniform noise in the eps-ball',",
      '  params: { epsilon: lib.EPSILON_PARAM, seed: lib.SEED_PARAM },',
      '  run: (model, batch, p) => tf.tidy(() => tf.clipByValue(tf.add(batch.x, tf.randomUniform(batch.x.shape, -p.epsilon, p.epsilon, "float32", p.seed)), 0, 1)),',
      '});',
      '',
    ].join('\n'),
  );
  return file;
}

/** The report JSON that report.html embeds (script#report-data). */
function embeddedReport(html: string): Json {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  expect(m, 'report.html embeds script#report-data').not.toBeNull();
  return JSON.parse(m![1]);
}

describe('registries through the CLI (Node runtime, embedded digits, tiny)', () => {
  test('a toy attack registered from a test file alone: eval, report.html, sweep; refused without --plugin', () => {
    const plugin = writeNoisePlugin();
    const trained = join(dir, 'train');
    cliOk('train (seed-cnn, for the plugin attack)', ['train', '--limit-train', '400', '--limit-test', '60', '--epochs', '1', '--probe-examples', '0', '--pgd-steps', '2', '--audit', 'off', '--out', trained]);
    const model = join(trained, 'model', 'model.json');

    const evalOut = join(dir, 'eval-noise');
    const e = cliOk('eval --plugin noise.mjs --attacks noise,pgd:steps=2', ['eval', '--plugin', plugin, '--model', model, '--limit-test', '60', '--attacks', 'noise,pgd:steps=2', '--audit', 'off', '--out', evalOut]);
    expect(e.stdout).toMatch(/clean +noise +PGD-2/);
    const report = readJson(join(evalOut, 'report.json'));
    expect(report.evaluation.map((r: Json) => r.attack)).toEqual(['clean', 'noise', 'pgd']);
    const row = report.evaluation[1];
    expect(row).toMatchObject({ attack: 'noise', label: 'noise', threat: 'linf', params: { epsilon: 0.1, seed: 0 }, epsilon: 0.1, seed: 0, examples: 60 });
    const noise = report.metrics.attacks.find((a: Json) => a.attack === 'noise');
    expect(noise).toMatchObject({ attack: 'noise', label: 'noise', key: 'noise:epsilon=0.1:seed=0', params: { epsilon: 0.1, seed: 0 }, examples: 60 });
    expect(Number.isInteger(noise.correct)).toBe(true);
    expect(noise.accuracy).toBeCloseTo(noise.correct / 60, 12);
    expect(noise.accuracy).toBeGreaterThanOrEqual(0);
    expect(noise.accuracy).toBeLessThanOrEqual(1);
    expect(report.metrics.attacks.map((a: Json) => a.attack)).toEqual(['clean', 'noise', 'pgd']);
    // Noise in the ball is a weaker attack than PGD on the same examples.
    expect(noise.correct).toBeGreaterThanOrEqual(report.metrics.attacks[2].correct);

    const html = readFileSync(join(evalOut, 'report.html'), 'utf8');
    const embedded = embeddedReport(html);
    expect(embedded.evaluation[1]).toEqual(row);
    expect(embedded.metrics.attacks).toEqual(report.metrics.attacks);
    expect(html).toContain('noise');

    const sweepOut = join(dir, 'sweep-noise');
    cliOk('sweep --plugin noise.mjs --attacks noise', [
      'sweep', '--plugin', plugin, '--attacks', 'noise', '--train-epsilons', '0,0.1', '--eval-epsilons', '0.1', '--epochs', '1', '--limit-train', '300', '--limit-test', '40', '--probe-examples', '0', '--out', sweepOut,
    ]);
    const sweep = readJson(join(sweepOut, 'sweep.json'));
    expect(sweep.attacks).toEqual(['noise']);
    expect(sweep.rows.map((r: Json) => r.train_epsilon)).toEqual([0, 0.1]);
    for (const r of sweep.rows) {
      expect(Object.keys(r.accuracy)).toEqual(['noise']);
      expect(r.accuracy.noise['0.1']).toBeGreaterThanOrEqual(0);
      expect(r.accuracy.noise['0.1']).toBeLessThanOrEqual(1);
    }
    expect(existsSync(join(sweepOut, 'report.html'))).toBe(true);
    expect(embeddedReport(readFileSync(join(sweepOut, 'report.html'), 'utf8')).attacks).toEqual(['noise']);

    const refused = cli('eval --attacks noise without --plugin', ['eval', '--model', model, '--limit-test', '60', '--attacks', 'noise', '--out', join(dir, 'refused')]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/--attacks: "noise" is not a known attack; known: clean, fgsm, fgm, pgd, apgd/);
    expect(existsSync(join(dir, 'refused', 'report.json'))).toBe(false);
  }, 600_000);

  test('--help attacks with --plugin lists the plugin\'s attack beside the built-in ones', () => {
    const plugin = writeNoisePlugin();
    const line = /^ {2}noise +uniform noise in the eps-ball \(epsilon=0\.1 seed=0\)$/m;
    for (const argv of [['--help', 'attacks', '--plugin', plugin], ['eval', '--plugin', plugin, '--help', 'attacks'], ['eval', '--help', 'attacks', '--plugin', plugin]]) {
      const help = cli(argv.join(' ').replace(plugin, 'noise.mjs'), argv);
      expect(help.status, help.stderr).toBe(0);
      expect(help.stdout).toMatch(/^ {2}pgd +projected gradient descent/m);
      expect(help.stdout, argv.join(' ')).toMatch(line);
    }
    const plain = cli('--help attacks', ['--help', 'attacks']);
    expect(plain.stdout).not.toMatch(/noise/);
    expect(plain.stdout).toMatch(/^ {2}apgd-t +APGD on the targeted DLR loss.*\(epsilon=0\.1 steps=100 targets=9 restarts=1 rho=0\.75 seed=0 norm=linf\)$/m);
    expect(plain.stdout).toMatch(/^ {2}fgm +fast gradient method.*\(epsilon=1 loss=ce\)$/m);
    expect(plain.stdout).toMatch(/^ {2}pgd +.*loss=ce norm=linf\)$/m);
  });

  test("train --model on a user's functional model: its own topology back, eval reproduces the report, equal logits through the wrapper", async () => {
    const { original, out } = await trainUserModelThenEval(join(dir, 'functional'), [], 'node');
    await lib.initWebGPU();
    await lib.ensureGradients();
    const read = async (path: string) => new Uint8Array(readFileSync(path));
    const [before, after, wrapped] = [
      await lib.loadLayersModelFiles(original, read),
      await lib.loadLayersModelFiles(join(out, 'model', 'model.json'), read),
      await lib.loadLayersModelFiles(join(out, 'model', 'model.json'), read),
    ];
    // Fine-tuned: every trainable weight and the batch norm's moving statistics moved.
    const weights = async (m: tfl.LayersModel) => Promise.all(m.getWeights().map(async (w) => ({ values: Array.from((await w.data()) as Float32Array) })));
    const [w0, w1] = [await weights(before), await weights(after)];
    expect(w1.map((w) => w.values.length)).toEqual(w0.map((w) => w.values.length));
    const changed = w0.filter((w, i) => w.values.some((v, j) => v !== w1[i].values[j])).length;
    expect(changed, `${changed} of ${w0.length} weights changed`).toBe(w0.length);
    // The saved model predicts in tfjs-layers as the library's wrapper runs it (engine kernels and all).
    const classifier = lib.classifierFromLayersModel(wrapped, { owned: true });
    expect(classifier.architecture).toBe('layers-model');
    const x = tf.randomUniform([5, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const [want, got] = [after.predict(x) as tf.Tensor2D, classifier.forward(x)];
    expect(got.shape).toEqual([5, 10]);
    const [a, b] = [(await want.data()) as Float32Array, (await got.data()) as Float32Array];
    expect(a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0)).toBeLessThan(1e-5);
    tf.dispose([x, want, got]);
    classifier.dispose();
    before.dispose();
    after.dispose();
  }, 600_000);

  test('--arch madry-cnn trains and evaluates; eval of the saved model reproduces the report', () => {
    trainMadryThenEval(join(dir, 'arch'), [], 'node');
  }, 600_000);
});
