// The main job (issue 5), small and fast: the guard's rule, the checkpoint file, a whole train job on a
// synthetic task in process (report schema, no image bytes per step, the saved model reloading and `eval`
// reproducing the accuracies exactly, a flat tensor count), an interrupted job resumed to the same
// weights, and each adversarial trainer raising robust accuracy over `clean`.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { withGpuErrorScope } from '../suite/kernel_suite';
import { syntheticImageSet, syntheticTask } from '../suite/synthetic';

let env: lib.JobEnvironment;

beforeAll(async () => {
  const { adapter, device } = await lib.initWebGPU();
  await lib.ensureGradients();
  env = { runtime: { name: 'node', version: process.version }, adapter, traffic: lib.countTraffic(device) };
});

/** Files in memory; `failOnWrite(path, n)` throws on the n-th write of `path` (a crash mid-run). */
function memoryIO(files = new Map<string, Uint8Array>(), failOn?: { path: string; write: number }): lib.JobIO & { files: Map<string, Uint8Array> } {
  let writes = 0;
  return {
    files,
    readFile: async (path) => files.get(path) ?? null,
    writeFile: async (path, bytes) => {
      if (failOn && path === failOn.path && ++writes === failOn.write) throw new Error(`simulated crash before writing ${path}`);
      files.set(path, bytes.slice());
    },
    removeFile: async (path) => void files.delete(path),
    log: () => {},
  };
}

const settings = (overrides: Partial<lib.TrainJobSettings> = {}): lib.TrainJobSettings => ({
  ...lib.DEFAULT_TRAIN_SETTINGS,
  epochs: 3,
  batchSize: 32,
  evalPgdSteps: 5,
  probeSteps: 3,
  ...overrides,
});

describe('overfitting guard rule', () => {
  const best = { epoch: 4, probe: 0.7 };
  const cases: [string, lib.GuardMode, { best: typeof best | null; rollbacks: number }, number, number, lib.GuardVerdict][] = [
    ['first probe is the best', 'rollback', { best: null, rollbacks: 0 }, 1, 0.2, 'best'],
    ['higher probe is the new best', 'rollback', { best, rollbacks: 0 }, 5, 0.71, 'best'],
    ['small dip is nothing', 'rollback', { best, rollbacks: 0 }, 5, 0.61, 'none'],
    ['collapse rolls back', 'rollback', { best, rollbacks: 0 }, 9, 0.45, 'rollback'],
    ['collapse after the last rollback stops', 'rollback', { best, rollbacks: lib.MAX_ROLLBACKS }, 9, 0.45, 'stop'],
    ['collapse in the last epoch stops', 'rollback', { best, rollbacks: 0 }, 15, 0.45, 'stop'],
    ['stop mode stops', 'stop', { best, rollbacks: 0 }, 9, 0.45, 'stop'],
    ['off does nothing', 'off', { best, rollbacks: 0 }, 9, 0.1, 'none'],
  ];
  for (const [name, mode, state, epoch, probe, verdict] of cases) {
    test(`${name}: ${mode} probe=${probe} -> ${verdict}`, () => {
      expect(lib.judgeProbe(mode, 0.1, state, epoch, probe, 15)).toBe(verdict);
    });
  }
});

