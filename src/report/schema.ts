// The schema of report.json and sweep.json (`tfjs-adversarial/report@1`): what the jobs write and the
// report views, the demo and the tests read. Plain types, no code: `report/` depends on nothing in `job/`.
import type { AttackBudget } from '../attacks/attack';
import type { AdapterSummary } from '../platform/device';
import type { EvalReportSettings, ReportOutcomes, ReportShard } from './outcome_schema';

export type { EvalReportSettings, ReportAttackOutcomes, ReportOutcomes, ReportShard } from './outcome_schema';

export const REPORT_SCHEMA = 'tfjs-adversarial/report@1';

/** Where a report's numbers were made. */
export interface ReportRuntime {
  name: 'node' | 'chrome' | 'browser';
  version: string;
  tfjs_core: string;
  backend: string;
}

/** The data a job ran on (also the resume check's view of the data). */
export interface DataDescription {
  train_source: string;
  test_source: string;
  split: string;
  train_examples: number;
  probe_examples: number;
  test_examples: number;
  classes: number;
  image_shape: [number, number, number];
  /** Class names by label, where the data names them (an image folder's class folders, CIFAR-10, --classes). */
  class_names?: string[];
  /** SHA-256 of the images and labels loaded (`sha256:…`; job/fingerprint.ts), where a job computed it. */
  fingerprint?: string;
}

/** One attack's result: its id, label and every parameter, the budget fields, and the counts. */
export interface ReportEvaluation extends AttackBudget {
  /** The attack's id in the table (`clean`, `fgsm`, `pgd`, or a registered one). */
  attack: string;
  /** `PGD-20` */
  label: string;
  threat: 'linf' | 'l2' | 'none';
  /** Every parameter of the attack as run. */
  params: Record<string, number | boolean | string>;
  accuracy: number;
  correct: number;
  examples: number;
  seconds: number;
  /** Model evaluations spent: gradient evaluations and forward-only queries (the attacks' budgets times the points attacked). */
  gradients: number;
  queries: number;
  /** A composite's stages in the order run (AutoAttack: APGD-CE, APGD-T, FAB-T, Square). */
  stages?: ReportStage[];
}

/** One stage of a composite: the points it ran on (those every earlier stage left) and the robust accuracy after it. */
export interface ReportStage {
  attack: string;
  label: string;
  params: Record<string, number | boolean | string>;
  attacked: number;
  correct: number;
  accuracy: number;
  gradients: number;
  queries: number;
  seconds: number;
}

/** Accuracy against eps of one model per attack (`eval --epsilons`). */
export interface ReportCurve {
  epsilons: number[];
  /** Attack labels, each a key of `accuracy`. */
  attacks: string[];
  /** accuracy[label][eps as written] */
  accuracy: Record<string, Record<string, number>>;
  examples: number;
}

/** One check of the evaluation audit: its figures and a pass, a warning, or a skip with the reason. */
export interface AuditCheck {
  id: string;
  title: string;
  status: 'pass' | 'warn' | 'skip';
  /** One line with the figures (`PGD-20 at eps 0.5: 9.5%, chance 10%`). */
  summary: string;
  /** What a warning means for the figure. */
  meaning: string;
  figures: Record<string, number | string | null>;
}

/** The audit of an evaluation: checks that say when its robustness figure cannot be trusted. */
export interface ReportAudit {
  /** Points the audit's own attacks ran on (the first of the evaluated ones). */
  points: number;
  epsilon: number;
  warnings: number;
  checks: AuditCheck[];
  seconds: number;
  /** A merged report's audit: how each check was merged (recomputed from the merged outcomes, taken from the shard that holds the audit's points, or not merged). */
  merge?: { recomputed: string[]; from_shard: string[]; not_merged: string[]; note: string };
}

/** Accuracy figures: the three the article reports (null when the attack was not run), and every attack's. */
export interface ReportMetrics {
  clean_accuracy: number;
  fgsm_accuracy: number | null;
  pgd_accuracy: number | null;
  /** Every attack in the order run, keyed by id and parameters. */
  attacks: { attack: string; label: string; key: string; params: Record<string, number | boolean | string>; accuracy: number; correct: number; examples: number }[];
}

export interface GuardEvent {
  epoch: number;
  action: 'rollback' | 'stop' | 'kept-best';
  reason: string;
  probe_pgd_accuracy: number;
  best_epoch: number;
  best_probe_pgd_accuracy: number;
}

export interface HistoryEntry {
  epoch: number;
  mean_loss: number;
  seconds: number;
  images_per_second: number;
  learning_rate_scale: number;
  probe_pgd_accuracy: number | null;
  /** GradAlign's measure on the probe examples: mean cosine of the input gradients at x and at a random point of the eps-ball (absent before it was measured). */
  grad_alignment?: number | null;
  probe_seconds: number;
}

/** Calls of each engine kernel during training: on the engine, or handed to tfjs's own kernel. */
export type EngineKernelReport = Record<string, { engine: number; fallback: number }>;

export interface ReportModel {
  architecture: string;
  description: string;
  /** The model.json trained from, when it was not built from scratch. */
  source: string | null;
  parameters: number;
  files: string[];
  /** Where the attacked logits come from when the model's output is not logits (a softmax head), and its input scale. */
  head?: string;
  /** The model's class names (a metadata.json's labels). */
  class_names?: string[];
  /** SHA-256 of the evaluated model's topology and weights (`sha256:…`; job/fingerprint.ts). */
  fingerprint?: string;
}

