// The command line: flags refused by name when unknown, misplaced or out of range, --help listing them
// all; and, through the built CLI in child processes on the embedded digits, a `train` killed mid-epoch and
// resumed with --resume ends with the weights of an uninterrupted run, and `eval` of the saved model
// reproduces the report's accuracies exactly; `eval` also takes a user's own Layers model.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { FLAGS, jobRequest, parseCommandLine, USAGE } from '../../src/cli/args';

const parse = (argv: string[]) => {
  const { command, values } = parseCommandLine(argv);
  return command === 'help' ? 'help' : jobRequest(command, values);
};

describe('command-line flags', () => {
  const refused: [string, string[], RegExp][] = [
    ['unknown flag', ['train', '--epoch', '3'], /unknown flag --epoch/],
    ['unknown command', ['fit'], /unknown command "fit"/],
    ['epochs 0', ['train', '--epochs', '0'], /--epochs must be an integer in \[1, 1000\], got "0"/],
    ['epochs 2.5', ['train', '--epochs', '2.5'], /--epochs must be an integer/],
    ['epsilon 2', ['train', '--epsilon', '2'], /--epsilon must be a number in \[0, 1\], got "2"/],
    ['epsilon -0.1', ['train', '--epsilon=-0.1'], /--epsilon must be a number in \[0, 1\], got "-0.1"/],
    ['epsilon NaN', ['train', '--epsilon', 'NaN'], /--epsilon must be a number/],
    ['lr 0', ['train', '--lr', '0'], /--lr must be a number in \(0, 1\]/],
    ['trainer', ['train', '--trainer', 'free'], /--trainer must be one of clean, fgsm, fgsm-rs, nfgsm, pgd, trades, mart, got "free"/],
    ['guard', ['train', '--guard', 'maybe'], /--guard must be one of rollback, stop, off/],
    ['runtime', ['train', '--runtime', 'deno'], /--runtime must be one of node, chrome/],
    ['missing value', ['train', '--epochs'], /--epochs/],
    ['value that is a flag', ['train', '--out', '--resume'], /--out needs a value/],
    ['model with arch', ['train', '--model', 'm.json', '--arch', 'madry-cnn'], /--arch and --model exclude each other/],
    ['arch on eval', ['eval', '--model', 'm.json', '--arch', 'madry-cnn'], /--arch does not apply to eval/],
    ['unknown arch', ['train', '--arch', 'resnet'], /--arch must be one of seed-cnn, madry-cnn, resnet-20, got "resnet"/],
    ['unknown attack', ['eval', '--model', 'm.json', '--attacks', 'fgsm,cw'], /--attacks: "cw" is not a known attack; known: clean, fgsm, fgm, pgd, apgd/],
    ['unknown attack parameter', ['eval', '--model', 'm.json', '--attacks', 'pgd:iters=5'], /--attacks: pgd has no parameter "iters"; its parameters: epsilon, steps/],
    ['attack parameter out of range', ['train', '--attacks', 'pgd:steps=0'], /--attacks: pgd:steps must be an integer in \[1, 100000\], got 0/],
    ['attack parameter not a number', ['train', '--attacks', 'pgd:steps=many'], /--attacks: pgd:steps must be an integer/],
    ['malformed attack list', ['train', '--attacks', 'fgsm,,pgd'], /--attacks: is an empty entry/],
    ['hexadecimal epsilon', ['train', '--epsilon', '0x0'], /--epsilon must be a number in \[0, 1\], got "0x0"/],
    ['plugin with chrome', ['train', '--plugin', 'p.mjs', '--runtime', 'chrome'], /--plugin loads into the Node runtime/],
    ['eval without model', ['eval'], /eval needs --model/],
    ['labels without images', ['train', '--train-labels', 'a'], /--train-labels needs --train-images/],
    ['test set without a training set', ['train', '--test-images', 'a', '--test-labels', 'b'], /--test-images needs --train-images/],
    ['sweep epsilons', ['sweep', '--train-epsilons', '0,0.1,x'], /--train-epsilons must be comma-separated numbers in \[0, 1\]/],
    ['sweep unknown trainer', ['sweep', '--trainers', 'fgsm-rs,awp'], /--trainers: "awp" is not a known trainer; known: clean, fgsm, fgsm-rs, nfgsm, pgd, trades, mart/],
    ['sweep trainer parameter', ['sweep', '--trainers', 'trades:gamma=1'], /--trainers: trades has no parameter "gamma"; its parameters: beta, steps, stepSize/],
    ['sweep trainer parameter out of range', ['sweep', '--trainers', 'trades:beta=-1'], /--trainers: trades:beta must be a number in \[0, 1000\], got -1/],
    ['sweep trainer twice', ['sweep', '--trainers', 'trades:beta=6,trades:beta=6'], /--trainers: trades:beta=6 is listed twice/],
    ['trainers on train', ['train', '--trainers', 'trades'], /--trainers does not apply to train/],
    ['trades beta', ['train', '--trades-beta=-2'], /--trades-beta must be a number in \[0, 1000\], got "-2"/],
    ['positional', ['train', 'extra'], /extra|positional/i],
  ];
  for (const [name, argv, message] of refused) test(`${name}: ${argv.join(' ')} is refused`, () => expect(() => parse(argv)).toThrow(message));

  test('defaults are the main job: nfgsm at eps 0.1, 5 epochs, cyclic learning rate, guard rollback, PGD-20', () => {
    const r = parse(['train']);
    expect(r).not.toBe('help');
    if (r === 'help') return;
    expect(r.settings).toMatchObject({ trainer: 'nfgsm', epsilon: 0.1, epochs: 5, batchSize: 64, schedule: 'cyclic', guard: 'rollback', evalPgdSteps: 20, evalPgdRestarts: 1 });
    expect(r.runtime).toBe('node');
    expect(r.out).toMatch(/runs\/train$/);
  });

  test('paths are taken from the working folder', () => {
    const r = parse(['eval', '--model', 'runs/train/model/model.json', '--test-images', 'a', '--test-labels', 'b']);
    if (r === 'help') throw new Error('help');
    expect(r.files.model).toBe(join(process.cwd(), 'runs/train/model/model.json'));
    expect(r.writeEvalReport).toBe(false);
  });

  test('--help lists every flag', () => {
    expect(parse(['--help'])).toBe('help');
    expect(parse(['train', '--help'])).toBe('help');
    for (const name of Object.keys(FLAGS)) expect(USAGE).toContain(`--${name}`);
  });
});

