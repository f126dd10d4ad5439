// Bad input and faults (issue 12): a failed write leaves no temporary file and names its target; --out
// refused at once when it cannot be a folder (a file, /proc, /sys), locked against a second run (a dead
// run's lock taken over, its temporary files removed); labels that are not class indices and gzip bombs
// refused; a model with too few outputs blamed, not the labels; data-dependent refusals naming the flag
// (exit 2); refused library calls leaking no tensor; damaged checkpoints and a missing best.ckpt refused.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as fsPromises from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { writeFileAtomically } from '../../src/cli/node_io';
import { syntheticImageSet } from '../suite/synthetic';

const dir = mkdtempSync(join(tmpdir(), 'tfjs-adv-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const partials = (folder: string): string[] => readdirSync(folder, { recursive: true }).map(String).filter((f) => f.includes('.partial'));
const cli = (args: string[], timeout = 300_000) => spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8', timeout });
const TINY = ['--limit-train', '200', '--limit-test', '40', '--epochs', '1', '--probe-examples', '0', '--pgd-steps', '1'];
/** A pid that no process has now: a child that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

describe('atomic writes', () => {
  test('a write that fails (disk full, injected) leaves no temporary file and names the target', async () => {
    const folder = join(dir, 'full');
    mkdirSync(folder);
    const target = join(folder, 'last.ckpt');
    const full: typeof fsPromises = {
      ...fsPromises,
      writeFile: (async (path: string, bytes: Uint8Array) => {
        await fsPromises.writeFile(path, bytes.subarray(0, 3));
        throw Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC' });
      }) as typeof fsPromises.writeFile,
    };
    await expect(writeFileAtomically(target, new Uint8Array(100), full)).rejects.toThrow(target);
    await expect(writeFileAtomically(target, new Uint8Array(100), full)).rejects.toThrow(/ENOSPC/);
    expect(partials(folder)).toEqual([]);
    expect(existsSync(target)).toBe(false);
  });

  test('a rename that fails (a folder in the way) leaves no temporary file and names the target', async () => {
    const target = join(dir, 'blocked', 'report.json');
    mkdirSync(join(target, 'inside'), { recursive: true });
    await expect(writeFileAtomically(target, '{}')).rejects.toThrow(new RegExp(`cannot write ${target}`));
    expect(partials(join(dir, 'blocked'))).toEqual([]);
  });
});

describe('--out checked before any work (child processes)', () => {
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  const cases: [string, string, RegExp][] = [
    ['an existing file', file, /--out .*a-file: is a file, not a folder/],
    ['a folder under a file', join(file, 'sub'), /--out .*a-file\/sub: .*a-file is a file, not a folder/],
    ['a place in /proc (Node 20 mkdir spins there)', '/proc/tfjs-adv-x', /--out \/proc\/tfjs-adv-x: cannot create the folder/],
    ['a place in /sys (read-only, also for root)', '/sys/tfjs-adv-x/y', /--out \/sys\/tfjs-adv-x\/y: cannot create the folder/],
  ];
  for (const [name, out, message] of cases) {
    test(`${name}: refused within 10 s, exit 2, naming --out`, () => {
      const started = Date.now();
      const r = cli(['train', ...TINY, '--out', out], 10_000);
      expect(r.status, `${r.stderr} (signal ${r.signal})`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(Date.now() - started).toBeLessThan(10_000);
    });
  }

  test('a folder locked by a live run is refused, naming --out and the pid', () => {
    const out = join(dir, 'locked');
    mkdirSync(out);
    writeFileSync(join(out, '.lock'), JSON.stringify({ pid: process.pid, host: hostname() }));
    const r = cli(['train', ...TINY, '--out', out], 10_000);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`--out ${out}: in use by another run \\(pid ${process.pid} `));
    expect(existsSync(join(out, '.lock'))).toBe(true);
  });
});

describe('a run on a folder a killed run left (child process)', () => {
  test('takes over the dead run\'s lock, removes its temporary files, and removes its own lock at the end', () => {
    const out = join(dir, 'stale');
    mkdirSync(join(out, 'checkpoints'), { recursive: true });
    const pid = deadPid();
    writeFileSync(join(out, '.lock'), JSON.stringify({ pid, host: hostname() }));
    writeFileSync(join(out, 'checkpoints', `last.ckpt.partial-${pid}`), 'half a checkpoint');
    // The audit (30 s of this run) is not the subject: off.
    const r = cli(['train', ...TINY, '--audit', 'off', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`took over the lock of .* from pid ${pid}`));
    expect(r.stdout).toMatch(/removed 1 temporary file a stopped run left/);
    expect(partials(out)).toEqual([]);
    expect(existsSync(join(out, '.lock'))).toBe(false);
    expect(existsSync(join(out, 'report.json'))).toBe(true);
  }, 300_000);
});

describe('data-dependent refusals name the flag, exit 2 (child processes)', () => {
  const cases: [string, string[], RegExp][] = [
    ['--batch-size above the training set', ['--batch-size', '300'], /--batch-size is 300, more than the 200 training examples/],
    ['--probe-examples at least the training examples', ['--probe-examples', '200'], /--probe-examples must be an integer in \[0, 200\)/],
  ];
  for (const [name, extra, message] of cases) {
    test(`${name}: refused before training, the lock removed`, () => {
      const out = join(dir, `refused-${extra[0].slice(2)}`);
      const r = cli(['train', ...TINY, ...extra, '--out', out]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/runTrainJob|prepareJobData|settings\./);
      expect(existsSync(join(out, '.lock'))).toBe(false);
      expect(existsSync(join(out, 'checkpoints'))).toBe(false);
    }, 120_000);
  }

  test('eval of a 5-output model on 10-class data blames --model, not the labels', async () => {
    await lib.initWebGPU();
    const user = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [28, 28, 1] }), tfl.layers.dense({ units: 5 })] });
    const folder = join(dir, 'five');
    mkdirSync(folder, { recursive: true });
    await lib.saveLayersModelFiles(user, async (name, bytes) => writeFileSync(join(folder, name), bytes));
    user.dispose();
    const r = cli(['eval', '--model', join(folder, 'model.json'), '--limit-test', '40', '--pgd-steps', '1'], 120_000);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--model .*model\.json outputs 5 logits \(classes 0\.\.4\), but the data has 10 classes/);
    expect(r.stderr).not.toMatch(/uploadDataset/);
  }, 120_000);

  test('a label of 255 in an IDX labels file is refused, naming the file (exit 2, --train-labels)', () => {
    const count = 60;
    const images = join(dir, 'l255-images-idx3-ubyte');
    const labels = join(dir, 'l255-labels-idx1-ubyte');
    writeFileSync(images, lib.writeIdx([count, 28, 28], Uint8Array.from({ length: count * 784 }, (_, i) => (i * 7) % 256)));
    const values = Uint8Array.from({ length: count }, (_, i) => i % 10);
    values[17] = 255;
    writeFileSync(labels, lib.writeIdx([count], values));
    const r = cli(['train', '--train-images', images, '--train-labels', labels, '--epochs', '1', '--probe-examples', '0', '--pgd-steps', '1', '--out', join(dir, 'l255')], 120_000);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain(`--train-labels ${labels}: label 255 at example 17 leaves classes 10..254 without an example: not a class index?`);
  }, 120_000);
});

describe('labels and models against the classes (library)', () => {
  const set = (labels: number[], source = 'labels.idx'): lib.ImageSet => ({ images: new Uint8Array(labels.length * 4), labels: Uint8Array.from(labels), count: labels.length, height: 2, width: 2, source: 'images.idx', labelSource: source });
  test('a label of 255 is refused naming the file and train.labels; a hole in the middle too', () => {
    const labels = Array.from({ length: 30 }, (_, i) => i % 10);
    labels[17] = 255;
    expect(() => lib.prepareJobData(set(labels), undefined)).toThrow(expect.objectContaining({ name: 'AdversarialArgumentError', argument: 'train.labels' }));
    expect(() => lib.prepareJobData(set(labels), undefined)).toThrow('labels.idx: label 255 at example 17 leaves classes 10..254 without an example');
    expect(() => lib.prepareJobData(set([0, 1, 2, 4, 5, 0, 1, 2, 4, 5]), undefined)).toThrow(/label 5 at example 4 leaves class 3 without an example/);
    expect(() => lib.prepareJobData(set(Array.from({ length: 20 }, (_, i) => i % 10)), set([0, 12], 'test-labels.idx'))).toThrow(expect.objectContaining({ argument: 'test.labels', message: expect.stringContaining('test-labels.idx: label 12 at example 1 leaves classes 10..11') }));
  });
  test('prepareJobData with fewer classes than the labels names numClasses, not uploadDataset', () => {
    expect(() => lib.prepareJobData(set([0, 1, 9, 2]), undefined, { allTest: true, numClasses: 5 })).toThrow(/prepareJobData: numClasses is 5, but labels\.idx \(train\) has label 9 at example 2/);
  });
});

describe('gzip bomb (child process, peak memory)', () => {
  const measure = (path: string) => {
    const script = `import('./dist/index.js').then(async (lib) => { let message = 'accepted'; try { await lib.loadIdx(${JSON.stringify(path)}, 3); } catch (e) { message = e.message; } console.log(JSON.stringify({ message, maxRssMB: process.resourceUsage().maxRSS / 1024 })); });`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { message: string; maxRssMB: number };
  };
  const zeros = gzipSync(Buffer.alloc(400_000_000), { level: 9 });
  test.each([
    ['claims 10^9 images', [1_000_000_000, 28, 28], /header says \[1000000000,28,28\] = 784000000000 bytes of data, more than the 2147483648/],
    ['claims 100 images and inflates to 400 MB', [100, 28, 28], /inflates to more than the 78416 bytes its header says/],
  ] as const)('a 400 KB gzip that %s is refused with peak RSS under 300 MB', (_, dims, message) => {
    const header = Buffer.alloc(16);
    header.set([0, 0, 8, 3]);
    dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
    const path = join(dir, `bomb-${dims[0]}-idx3-ubyte.gz`);
    writeFileSync(path, Buffer.concat([gzipSync(header), zeros]));
    expect(readFileSync(path).length).toBeLessThan(500_000);
    const { message: got, maxRssMB } = measure(path);
    expect(got).toMatch(message);
    expect(got).toContain(path);
    expect(maxRssMB).toBeLessThan(300);
  }, 60_000);
});

describe('refused library calls leak no tensor; damaged checkpoints are refused', () => {
  let env: lib.JobEnvironment;
  beforeAll(async () => {
    const { adapter } = await lib.initWebGPU();
    await lib.ensureGradients();
    env = { runtime: { name: 'node', version: process.version }, adapter };
  });
  const memoryIO = (files = new Map<string, Uint8Array>()): lib.JobIO & { files: Map<string, Uint8Array> } => ({
    files,
    readFile: async (path) => files.get(path) ?? null,
    writeFile: async (path, bytes) => void files.set(path, bytes.slice()),
    log: () => {},
  });
  const settings = (o: Partial<lib.TrainJobSettings> = {}): lib.TrainJobSettings => ({ ...lib.DEFAULT_TRAIN_SETTINGS, trainer: 'fgsm', epochs: 1, batchSize: 32, evalPgdSteps: 1, probeSteps: 1, ...o });
  /** A classifier whose forward throws on call `n` (a fault in the middle of a loop). */
  const throwingOn = (model: lib.Classifier, n: number): lib.Classifier => {
    let calls = 0;
    const wrapped = Object.create(model) as lib.Classifier;
    wrapped.forward = (x, training) => {
      if (++calls === n) throw new Error('injected fault in forward');
      return model.forward(x, training);
    };
    return wrapped;
  };

  let files: Map<string, Uint8Array>;
  let data: lib.PreparedData;
  beforeAll(async () => {
    data = lib.prepareJobData(syntheticImageSet(300, 5), undefined, { probeExamples: 40 });
    const io = memoryIO();
    await lib.runTrainJob(settings(), data, io, env);
    files = io.files;
  }, 120_000);
  afterAll(() => data?.dataset.dispose());

  const flipped = () => {
    const copy = new Map(files);
    const last = files.get('checkpoints/last.ckpt')!.slice();
    last[last.length - 5] ^= 0x10;
    copy.set('checkpoints/last.ckpt', last);
    return copy;
  };
  const withoutBest = () => {
    const copy = new Map(files);
    copy.delete('checkpoints/best.ckpt');
    return copy;
  };
  const unreadableBest = () => new Map([...files, ['checkpoints/best.ckpt', files.get('checkpoints/best.ckpt')!.slice(0, 40)]]);
  const cases: [string, () => Promise<unknown>, RegExp | Record<string, unknown>][] = [
    ['runTrainJob with cleanWeight NaN', () => lib.runTrainJob(settings({ cleanWeight: Number.NaN }), data, memoryIO(), env), { argument: 'settings.cleanWeight' }],
    ['runTrainJob with a batch above the training set', () => lib.runTrainJob(settings({ batchSize: 1000 }), data, memoryIO(), env), { argument: 'settings.batchSize' }],
    ['runTrainJob resuming a checkpoint with one flipped bit', () => lib.runTrainJob(settings(), data, memoryIO(flipped()), env, { resume: true }), /checkpoint checkpoints\/last\.ckpt: checksum mismatch/],
    ['runTrainJob resuming without best.ckpt', () => lib.runTrainJob(settings(), data, memoryIO(withoutBest()), env, { resume: true }), /checkpoint checkpoints\/best\.ckpt: missing, but checkpoints\/last\.ckpt says epoch 1 was the best/],
    ['runTrainJob resuming with an unreadable best.ckpt', () => lib.runTrainJob(settings(), data, memoryIO(unreadableBest()), env, { resume: true }), /checkpoints\/best\.ckpt: truncated/],
    ['trainModel whose model throws in its third step', async () => {
      const model = lib.seedCnn({ seed: 1, inputShape: [8, 8, 1] });
      const optimizer = lib.engineAdam(1e-3);
      try {
        await lib.trainModel(throwingOn(model, 3), optimizer, data.dataset, data.train, { trainer: 'pgd', trainerParams: { steps: 1 }, epsilon: 0.1, epochs: 1, batchSize: 32, learningRate: 1e-3, seed: 0 });
      } finally {
        optimizer.dispose();
        model.dispose();
      }
    }, /injected fault/],
    ['evaluateModel whose model throws in its second PGD restart', async () => {
      const model = lib.seedCnn({ seed: 1, inputShape: [8, 8, 1] });
      try {
        await lib.evaluateModel(throwingOn(model, 4), data.dataset, data.test, [{ kind: 'pgd', epsilon: 0.1, steps: 1, restarts: 3 }]);
      } finally {
        model.dispose();
      }
    }, /injected fault/],
  ];
  for (const [name, call, expected] of cases) {
    test(`${name}: refused, no tensor leaked`, async () => {
      const before = tf.memory().numTensors;
      const refusal = call();
      if (expected instanceof RegExp) await expect(refusal).rejects.toThrow(expected);
      else await expect(refusal).rejects.toMatchObject(expected);
      expect(tf.memory().numTensors).toBe(before);
    }, 120_000);
  }

  test('a flipped bit anywhere in a checkpoint is refused on decode, naming the file', () => {
    const bytes = lib.encodeCheckpoint({ meta: { epoch: 1 }, tensors: [{ name: 'model/0', shape: [4], dtype: 'float32', data: Float32Array.from([1, 2, 3, 4]) }] });
    for (const at of [bytes.length - 1, bytes.length - 16, 20, 14]) {
      const bad = bytes.slice();
      bad[at] ^= 0x04;
      expect(() => lib.decodeCheckpoint(bad, 'x.ckpt'), `bit flipped at byte ${at}`).toThrow(/^checkpoint x\.ckpt: /);
    }
    expect(lib.decodeCheckpoint(bytes, 'x.ckpt').meta).toEqual({ epoch: 1 });
  });
});