/** report.memory: the highest memory the job held (src/job/memory.ts); absent in reports before it. */
export interface ReportMemory {
  /** tf.memory().numBytes at its highest sample (between batches). */
  peak_tensor_bytes: number;
  /** numBytesInGPU at its highest sample; null where the backend reports none. */
  peak_gpu_bytes_in_use: number | null;
  /** numBytesAllocatedInGPU at its highest: tfjs's WebGPU buffer pool, the GPU memory it held; null where the backend reports none. */
  peak_gpu_bytes_allocated: number | null;
  samples: number;
  note: string;
}

export interface TrainReport {
  schema: typeof REPORT_SCHEMA;
  command: 'train';
  created: string;
  runtime: ReportRuntime;
  adapter: AdapterSummary;
  data: DataDescription;
  settings: Record<string, number | string | boolean | null> & { trainer: string; epsilon: number; epochs: number; batch_size: number; optimizer: string };
  metrics: ReportMetrics;
  evaluation: ReportEvaluation[];
  guard: {
    mode: 'rollback' | 'stop' | 'off';
    drop: number;
    probe_examples: number;
    probe_attack: { attack: 'pgd'; epsilon: number; steps: number; step_size: number; random_start: true; restarts: 1; seed: number };
    events: GuardEvent[];
    best_epoch: number | null;
    best_probe_pgd_accuracy: number | null;
    kept_epoch: number | null;
    stopped_early: boolean;
  };
  history: HistoryEntry[];
  model: ReportModel;
  throughput: { train_images_per_second: number; train_seconds: number; probe_seconds: number; eval_seconds: number; total_seconds: number };
  transfer: {
    steps_counted: number;
    upload_bytes_per_step: number;
    uniform_bytes_per_step: number;
    download_bytes_per_step: number;
    largest_upload_bytes: number;
    /** Compute dispatches and queue submits per training step (optional: reports before they were counted lack them). */
    dispatches_per_step?: number;
    submits_per_step?: number;
    image_bytes_per_step: number;
    image_bytes: number;
    note: string;
  };
  /** Engine kernel calls during the training steps, per kernel name. */
  engine_kernels: EngineKernelReport;
  resumed_from_epoch: number | null;
  /** The peak memory of the job (absent in reports before it). */
  memory?: ReportMemory;
  audit?: ReportAudit;
  /** Each point's outcome in the final evaluation (absent in reports before them). */
  outcomes?: ReportOutcomes;
}

export interface EvalReport {
  schema: typeof REPORT_SCHEMA;
  command: 'eval';
  created: string;
  model_path: string;
  model: Omit<ReportModel, 'files' | 'source'>;
  runtime: ReportRuntime;
  adapter: AdapterSummary;
  data: DataDescription;
  metrics: ReportMetrics;
  evaluation: ReportEvaluation[];
  engine_kernels: EngineKernelReport;
  throughput: { eval_seconds: number };
  /** The peak memory of the evaluation (absent in reports before it). */
  memory?: ReportMemory;
  audit?: ReportAudit;
  curve?: ReportCurve;
  /** The evaluation continued from a saved state (`--resume`). */
  resumed: boolean;
  /** The settings that decide the outcomes (absent in reports before them). */
  settings?: EvalReportSettings;
  /** Each point's outcome (absent in reports before them). */
  outcomes?: ReportOutcomes;
  /** `eval --shard K/N`: the part of the points this report holds. */
  shard?: ReportShard;
  /** `merge`: the shard reports it was made of (their folders, parts and point ranges). */
  merged_from?: { source: string; index: number; first: number; end: number; runtime?: string; adapter?: string }[];
  /** `eval --queue`: the queue it ran on and its figures (the batches were merged as parts, `merged_from`). */
  queue?: ReportQueue;
}

/** report.queue of `eval --queue URL`: the address (password hidden), the job key and the run's figures. */
export interface ReportQueue {
  url: string;
  job_key: string;
  batches: number;
  reused_batches: number;
  redelivered_batches: number;
  workers: string[];
  wall_seconds: number;
  mean_handler_ms: number;
  mean_wait_ms: number;
  mean_overhead_ms: number;
  median_overhead_ms: number;
}

export interface SweepRow {
  train_epsilon: number;
  trainer: string;
  /** The trainer with its parameters as `--trainers` wrote it (`trades:beta=6`); absent in sweeps before it. */
  trainer_label?: string;
  clean_accuracy: number;
  /** Accuracy under each attack (by label) at each evaluation epsilon (keys: the epsilon as written). */
  accuracy: Record<string, Record<string, number>>;
  /** The same for FGSM and PGD, when they were run ({} otherwise). */
  fgsm_accuracy: Record<string, number>;
  pgd_accuracy: Record<string, number>;
  train_seconds: number;
  kept_epoch: number | null;
  guard_events: number;
  model_files: string[];
}

export interface SweepReport {
  schema: typeof REPORT_SCHEMA;
  command: 'sweep';
  created: string;
  runtime: ReportRuntime;
  adapter: AdapterSummary;
  data: DataDescription;
  settings: Record<string, unknown>;
  train_epsilons: number[];
  eval_epsilons: number[];
  /** The attacks' labels, in the order run (each row's `accuracy` keys). */
  attacks: string[];
  /** The attack the trade-off is measured with: the last of the list (the strongest, by convention). */
  trade_off_attack: string;
  rows: SweepRow[];
  /** Per trained model: clean accuracy lost and robust accuracy gained at its own epsilon against the eps-0 model. */
  trade_off: { train_epsilon: number; trainer_label?: string; clean_accuracy_cost: number; robust_accuracy_gain: number; pgd_accuracy_gain: number | null }[];
}

export type AnyReport = TrainReport | EvalReport | SweepReport;