describe('tfjs-adversarial train / eval in child processes (embedded digits, small)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfjs-adv-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // The subjects are resume and reproduction, not the audit (test/node/audit.test.ts, masking.test.ts): off.
  const args = ['--limit-train', '700', '--limit-test', '120', '--epochs', '3', '--probe-examples', '100', '--probe-steps', '2', '--pgd-steps', '3', '--audit', 'off'];
  const cli = (extra: string[]) => spawnSync(process.execPath, ['dist/cli.js', ...extra], { encoding: 'utf8', timeout: 300_000 });

  test('--epoch-models keeps every epoch; killed mid-epoch, --resume ends with the weights of an uninterrupted run; eval reproduces the accuracies', async () => {
    // --epoch-models (not a setting: the killed run below resumes without it) keeps each epoch's model.
    const whole = cli(['train', ...args, '--epoch-models', '--out', join(dir, 'whole')]);
    expect(whole.status, whole.stderr).toBe(0);
    const kept = JSON.parse(readFileSync(join(dir, 'whole', 'report.json'), 'utf8')).guard.kept_epoch;
    for (const epoch of [1, 2, 3]) expect(existsSync(join(dir, 'whole', 'epochs', String(epoch), 'model', 'model.json')), `epochs/${epoch}`).toBe(true);
    expect(readFileSync(join(dir, 'whole', 'epochs', String(kept), 'model', 'weights.bin')).equals(readFileSync(join(dir, 'whole', 'model', 'weights.bin'))), `epochs/${kept} is the model kept`).toBe(true);
    // The interrupted run: killed (SIGKILL) while in epoch 2, after the epoch-1 checkpoint.
    const out = join(dir, 'killed');
    const child = spawn(process.execPath, ['dist/cli.js', 'train', ...args, '--out', out], { stdio: 'ignore' });
    const exited = new Promise((r) => child.on('exit', r));
    const started = Date.now();
    while (!existsSync(join(out, 'checkpoints', 'last.ckpt')) && Date.now() - started < 240_000) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGKILL');
    await exited;
    expect(existsSync(join(out, 'report.json')), 'the killed run got to the end').toBe(false);
    const resumed = cli(['train', ...args, '--out', out, '--resume']);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/resuming from checkpoints\/last\.ckpt: [12] of 3 epochs done/);
    expect(readFileSync(join(out, 'model', 'weights.bin')).equals(readFileSync(join(dir, 'whole', 'model', 'weights.bin')))).toBe(true);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    const wholeReport = JSON.parse(readFileSync(join(dir, 'whole', 'report.json'), 'utf8'));
    expect(report.metrics).toEqual(wholeReport.metrics);
    expect(report.transfer.image_bytes_per_step).toBe(0);

    const evaluated = cli(['eval', '--model', join(out, 'model', 'model.json'), '--limit-test', '120', '--pgd-steps', '3', '--audit', 'off', '--out', join(dir, 'eval')]);
    expect(evaluated.status, evaluated.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'eval', 'report.json'), 'utf8')).metrics).toEqual(report.metrics);
  }, 600_000);

  test("eval of a user's own Layers model (not the seed CNN) runs it through the wrapper", async () => {
    await lib.initWebGPU();
    const user = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [28, 28, 1] }), tfl.layers.dense({ units: 10 })] });
    const folder = join(dir, 'user-model');
    mkdirSync(folder, { recursive: true });
    await lib.saveLayersModelFiles(user, async (name, bytes) => writeFileSync(join(folder, name), bytes));
    user.dispose();
    const r = cli(['eval', '--model', join(folder, 'model.json'), '--limit-test', '40', '--pgd-steps', '2', '--audit', 'off', '--out', join(dir, 'user-eval')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/layers-model, 10 classes; 40 test examples/);
    const report = JSON.parse(readFileSync(join(dir, 'user-eval', 'report.json'), 'utf8'));
    expect(report.evaluation.map((e: { examples: number }) => e.examples)).toEqual([40, 40, 40]);
  }, 120_000);

  test('refusals exit with status 2 and name the flag', () => {
    const r = cli(['train', '--epochs', '-3']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--epochs/);
  });
});