describe('checkpoint file', () => {
  const tensors: lib.CheckpointTensor[] = [
    { name: 'model/0', shape: [3, 1], dtype: 'float32', data: Float32Array.from([1.5, -2, Number.NaN]) },
    { name: 'optimizer/0/iter', shape: [], dtype: 'int32', data: Int32Array.from([7]) },
    { name: 'model/1', shape: [1], dtype: 'float32', data: Float32Array.from([3]) },
  ];
  test('round trip keeps meta, names, shapes and bits', () => {
    const decoded = lib.decodeCheckpoint(lib.encodeCheckpoint({ meta: { epoch: 2, note: 'é' }, tensors }), 'x.ckpt');
    expect(decoded.meta).toEqual({ epoch: 2, note: 'é' });
    expect(decoded.tensors.map((t) => [t.name, t.shape, t.dtype])).toEqual(tensors.map((t) => [t.name, t.shape, t.dtype]));
    decoded.tensors.forEach((t, i) => expect(new Uint8Array(t.data.buffer)).toEqual(new Uint8Array(tensors[i].data.buffer)));
  });
  const bytes = lib.encodeCheckpoint({ meta: {}, tensors });
  const bad: [string, Uint8Array, RegExp][] = [
    ['truncated data', bytes.slice(0, bytes.length - 2), /x\.ckpt: truncated in tensor model\/1/],
    ['truncated header', bytes.slice(0, 20), /x\.ckpt: truncated/],
    ['bad magic', Uint8Array.from([1, 2, 3, ...bytes.slice(3)]), /x\.ckpt: not a tfjs-adversarial checkpoint/],
  ];
  for (const [name, b, message] of bad) test(`${name} is refused, naming the file`, () => expect(() => lib.decodeCheckpoint(b, 'x.ckpt')).toThrow(message));
});

