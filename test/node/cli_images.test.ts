// Real image files through the command line (child processes, Dawn): a colour model trained on a folder of
// PNG class folders and tested on a folder of JPEG ones, evaluated again by `eval`; CIFAR-10 binary
// batches (two files); and the refusals, each naming its flag before any work: labels given for a folder,
// a corrupt image, --classes naming a missing folder, a class count the model does not have.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { writeCifarBatch, writeImageFolder } from '../suite/image_files';

const dir = mkdtempSync(join(tmpdir(), 'tfjs-adv-cli-images-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = (args: string[]) => spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8', timeout: 600_000 });
const report = (out: string) => JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
const QUICK = ['--probe-examples', '0', '--audit', 'off', '--pgd-steps', '3', '--batch-size', '16'];

const classes: [string, number][] = [['cat', 40], ['dog', 40], ['owl', 40]];
const train = writeImageFolder(join(dir, 'train'), { classes, size: 16, format: 'png', seed: 1 });
const testSet = writeImageFolder(join(dir, 'test'), { classes: classes.map(([c]) => [c, 10]), size: 16, format: 'jpeg', seed: 2 });
const twoClasses = writeImageFolder(join(dir, 'two'), { classes: [['cat', 4], ['dog', 4]], size: 16, seed: 3 });

describe('image folders and CIFAR-10 files in the CLI', () => {
  test('train on PNG class folders, test on JPEG ones (colour, class names in the report); eval of the saved model agrees', () => {
    const out = join(dir, 'run');
    const trained = cli(['train', '--train-images', train, '--test-images', testSet, '--epochs', '4', ...QUICK, '--out', out]);
    expect(trained.status, trained.stderr).toBe(0);
    const r = report(out);
    expect(r.data.image_shape).toEqual([16, 16, 3]);
    expect(r.data.class_names).toEqual(['cat', 'dog', 'owl']);
    expect(r.data.train_examples).toBe(120);
    expect(r.data.test_examples).toBe(30);
    expect(r.metrics.clean_accuracy).toBeGreaterThan(0.6);
    const evalOut = join(dir, 'eval');
    const evaluated = cli(['eval', '--model', join(out, 'model', 'model.json'), '--test-images', testSet, '--pgd-steps', '3', '--audit', 'off', '--out', evalOut]);
    expect(evaluated.status, evaluated.stderr).toBe(0);
    expect(report(evalOut).metrics.clean_accuracy).toBe(r.metrics.clean_accuracy);
    expect(report(evalOut).data.fingerprint).toMatch(/^sha256:/);
    // The model has 3 outputs; a folder of 2 classes is refused naming the images' flag.
    const wrong = cli(['eval', '--model', join(out, 'model', 'model.json'), '--test-images', twoClasses, '--audit', 'off']);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/--test-images .*two holds 2 classes \(cat, dog\), but .*model\.json outputs 3/);
  });

  test('CIFAR-10 binary batches, two files comma-separated: 32x32x3 and the CIFAR class names', () => {
    const a = writeCifarBatch(join(dir, 'data_batch_1.bin'), 60, 10, 5);
    const b = writeCifarBatch(join(dir, 'data_batch_2.bin'), 40, 10, 6);
    const out = join(dir, 'cifar');
    const run = cli(['train', '--train-images', `${a},${b}`, '--epochs', '1', ...QUICK, '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    const r = report(out);
    expect(r.data.image_shape).toEqual([32, 32, 3]);
    expect(r.data.train_examples + r.data.test_examples).toBe(100);
    expect(r.data.class_names.slice(0, 3)).toEqual(['airplane', 'automobile', 'bird']);
  });

  const corrupt = join(dir, 'corrupt');
  writeImageFolder(corrupt, { classes: [['a', 2], ['b', 2]], size: 8, seed: 4 });
  writeFileSync(join(corrupt, 'b', 'bad.png'), new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]));
  const refusals: [string, string[], RegExp][] = [
    ['labels for an image folder', ['train', '--train-images', train, '--train-labels', join(dir, 'x.idx')], /--train-labels is not read for the image folder/],
    ['a corrupt PNG, named', ['train', '--train-images', corrupt], /--train-images .*b\/bad\.png/],
    ['--classes naming a missing folder', ['train', '--train-images', train, '--classes', 'cat,dog,emu'], /--classes .*emu/],
    ['IDX images without their labels', ['train', '--train-images', join(dir, 'images-idx3-ubyte')], /--train-labels is required with the IDX images/],
    ['--train-labels alone', ['train', '--train-labels', join(dir, 'x.idx')], /--train-labels needs --train-images/],
    ['--normalize without --model', ['train', '--normalize', 'mean=0.5,std=0.5'], /--normalize .*needs --model/],
    ['--normalize badly written', ['eval', '--model', join(dir, 'm.json'), '--normalize', 'mean=0.5'], /--normalize must be mean=/],
    ['--freeze without --model', ['train', '--freeze', '3'], /--freeze .*needs --model/],
    ['--image-size badly written', ['train', '--image-size', '16x'], /--image-size must be HxW/],
  ];
  for (const [name, args, message] of refusals) {
    test(`refused before any work: ${name}`, () => {
      const run = cli([...args, '--out', join(dir, 'refused')]);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(message);
    });
  }
});
