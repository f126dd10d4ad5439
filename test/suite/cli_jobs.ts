// The command-line jobs the registry tests run in Node and with --runtime chrome: the built CLI in a child
// process (timed), a user's functional Layers model saved to disk, and train --model / --arch madry-cnn
// followed by an eval of the saved model that must reproduce the training report's metrics.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { functionalChain, seededInit } from './user_models';
import { expect } from 'vitest';
import * as lib from '../../dist/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** `node dist/cli.js ...args`, its wall time printed under `name`. */
export function cli(name: string, args: string[]): SpawnSyncReturns<string> {
  const started = performance.now();
  const r = spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8', timeout: 500_000 });
  console.log(`${name}: ${((performance.now() - started) / 1000).toFixed(1)} s (exit ${r.status})`);
  return r;
}

/** `cli`, expecting exit 0 (stderr in the message otherwise). */
export function cliOk(name: string, args: string[]): SpawnSyncReturns<string> {
  const r = cli(name, args);
  expect(r.status, `${name}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r;
}

export const readJson = (path: string): Json => JSON.parse(readFileSync(path, 'utf8'));

/** The layer names of a saved model.json's topology (functional or sequential). */
export const savedLayerNames = (json: Json): string[] => json.modelTopology.config.layers.map((l: Json) => l.config.name);

/** A user's functional model: strided conv, batch norm, ReLU, dropout, average pool, flatten, logits; seeded. */
export function userFunctionalModel(): tfl.LayersModel {
  const init = seededInit;
  return functionalChain('user_functional', 'digits_in', [28, 28, 1], [
    tfl.layers.conv2d({ name: 'my_stem', filters: 8, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: init(11) }), // 14x14x8
    tfl.layers.batchNormalization({ name: 'my_bn' }),
    tfl.layers.activation({ name: 'my_relu', activation: 'relu' }),
    tfl.layers.dropout({ name: 'my_drop', rate: 0.1, seed: 12 }),
    tfl.layers.averagePooling2d({ name: 'my_avg', poolSize: 2 }), // 7x7x8
    tfl.layers.flatten({ name: 'my_flat' }),
    tfl.layers.dense({ name: 'my_logits', units: 10, kernelInitializer: init(13) }),
  ]);
}

/** Builds userFunctionalModel and saves it under `folder`; returns the path of its model.json. */
export async function saveUserModel(folder: string): Promise<string> {
  await lib.initWebGPU();
  const model = userFunctionalModel();
  mkdirSync(folder, { recursive: true });
  await lib.saveLayersModelFiles(model, async (name, bytes) => writeFileSync(join(folder, name), bytes));
  model.dispose();
  return join(folder, 'model.json');
}

/** The figures an eval of the saved model must reproduce: the metrics, correct counts included. */
export function expectSameMetrics(evaluated: Json, trained: Json): void {
  expect(evaluated.metrics).toEqual(trained.metrics);
  expect(evaluated.metrics.attacks.map((a: Json) => [a.attack, a.correct, a.examples])).toEqual(trained.metrics.attacks.map((a: Json) => [a.attack, a.correct, a.examples]));
}

/**
 * `train --model` of the user's functional model (fgsm-rs) with `runtime` flags, then `eval` of what it
 * wrote: exit 0, the user's layer names kept, the report's model fields, eval reproducing the metrics.
 */
export async function trainUserModelThenEval(dir: string, runtime: string[], tag: string): Promise<{ original: string; out: string; report: Json }> {
  const original = await saveUserModel(join(dir, 'user'));
  const out = join(dir, 'trained');
  const train = cliOk(`${tag} train --model (functional, fgsm-rs)`, [
    'train', ...runtime, '--model', original, '--trainer', 'fgsm-rs', '--epochs', '1', '--limit-train', '256', '--limit-test', '64', '--batch-size', '32', '--probe-examples', '0', '--pgd-steps', '2', '--audit', 'off', '--out', out,
  ]);
  expect(train.stdout).toContain(`${original}, fgsm-rs, 1 epochs`);
  const saved = readJson(join(out, 'model', 'model.json'));
  expect(savedLayerNames(saved)).toEqual(savedLayerNames(readJson(original)));
  expect(savedLayerNames(saved)).toEqual(['digits_in', 'my_stem', 'my_bn', 'my_relu', 'my_drop', 'my_avg', 'my_flat', 'my_logits']);
  expect(saved.modelTopology).toMatchObject({ class_name: 'Model', config: { name: 'user_functional' } });
  const report = readJson(join(out, 'report.json'));
  expect(report.model.source).toBe(original);
  expect(report.model.architecture).toBe('layers-model');
  expect(report.settings.trainer).toBe('fgsm-rs');
  expect(typeof report.engine_kernels).toBe('object');
  expect(report.engine_kernels).not.toBeNull();
  expect(report.evaluation.map((e: Json) => e.examples)).toEqual([64, 64, 64]);
  cliOk(`${tag} eval of the trained functional model`, ['eval', ...runtime, '--model', join(out, 'model', 'model.json'), '--limit-test', '64', '--pgd-steps', '2', '--audit', 'off', '--out', join(dir, 'eval')]);
  expectSameMetrics(readJson(join(dir, 'eval', 'report.json')), report);
  return { original, out, report };
}

/**
 * `train --arch madry-cnn`, then `eval` of it reproducing the metrics. Tiny: on SwiftShader (2 cores) a
 * madry-cnn fgsm-rs step of 16 takes seconds.
 */
export function trainMadryThenEval(dir: string, runtime: string[], tag: string): Json {
  const out = join(dir, 'madry');
  cliOk(`${tag} train --arch madry-cnn`, ['train', ...runtime, '--arch', 'madry-cnn', '--epochs', '1', '--limit-train', '32', '--batch-size', '16', '--limit-test', '16', '--probe-examples', '0', '--pgd-steps', '1', '--audit', 'off', '--out', out]);
  const report = readJson(join(out, 'report.json'));
  expect(report.model.architecture).toBe('madry-cnn');
  expect(report.settings.arch).toBe('madry-cnn');
  expect(report.evaluation.map((e: Json) => e.examples)).toEqual([16, 16, 16]);
  expect(savedLayerNames(readJson(join(out, 'model', 'model.json')))).toContain('conv2');
  cliOk(`${tag} eval of the madry-cnn`, ['eval', ...runtime, '--model', join(out, 'model', 'model.json'), '--limit-test', '16', '--pgd-steps', '1', '--audit', 'off', '--out', join(dir, 'madry-eval')]);
  expectSameMetrics(readJson(join(dir, 'madry-eval', 'report.json')), report);
  return report;
}
