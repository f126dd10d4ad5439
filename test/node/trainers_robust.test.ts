// The trade-off trainers (TRADES, MART, N-FGSM) each raise robust accuracy over clean training on a small
// synthetic task, same model seed, data and steps; and the KL term of TRADES matches a float64 reference
// on real model logits with its gradients; the gradient-alignment diagnostic; and a sweep over trainers
// through the CLI (a row and a folder per trainer and eps, the frontier chart).
import { klDivergenceReference } from '../suite/engine_reference';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import * as lib from '../../dist/index.js';
import { withGpuErrorScope } from '../suite/kernel_suite';
import { syntheticTask } from '../suite/synthetic';
import { expectTrainerBeatsClean, TRADE_OFF_TRAINERS } from '../suite/trainer_check';
import { runTrainerCase, type TrainerCaseResult } from '../suite/trainer_suite';

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

beforeAll(async () => {
  await lib.initWebGPU();
  await lib.ensureGradients();
});

describe('trade-off trainers against clean training (synthetic 8x8, eps 0.1, PGD-10 on 200 held-out)', () => {
  let clean: TrainerCaseResult;
  beforeAll(async () => {
    clean = await runTrainerCase('clean');
  }, 300_000);
  for (const trainer of TRADE_OFF_TRAINERS) {
    test(`trainer_case ${trainer}: the loss falls and PGD-10 accuracy rises over clean's`, async () => {
      expectTrainerBeatsClean(await runTrainerCase(trainer), clean);
    }, 300_000);
  }
});

describe('the TRADES term on model logits', () => {
  test('mean KL(p(x) || p(x\')) and its gradient in the last layer against float64', async () => {
    const model = lib.seedCnn({ seed: 9, inputShape: [8, 8, 1] });
    const task = syntheticTask(37, 5);
    const x = tf.tidy(() => tf.div(tf.tensor4d(Float32Array.from(task.images), [37, 8, 8, 1]), 255)) as tf.Tensor4D;
    const xAdv = lib.randomStart(x, { epsilon: 0.3, seed: 2 }) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const { value, errors } = await withGpuErrorScope(lib.currentWebGPU()!.device, async () => {
      const p = model.forward(x, false);
      const q = model.forward(xAdv, false);
      const rows = lib.klDivergenceRows(p, q);
      // The gradient of sum_r KL_r in the logits of both sides, through the op's registered gradient.
      const [gp, gq] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(lib.klDivergenceRows(a as tf.Tensor2D, b as tf.Tensor2D)))([p, q]);
      const out = { p: await p.data(), q: await q.data(), rows: await rows.data(), gp: await gp.data(), gq: await gq.data() };
      tf.dispose([p, q, rows, gp, gq]);
      return out;
    });
    expect(errors).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
    const ref = klDivergenceReference(value.p, value.q, 37, 10, new Float64Array(37).fill(1));
    let maxKl = 0;
    for (let r = 0; r < 37; r++) maxKl = Math.max(maxKl, ref.kl[r]);
    expect(maxKl).toBeGreaterThan(1e-4);
    for (let r = 0; r < 37; r++) expect(Math.abs(value.rows[r] - ref.kl[r])).toBeLessThan(1e-5 * Math.max(1e-3, ref.klTerms[r]));
    for (let i = 0; i < 370; i++) {
      expect(Math.abs(value.gp[i] - ref.gradP[i])).toBeLessThan(1e-5 * Math.max(1e-3, ref.gradPTerms[i]));
      expect(Math.abs(value.gq[i] - ref.gradQ[i])).toBeLessThan(1e-5);
    }
    tf.dispose([x, xAdv, ...model.variables]);
  });
});

describe('the gradient-alignment diagnostic', () => {
  test('rowCosine n=13 against plain TypeScript, a zero row gives 0, an equal row 1', async () => {
    const random = lib.seededRandom(21);
    const a = Float32Array.from({ length: 13 * 49 }, () => random() - 0.5);
    const b = Float32Array.from({ length: 13 * 49 }, () => random() - 0.5);
    b.fill(0, 0, 49); // row 0 of b is zero
    b.set(a.subarray(49, 98), 49); // row 1 equal
    const got = await tf.tidy(() => lib.rowCosine(tf.tensor2d(a, [13, 49]), tf.tensor2d(b, [13, 49]))).data();
    for (let r = 0; r < 13; r++) {
      let dot = 0, na = 0, nb = 0;
      for (let i = r * 49; i < (r + 1) * 49; i++) {
        dot += a[i] * b[i];
        na += a[i] * a[i];
        nb += b[i] * b[i];
      }
      const want = na * nb === 0 ? 0 : dot / Math.sqrt(na * nb);
      expect(Math.abs(got[r] - want), `row ${r}`).toBeLessThan(1e-5);
    }
    expect(got[0]).toBe(0);
    expect(got[1]).toBeCloseTo(1, 5);
  });

  test('gradientAlignment: eps 0 gives 1 (the same point), eps 0.3 less; one number, no leak', async () => {
    const task = syntheticTask(70, 3);
    const data = lib.uploadDataset(task.images, task.labels, [8, 8, 1], 10);
    const model = lib.seedCnn({ seed: 5, inputShape: [8, 8, 1] });
    const before = tf.memory().numTensors;
    const same = await lib.gradientAlignment(model, data, range(0, 70), { epsilon: 0, seed: 1, batchSize: 32 });
    const far = await lib.gradientAlignment(model, data, range(0, 70), { epsilon: 0.3, seed: 1, batchSize: 32 });
    expect(tf.memory().numTensors).toBe(before);
    expect(same).toBeCloseTo(1, 4);
    expect(far).toBeLessThan(same);
    expect(far).toBeGreaterThan(-1);
    data.dispose();
    tf.dispose(model.variables);
  });
});

describe('sweep over trainers', () => {
  test('sweep --trainers fgsm-rs,trades:beta=6 --train-epsilons 0,0.1: clean once, each trainer at 0.1, folders by label, the frontier', () => {
    const out = mkdtempSync(join(tmpdir(), 'sweep-trainers-'));
    try {
      const args = ['dist/cli.js', 'sweep', '--trainers', 'fgsm-rs,trades:beta=6:steps=2', '--train-epsilons', '0,0.1', '--eval-epsilons', '0.1', '--epochs', '1', '--limit-train', '300', '--limit-test', '60', '--probe-examples', '40', '--probe-steps', '2', '--pgd-steps', '3', '--out', out];
      const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 600_000 });
      expect(r.status, r.stderr).toBe(0);
      const sweep = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8'));
      expect(sweep.rows.map((row: { trainer_label: string; train_epsilon: number }) => `${row.trainer_label}@${row.train_epsilon}`)).toEqual(['clean@0', 'fgsm-rs@0.1', 'trades:beta=6:steps=2@0.1']);
      expect(sweep.trade_off.map((t: { trainer_label: string }) => t.trainer_label)).toEqual(['fgsm-rs', 'trades:beta=6:steps=2']);
      for (const folder of ['clean/eps-0', 'fgsm-rs/eps-0.1', 'trades_beta=6_steps=2/eps-0.1']) expect(existsSync(join(out, folder, 'model', 'weights.bin')), folder).toBe(true);
      const view = lib.reportView(sweep);
      const frontier = view.charts.find((c: { id: string }) => c.id === 'frontier');
      expect(frontier?.series.map((s: { points: { x: number }[] }) => s.points[0].x)).toEqual(sweep.rows.map((row: { clean_accuracy: number }) => 100 * row.clean_accuracy));
      expect(r.stdout).toMatch(/trades:beta=6:steps=2 +\d+\.\d%/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 600_000);
});