describe('train job in process (synthetic 8x8 task)', () => {
  test('report schema, no image bytes per step, model reloads and eval reproduces the accuracies, no tensor leak', async () => {
    const device = lib.currentWebGPU()!.device;
    const before = tf.memory().numTensors;
    const { value, errors } = await withGpuErrorScope(device, async () => {
      const data = lib.prepareJobData(syntheticImageSet(800, 3), undefined, { probeExamples: 64 });
      const io = memoryIO();
      const report = await lib.runTrainJob(settings(), data, io, env);
      const layers = await lib.loadLayersModelFiles('model/model.json', async (p) => io.files.get(p)!);
      const model = lib.classifierFromLayersModel(layers);
      layers.dispose();
      const evalReport = await lib.runEvalJob(model, 'model/model.json', data, settings(), memoryIO(), env);
      tf.dispose(model.variables);
      data.dataset.dispose();
      return { report, evalReport, files: [...io.files.keys()].sort() };
    });
    expect(errors).toEqual([]);
    const { report, evalReport, files } = value;
    expect(files).toEqual(['checkpoints/best.ckpt', 'checkpoints/last.ckpt', 'model/model.json', 'model/weights.bin', 'report.json']);
    expect(report.schema).toBe(lib.REPORT_SCHEMA);
    expect(report.data).toMatchObject({ train_examples: 576, probe_examples: 64, test_examples: 160, classes: 10, image_shape: [8, 8, 1] });
    expect(report.settings).toMatchObject({ trainer: 'nfgsm', epsilon: 0.1, epochs: 3, batch_size: 32, nfgsm_noise: 0.2, nfgsm_step_size: 0.1 });
    for (const h of report.history) expect(Math.abs(h.grad_alignment!)).toBeLessThanOrEqual(1);
    expect(report.evaluation.map((e) => [e.attack, e.epsilon, e.steps, e.restarts, e.examples])).toEqual([
      ['clean', null, null, null, 160],
      ['fgsm', 0.1, 1, null, 160],
      ['pgd', 0.1, 5, 1, 160],
    ]);
    expect(report.evaluation[2].step_size).toBeCloseTo(0.05, 12);
    for (const k of ['clean_accuracy', 'fgsm_accuracy', 'pgd_accuracy'] as const) {
      expect(report.metrics[k]).toBeGreaterThanOrEqual(0);
      expect(report.metrics[k]).toBeLessThanOrEqual(1);
    }
    expect(report.metrics.clean_accuracy).toBeGreaterThan(0.5);
    expect(report.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    for (const h of report.history) expect(h.probe_pgd_accuracy).toBeTypeOf('number');
    expect(report.guard).toMatchObject({ mode: 'rollback', probe_examples: 64, kept_epoch: expect.any(Number) });
    // 18 steps a epoch x 3; a batch of 32 images is 2 KB as bytes: no single upload of a step comes near one image (64 B).
    expect(report.transfer.steps_counted).toBe(54);
    expect(report.transfer.largest_upload_bytes).toBeLessThan(64);
    expect(report.transfer.image_bytes_per_step).toBe(0);
    expect(report.throughput.train_images_per_second).toBeGreaterThan(0);
    expect(evalReport.metrics).toEqual(report.metrics);
    // The peak memory: tfjs's WebGPU pool holds at least what was in use, and at least the tensors held
    // between batches (the data set's bytes, the model's variables); the report's page and summary say so.
    for (const m of [report.memory!, evalReport.memory!]) {
      expect(m.samples).toBeGreaterThan(3);
      expect(m.peak_gpu_bytes_in_use).toBeGreaterThan(0);
      expect(m.peak_gpu_bytes_allocated!).toBeGreaterThanOrEqual(m.peak_gpu_bytes_in_use!);
      expect(m.peak_tensor_bytes).toBeGreaterThan(report.model.parameters * 4);
    }
    expect(lib.reportView(report).lines).toContain(lib.memoryLines(report.memory)[0]);
    expect(lib.memoryLines(evalReport.memory)[0]).toMatch(/^peak memory: GPU \d+ MiB held by tfjs \(buffer pool\), \d+ MiB in use; tensors \d+ MiB between batches$/);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('a run that crashes writing its epoch-2 checkpoint, resumed, ends with the weights of an uninterrupted run', async () => {
    const device = lib.currentWebGPU()!.device;
    const { value, errors } = await withGpuErrorScope(device, async () => {
      const data = lib.prepareJobData(syntheticImageSet(600, 4), undefined, { probeExamples: 48 });
      const s = settings({ trainer: 'fgsm', epochs: 3, evalPgdSteps: 2 });
      // The subject is the checkpoint, not the evaluation: no audit.
      const evaluation = { ...lib.DEFAULT_JOB_EVALUATION, audit: false };
      const whole = memoryIO();
      await lib.runTrainJob(s, data, whole, env, { evaluation });
      const crashed = memoryIO(new Map(), { path: 'checkpoints/last.ckpt', write: 2 });
      await expect(lib.runTrainJob(s, data, crashed, env, { evaluation })).rejects.toThrow(/simulated crash/);
      const resumed = memoryIO(crashed.files);
      const logs: string[] = [];
      resumed.log = (m) => logs.push(m);
      const report = await lib.runTrainJob(s, data, resumed, env, { resume: true, evaluation });
      // A resumed run with other settings is refused, naming what differs.
      await expect(lib.runTrainJob({ ...s, learningRate: 0.001 }, data, memoryIO(resumed.files), env, { resume: true })).rejects.toThrow(/learningRate: 0.003 -> 0.001/);
      data.dataset.dispose();
      return { whole: whole.files.get('model/weights.bin')!, resumed: resumed.files.get('model/weights.bin')!, report, logs };
    });
    expect(errors).toEqual([]);
    expect(value.report.resumed_from_epoch).toBe(1);
    expect(value.logs[0]).toMatch(/resuming from checkpoints\/last\.ckpt: 1 of 3 epochs done/);
    expect(value.resumed.length).toBe(value.whole.length);
    expect(Buffer.from(value.resumed).equals(Buffer.from(value.whole))).toBe(true);
  });

  test('an eval that crashes saving its state after the second attack, resumed, reports the uninterrupted figures; the state is removed at the end', async () => {
    const device = lib.currentWebGPU()!.device;
    const { value, errors } = await withGpuErrorScope(device, async () => {
      const set = syntheticImageSet(500, 6);
      const data = lib.prepareJobData(set, undefined, { probeExamples: 0 });
      data.description.fingerprint = await lib.dataFingerprint([set]);
      const model = lib.seedCnn({ seed: 5, inputShape: [8, 8, 1] });
      const s = settings({ evalPgdSteps: 3 });
      const options = { evaluation: { ...lib.DEFAULT_JOB_EVALUATION, audit: false } };
      const whole = await lib.runEvalJob(model, 'm.json', data, s, memoryIO(), env, true, options);
      const crashed = memoryIO(new Map(), { path: 'eval-state.json', write: 2 });
      await expect(lib.runEvalJob(model, 'm.json', data, s, crashed, env, true, options)).rejects.toThrow(/simulated crash/);
      const savedBytes = crashed.files.get('eval-state.json')!.slice();
      const saved = JSON.parse(new TextDecoder().decode(savedBytes));
      const resumedIO = memoryIO(crashed.files);
      const resumed = await lib.runEvalJob(model, 'm.json', data, s, resumedIO, env, true, { ...options, resume: true });
      // Another attack list cannot continue that state: refused naming the resume flag's argument.
      const again = memoryIO(new Map([['eval-state.json', savedBytes]]));
      const refused = await lib.runEvalJob(model, 'm.json', data, { ...s, attacks: 'fgsm' }, again, env, true, { ...options, resume: true }).catch((e) => e);
      // Another model of the same shape, and other data of the same shape (one pixel of one image changed), are refused.
      const other = lib.seedCnn({ seed: 6, inputShape: [8, 8, 1] });
      const otherModel = await lib.runEvalJob(other, 'm.json', data, s, memoryIO(new Map([['eval-state.json', savedBytes]])), env, true, { ...options, resume: true }).catch((e) => e);
      const otherSet = { ...set, images: set.images.slice() };
      otherSet.images[7] ^= 1;
      const otherData = lib.prepareJobData(otherSet, undefined, { probeExamples: 0 });
      otherData.description.fingerprint = await lib.dataFingerprint([otherSet]);
      const otherDataRefused = await lib.runEvalJob(model, 'm.json', otherData, s, memoryIO(new Map([['eval-state.json', savedBytes]])), env, true, { ...options, resume: true }).catch((e) => e);
      otherData.dataset.dispose();
      tf.dispose(other.variables);
      tf.dispose(model.variables);
      data.dataset.dispose();
      return { whole, resumed, saved, files: [...resumedIO.files.keys()], refused, otherModel, otherDataRefused };
    });
    expect(errors).toEqual([]);
    expect(value.saved.attacks.map((a: { points: number }) => a.points)).toEqual([value.whole.data.test_examples, 0, 0]);
    expect(value.resumed.resumed).toBe(true);
    expect(value.whole.resumed).toBe(false);
    expect(value.resumed.metrics).toEqual(value.whole.metrics);
    expect(value.files).not.toContain('eval-state.json');
    expect(value.refused).toMatchObject({ name: 'AdversarialArgumentError', argument: 'options.checkpoint.restore' });
    expect(value.saved.fingerprints.model).toBe(value.whole.model.fingerprint);
    expect(value.saved.fingerprints.data).toBe(value.whole.data.fingerprint);
    expect(value.whole.data.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(value.otherModel).toMatchObject({ name: 'AdversarialArgumentError', argument: 'resume' });
    expect(value.otherModel.message).toMatch(/eval-state\.json was saved for another model \(sha256:/);
    expect(value.otherModel.message).not.toMatch(/other data/);
    expect(value.otherDataRefused).toMatchObject({ name: 'AdversarialArgumentError', argument: 'resume' });
    expect(value.otherDataRefused.message).toMatch(/was saved for other data \(sha256:/);
  });
});

describe('trainers against clean training (synthetic 8x8 task, eps 0.1)', () => {
  test('fgsm, fgsm-rs and pgd each raise PGD-10 accuracy at least 10 points over clean', async () => {
    const device = lib.currentWebGPU()!.device;
    const { value: accuracy, errors } = await withGpuErrorScope(device, async () => {
      const task = syntheticTask(1300, 11);
      const data = lib.uploadDataset(task.images, task.labels, [8, 8, 1], 10);
      const train = Array.from({ length: 1000 }, (_, i) => i);
      const test = Array.from({ length: 300 }, (_, i) => 1000 + i);
      const out: Record<string, { clean: number; pgd: number }> = {};
      // The trainers this test is about (TRADES, MART and N-FGSM: trainers_robust.test.ts).
      for (const trainer of ['clean', 'fgsm', 'fgsm-rs', 'pgd']) {
        const model = lib.seedCnn({ seed: 1, inputShape: [8, 8, 1] });
        const optimizer = lib.engineAdam(3e-3);
        await lib.trainModel(model, optimizer, data, train, { trainer, epsilon: 0.1, epochs: 4, batchSize: 32, learningRate: 3e-3, seed: 2, ...(trainer === 'pgd' ? { trainerParams: { steps: 5 } } : {}) });
        const [clean, pgd] = await lib.evaluateModel(model, data, test, [{ kind: 'clean' }, { kind: 'pgd', epsilon: 0.1, steps: 10 }]);
        out[trainer] = { clean: clean.accuracy, pgd: pgd.accuracy };
        optimizer.dispose();
        tf.dispose(model.variables);
      }
      data.dispose();
      return out;
    });
    expect(errors).toEqual([]);
    // Measured (SwiftShader): clean 75.0% PGD-10; fgsm 93.3%, fgsm-rs 91.7%, pgd 90.0%; all 100% clean.
    for (const trainer of ['fgsm', 'fgsm-rs', 'pgd']) {
      expect(accuracy[trainer].pgd, `${trainer} ${JSON.stringify(accuracy)}`).toBeGreaterThanOrEqual(accuracy.clean.pgd + 0.1);
      expect(accuracy[trainer].clean).toBeGreaterThan(0.9);
    }
  }, 300_000);
});

describe('sweep (synthetic 8x8 task)', () => {
  test('trains at eps 0 (clean) and 0.1, evaluates each at 0.05 and 0.1; rows, trade-off and files', async () => {
    const device = lib.currentWebGPU()!.device;
    const before = tf.memory().numTensors;
    const { value, errors } = await withGpuErrorScope(device, async () => {
      const data = lib.prepareJobData(syntheticImageSet(500, 6), undefined, { probeExamples: 40 });
      const io = memoryIO();
      const report = await lib.runSweep(settings({ epochs: 2, evalPgdSteps: 3, probeSteps: 2 }), [0, 0.1], [0.05, 0.1], data, io, env);
      data.dataset.dispose();
      return { report, files: [...io.files.keys()].sort() };
    });
    expect(errors).toEqual([]);
    const { report, files } = value;
    expect(report.rows.map((r) => [r.train_epsilon, r.trainer])).toEqual([[0, 'clean'], [0.1, 'nfgsm']]);
    for (const r of report.rows) {
      expect(Object.keys(r.fgsm_accuracy)).toEqual(['0.05', '0.1']);
      expect(Object.keys(r.pgd_accuracy)).toEqual(['0.05', '0.1']);
      expect(r.pgd_accuracy['0.1']).toBeLessThanOrEqual(r.clean_accuracy);
    }
    const [clean, robust] = report.rows;
    const gain = robust.pgd_accuracy['0.1'] - clean.pgd_accuracy['0.1'];
    expect(report.attacks).toEqual(['FGSM', 'PGD-3']);
    expect(report.trade_off).toEqual([{ train_epsilon: 0.1, trainer_label: 'nfgsm', clean_accuracy_cost: clean.clean_accuracy - robust.clean_accuracy, robust_accuracy_gain: gain, pgd_accuracy_gain: gain }]);
    expect(files).toEqual(expect.arrayContaining(['sweep.json', 'eps-0/model/model.json', 'eps-0.1/model/weights.bin', 'eps-0.1/checkpoints/last.ckpt']));
    expect(tf.memory().numTensors).toBe(before);
  }, 300_000);
});

describe('classes of a data set that names them', () => {
  test('a CIFAR-10 subset holding labels 0..2 only still has the 10 classes its names give; an unnamed one has its labels\' count', () => {
    const before = tf.memory().numTensors;
    const bytes = new Uint8Array(6 * lib.CIFAR10_RECORD_BYTES);
    for (let i = 0; i < 6; i++) bytes[i * lib.CIFAR10_RECORD_BYTES] = i % 3;
    const cifar = lib.parseCifar10(bytes, 'subset.bin');
    const named = lib.prepareJobData(cifar, undefined, { probeExamples: 0 });
    const unnamed = lib.prepareJobData({ ...cifar, classNames: undefined }, undefined, { probeExamples: 0 });
    try {
      expect(named.numClasses).toBe(10);
      expect(unnamed.numClasses).toBe(3);
    } finally {
      named.dataset.dispose();
      unnamed.dataset.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
