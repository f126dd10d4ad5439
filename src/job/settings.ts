// The settings of a training job and their defaults, apart from the GPU code (the command line's flags
// are checked against them without loading a backend).

export type TrainerKind = 'clean' | 'fgsm' | 'fgsm-rs' | 'pgd';
export const TRAINERS: TrainerKind[] = ['clean', 'fgsm', 'fgsm-rs', 'pgd'];

export type GuardMode = 'rollback' | 'stop' | 'off';
export const GUARD_MODES: GuardMode[] = ['rollback', 'stop', 'off'];

/** Everything that decides a training run's numbers (a resumed run must match them all). */
export interface TrainJobSettings {
  trainer: TrainerKind;
  epsilon: number;
  epochs: number;
  batchSize: number;
  /** Peak learning rate of Adam. */
  learningRate: number;
  schedule: 'constant' | 'cyclic';
  /** Epochs over which the training epsilon grows from 0. */
  epsilonWarmupEpochs: number;
  /** Seed of the initial weights, the shuffles and the trainers' random starts. */
  seed: number;
  /** `fgsm`: weight of the clean loss. */
  cleanWeight: number;
  /** `pgd` trainer: steps (step size epsilon / 4). */
  trainPgdSteps: number;
  /** Evaluation PGD: steps (step size 2.5 epsilon / steps), restarts, and the seed of its random starts. */
  evalPgdSteps: number;
  evalPgdRestarts: number;
  attackSeed: number;
  /** Overfitting guard: what a collapse does, how far below the best probe counts as one, the probe. */
  guard: GuardMode;
  guardDrop: number;
  probeSteps: number;
}

/** The main job's defaults, chosen from measurements on the embedded digits (README). */
export const DEFAULT_TRAIN_SETTINGS: TrainJobSettings = {
  trainer: 'fgsm-rs',
  epsilon: 0.1,
  epochs: 5,
  batchSize: 64,
  learningRate: 0.003,
  schedule: 'cyclic',
  epsilonWarmupEpochs: 1,
  seed: 0,
  cleanWeight: 0.5,
  trainPgdSteps: 7,
  evalPgdSteps: 20,
  evalPgdRestarts: 1,
  attackSeed: 0,
  guard: 'rollback',
  guardDrop: 0.1,
  probeSteps: 7,
};

/** Examples held back from training for the guard's probe by default. */
export const DEFAULT_PROBE_EXAMPLES = 500;
/** At the end, a model more than this below the best probe gives way to the best probe's epoch. */
export const KEEP_BEST_MARGIN = 0.03;
/** Rollbacks before the guard stops training. */
export const MAX_ROLLBACKS = 2;
/** Examples per evaluation batch (the PGD seed of a batch depends on it; eval uses the same). */
export const EVAL_BATCH = 256;


/** The schema name of report.json and sweep.json. */
export const REPORT_SCHEMA = 'tfjs-adversarial/report@1';
