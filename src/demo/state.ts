// What the demo page's modules share: the settings and run types, the records of every number shown (the
// page test reads them as `window.demo.records`), the page's state (backend, digits, prepared data, runs),
// and the small DOM helpers. Imports nothing else of src/demo/, so every other module can import it.
import type * as tf from '@tensorflow/tfjs-core';
import type * as lib from '../index';
import type { Classifier } from '../models/classifier';
import type { EpochRecord } from '../train/loop';
import type { EvaluationResult } from '../train/evaluate';
import type { ReportAudit } from '../report/schema';
import type { PreparedData } from '../job/data';
import type { TradeOffData } from '../report/trade_off';

export interface Settings {
  trainer: string;
  epsilon: number;
  epochs: number;
  batchSize: number;
  trainExamples: number;
  evalExamples: number;
  pgdSteps: number;
  baseline: boolean;
}

/** One model being trained, and its per-epoch points (as the library returned them). */
export interface Run {
  name: string;
  trainer: string;
  epsilon: number;
  model: Classifier;
  optimizer: tf.Optimizer;
  points: { epoch: number; record: EpochRecord; clean: EvaluationResult; robust: EvaluationResult }[];
}

export interface GalleryRecord {
  /** An attack id of the table. */
  attack: string;
  epsilon: number;
  indices: number[];
  labels: number[];
  models: { name: string; clean: { prediction: number; confidence: number }[]; adversarial: { prediction: number; confidence: number }[] }[];
}

/** A saved model evaluated on the page: what was loaded (format, head, classes) and its results. */
export interface LoadedRecord {
  model: string;
  format: string;
  architecture: string;
  head: string | null;
  classNames: string[] | null;
  inputShape: [number, number, number];
  source: string;
  examples: number;
  results: EvaluationResult[];
  audit: ReportAudit | null;
}

/** The loaded model's gallery: the first test example of each class, clean and under FGSM. */
export interface LoadedGalleryRecord {
  epsilon: number;
  indices: number[];
  labels: number[];
  classNames: string[] | null;
  imageShape: number[];
  clean: { prediction: number; confidence: number }[];
  adversarial: { prediction: number; confidence: number }[];
}

/** The backend the page runs on, and the banner's text about it. */
export interface BackendInfo {
  kind: 'webgpu' | 'cpu';
  text: string;
  software: boolean | null;
  reason?: string;
}

export const records = {
  epochs: [] as { run: string; record: EpochRecord; evaluation: EvaluationResult[] }[],
  gallery: null as GalleryRecord | null,
  tradeOff: null as (TradeOffData & { source: string }) | null,
  loaded: null as LoadedRecord | null,
  loadedGallery: null as LoadedGalleryRecord | null,
};

/** The page's state; training replaces its data, runs and settings, the other modules read them. */
export const pageState = {
  // The backend and the embedded digits: main() sets both before it wires any control.
  backend: null! as BackendInfo,
  digits: null! as lib.IdxImageSet,
  data: null as PreparedData | null,
  /** The test examples the per-epoch and trade-off evaluations use: the first of the test part. */
  evalIndices: [] as number[],
  runs: [] as Run[],
  settingsUsed: null as Settings | null,
};

export const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
export const setState = (state: string) => (document.body.dataset.state = state);
export const status = (text: string) => ($('status').textContent = text);

/** The page's evaluation PGD: its step count, one restart, attack seed 0 (the CLI's defaults otherwise). */
export const pageAttackSettings = (s: Settings, attacks = 'pgd') => ({ attacks, evalPgdSteps: s.pgdSteps, evalPgdRestarts: 1, attackSeed: 0 });

export function setButtons(training: boolean): void {
  $<HTMLButtonElement>('start').disabled = training;
  $<HTMLButtonElement>('pause').disabled = !training;
  $<HTMLButtonElement>('stop').disabled = !training;
  $<HTMLButtonElement>('tradeoff-run').disabled = training || pageState.runs.length === 0;
  $<HTMLButtonElement>('load-run').disabled = training;
  $<HTMLButtonElement>('download').disabled = training || pageState.runs.length === 0;
}
