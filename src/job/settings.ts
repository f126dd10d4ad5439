// The settings table: every option of a job (key, flag, type, range, default, help, commands), apart from
// the GPU code. The command line's parser and --help, the job's settings checks, the demo's form and
// report.settings are all derived from it. Rows marked `setting` decide a training run's numbers and
// make up `TrainJobSettings` (a resumed run must match them all).
import { architectureIds } from '../models/architectures';
import { describeRange, paramProblem, type ParamSpec } from '../core/params';
import { trainerIds } from '../trainers/index';
import { AdversarialArgumentError } from '../core/validate';

export type Command = 'train' | 'eval' | 'sweep';
export type GuardMode = 'rollback' | 'stop' | 'off';
export const GUARD_MODES: GuardMode[] = ['rollback', 'stop', 'off'];

/** One option. `type` extends the parameter types with paths, epsilon lists and attack lists. */
export interface SettingRow extends Omit<ParamSpec, 'type'> {
  key: string;
  flag: string;
  type: ParamSpec['type'] | 'path' | 'text' | 'epsilons' | 'attacks' | 'trainers' | 'flag';
  /** Placeholder in --help (`N`, `PATH`). */
  value?: string;
  commands: Command[];
  /** Part of TrainJobSettings: decides the training run's numbers. */
  setting?: true;
  /** Feeds a parameter of one trainer (`--clean-weight` is fgsm's `cleanWeight`). */
  trainerParam?: { trainer: string; param: string };
  /** The default of a parameter of an attack in --attacks (`--pgd-steps` is pgd's `steps`; `*`: every attack that has it). */
  attackParam?: { attack: string; param: string };
  /** report.settings writes it (under the key in snake_case). */
  report?: true;
}

const ALL: Command[] = ['train', 'eval', 'sweep'];
const TRAINING: Command[] = ['train', 'sweep'];
const SEED_RANGE = { min: 0, max: 2 ** 32 - 1 };

/** The table. */
export const SETTINGS: SettingRow[] = [
  { key: 'trainImages', flag: 'train-images', type: 'path', value: 'PATH', default: null, commands: ALL, help: 'training images: a folder of class folders of PNG/JPEG files, CIFAR-10 binary batches (a.bin,b.bin), or IDX (rank 3 grey or rank 4 colour, plain or .gz); default: the embedded 10,000 MNIST digits' },
  { key: 'trainLabels', flag: 'train-labels', type: 'path', value: 'PATH', default: null, commands: ALL, help: 'training labels, IDX (*-idx1-ubyte, plain or .gz); only for IDX images' },
  { key: 'testImages', flag: 'test-images', type: 'path', value: 'PATH', default: null, commands: ALL, help: 'test images, as --train-images; default: a stratified 80/20 split of the training set (split seed 0)' },
  { key: 'testLabels', flag: 'test-labels', type: 'path', value: 'PATH', default: null, commands: ALL, help: 'test labels, IDX; only for IDX images' },
  { key: 'classes', flag: 'classes', type: 'text', value: 'A,B,...', default: null, commands: ALL, help: 'image folders: the class folders in label order (default: their names sorted, or the model\'s metadata.json labels)' },
  { key: 'imageSize', flag: 'image-size', type: 'text', value: 'HxW', default: null, commands: ALL, help: 'image folders: resize to HxW (default: the model\'s input size, else the first image\'s)' },
  { key: 'inputRange', flag: 'input-range', type: 'choice', value: 'R', default: '0,1', choices: ['0,1', '0,255', '-1,1'], commands: ALL, help: 'the pixel scale the --model expects, folded into it (eps and the clip stay in [0, 1] pixels)' },
  { key: 'normalize', flag: 'normalize', type: 'text', value: 'mean=..,std=..', default: null, commands: ALL, help: 'per-channel normalisation the --model expects, in [0, 1] pixel units, folded into it, e.g. mean=0.485,0.456,0.406,std=0.229,0.224,0.225' },
  { key: 'freeze', flag: 'freeze', type: 'integer', value: 'N', default: null, min: 0, max: 100_000, commands: TRAINING, help: '--model: train only the layers after the first N (transfer learning; frozen batch norm keeps its statistics)' },
  { key: 'trainableFrom', flag: 'trainable-from', type: 'text', value: 'LAYER', default: null, commands: TRAINING, help: '--model: train only from the layer of this name on' },
  { key: 'limitTrain', flag: 'limit-train', type: 'integer', value: 'N', default: null, min: 1, max: 100_000_000, commands: TRAINING, help: 'train on the first N examples of the training part' },
  { key: 'limitTest', flag: 'limit-test', type: 'integer', value: 'N', default: null, min: 1, max: 100_000_000, commands: ALL, help: 'evaluate on the first N examples of the test part' },
  { key: 'model', flag: 'model', type: 'path', value: 'PATH', default: null, commands: ALL, help: 'a model.json (tfjs Layers format): eval evaluates it; train and sweep fine-tune it from its weights and write it back in its own topology' },
  { key: 'arch', flag: 'arch', type: 'choice', value: 'NAME', default: 'seed-cnn', get choices() { return architectureIds(); }, commands: TRAINING, setting: true, report: true, help: 'built-in network to train from scratch when no --model is given' },
  { key: 'trainer', flag: 'trainer', type: 'choice', value: 'NAME', default: 'nfgsm', get choices() { return trainerIds(); }, commands: TRAINING, setting: true, report: true, help: 'how to train' },
  { key: 'epsilon', flag: 'epsilon', type: 'number', value: 'E', default: 0.1, min: 0, max: 1, commands: ['train', 'eval'], setting: true, report: true, attackParam: { attack: '*', param: 'epsilon' }, help: 'L-infinity radius for training and evaluation' },
  { key: 'epochs', flag: 'epochs', type: 'integer', value: 'N', default: 5, min: 1, max: 1000, commands: TRAINING, setting: true, report: true, help: 'epochs' },
  { key: 'batchSize', flag: 'batch-size', type: 'integer', value: 'B', default: 64, min: 1, max: 4096, commands: TRAINING, setting: true, report: true, help: 'training batch' },
  { key: 'learningRate', flag: 'lr', type: 'number', value: 'R', default: 0.003, min: 0, openMin: true, max: 1, commands: TRAINING, setting: true, report: true, help: 'peak learning rate of Adam' },
  { key: 'schedule', flag: 'schedule', type: 'choice', value: 'NAME', default: 'cyclic', choices: ['cyclic', 'constant'], commands: TRAINING, setting: true, report: true, help: 'cyclic (up to the peak at 2/5 of training, down to 0) or constant' },
  { key: 'epsilonWarmupEpochs', flag: 'warmup-epochs', type: 'number', value: 'N', default: 1, min: 0, max: 1000, commands: TRAINING, setting: true, report: true, help: 'epochs over which the training epsilon grows from 0' },
  { key: 'seed', flag: 'seed', type: 'integer', value: 'S', default: 0, ...SEED_RANGE, commands: TRAINING, setting: true, report: true, help: 'seed of the initial weights, shuffles and random starts' },
  { key: 'cleanWeight', flag: 'clean-weight', type: 'number', value: 'W', default: 0.5, min: 0, max: 1, commands: TRAINING, setting: true, trainerParam: { trainer: 'fgsm', param: 'cleanWeight' }, help: 'fgsm trainer: weight of the clean loss' },
  { key: 'trainPgdSteps', flag: 'train-pgd-steps', type: 'integer', value: 'K', default: 7, min: 1, max: 1000, commands: TRAINING, setting: true, trainerParam: { trainer: 'pgd', param: 'steps' }, help: 'pgd trainer: PGD steps per batch, step eps/4' },
  { key: 'tradesBeta', flag: 'trades-beta', type: 'number', value: 'B', default: 1, min: 0, max: 1000, commands: TRAINING, setting: true, trainerParam: { trainer: 'trades', param: 'beta' }, help: 'trades trainer: weight of the KL term (the paper: 1 on MNIST, 6 on CIFAR-10)' },
  { key: 'tradesSteps', flag: 'trades-steps', type: 'integer', value: 'K', default: 5, min: 1, max: 1000, commands: TRAINING, setting: true, trainerParam: { trainer: 'trades', param: 'steps' }, help: 'trades trainer: PGD steps on the KL term per batch, step eps/4' },
  { key: 'martBeta', flag: 'mart-beta', type: 'number', value: 'B', default: 6, min: 0, max: 1000, commands: TRAINING, setting: true, trainerParam: { trainer: 'mart', param: 'beta' }, help: 'mart trainer: weight of the misclassification-aware KL term' },
  { key: 'martSteps', flag: 'mart-steps', type: 'integer', value: 'K', default: 5, min: 1, max: 1000, commands: TRAINING, setting: true, trainerParam: { trainer: 'mart', param: 'steps' }, help: 'mart trainer: PGD steps per batch, step eps/4' },
  { key: 'attacks', flag: 'attacks', type: 'attacks', value: 'LIST', default: 'fgsm,pgd', commands: ALL, setting: true, report: true, help: 'evaluation attacks after clean, id[:param=value]... comma-separated, e.g. fgsm,pgd:steps=50:restarts=5 (the table: --help attacks)' },
  { key: 'evalPgdSteps', flag: 'pgd-steps', type: 'integer', value: 'K', default: 20, min: 1, max: 1000, commands: ALL, setting: true, attackParam: { attack: 'pgd', param: 'steps' }, help: 'steps of the evaluation PGD, step 2.5 eps / K, random start' },
  { key: 'evalPgdRestarts', flag: 'pgd-restarts', type: 'integer', value: 'R', default: 1, min: 1, max: 100, commands: ALL, setting: true, attackParam: { attack: 'pgd', param: 'restarts' }, help: 'restarts of the evaluation PGD, the worst case per example kept' },
  { key: 'attackSeed', flag: 'attack-seed', type: 'integer', value: 'S', default: 0, ...SEED_RANGE, commands: ALL, setting: true, attackParam: { attack: '*', param: 'seed' }, help: 'seed of the evaluation and probe attacks\' random starts' },
  { key: 'guard', flag: 'guard', type: 'choice', value: 'MODE', default: 'rollback', choices: GUARD_MODES, commands: TRAINING, setting: true, help: 'overfitting guard: rollback, stop or off (off for the clean trainer)' },
  { key: 'guardDrop', flag: 'guard-drop', type: 'number', value: 'D', default: 0.1, min: 0, openMin: true, max: 1, commands: TRAINING, setting: true, help: 'a probe this far below its best is a collapse' },
  { key: 'probeSteps', flag: 'probe-steps', type: 'integer', value: 'K', default: 7, min: 1, max: 1000, commands: TRAINING, setting: true, help: 'PGD steps of the guard\'s probe' },
  { key: 'probeExamples', flag: 'probe-examples', type: 'integer', value: 'N', default: 500, min: 0, max: 1_000_000, commands: TRAINING, help: 'training examples held back for the guard\'s probe (0: no probe, no guard)' },
  { key: 'epochModels', flag: 'epoch-models', type: 'flag', default: false, commands: ['train'], help: 'train: also save the model after every epoch, as the probe measured it (before any guard rollback), in epochs/<n>/model/ for eval --model' },
  { key: 'trainers', flag: 'trainers', type: 'trainers', value: 'LIST', default: null, commands: ['sweep'], help: 'sweep: trainers with parameters, id[:param=value]... comma-separated (fgsm-rs,trades:beta=1,trades:beta=6,pgd), each trained at every training eps above 0; default: --trainer' },
  { key: 'trainEpsilons', flag: 'train-epsilons', type: 'epsilons', value: 'LIST', default: '0,0.05,0.1,0.2', commands: ['sweep'], help: 'sweep: training epsilons, comma-separated (0 trains clean)' },
  { key: 'evalEpsilons', flag: 'eval-epsilons', type: 'epsilons', value: 'LIST', default: '0.05,0.1,0.15,0.2,0.3', commands: ['sweep'], help: 'sweep: evaluation epsilons' },
  { key: 'epsilons', flag: 'epsilons', type: 'epsilons', value: 'LIST', default: null, commands: ['eval'], help: 'eval: the robustness curve too, every attack at each of these epsilons (charted in report.html)' },
  { key: 'audit', flag: 'audit', type: 'choice', value: 'on|off', default: 'on', choices: ['on', 'off'], commands: ['train', 'eval'], help: 'the evaluation audit: checks that say when a robustness figure cannot be trusted' },
  { key: 'auditPoints', flag: 'audit-points', type: 'integer', value: 'N', default: 100, min: 1, max: 1_000_000, commands: ['train', 'eval'], help: 'the audit\'s own attacks run on the first N evaluated points' },
  { key: 'compositePoints', flag: 'autoattack-points', type: 'integer', value: 'N', default: null, min: 1, max: 100_000_000, commands: ALL, help: 'composite attacks (autoattack) run on the first N evaluated points (default: all of them)' },
  { key: 'evalBatch', flag: 'eval-batch', type: 'integer', value: 'B', default: 256, min: 1, max: 4096, commands: ['eval'], help: 'eval: points per evaluation batch; an attack\'s random starts are seeded per batch (attack seed + the batch\'s first position), so it decides the figures (train evaluates in batches of 256)' },
  { key: 'shard', flag: 'shard', type: 'text', value: 'K/N', default: null, commands: ['eval'], help: 'eval: evaluate part K of N (K from 0, as JOB_COMPLETION_INDEX) of the points, whole batches each; merge the parts\' report.json with tfjs-adversarial merge' },
  { key: 'queue', flag: 'queue', type: 'text', value: 'URL', default: null, commands: ['eval'], help: 'eval: spread the batches over `tfjs-adversarial worker` processes through Redis, redis://HOST:PORT[/DB][?queue=NAME]; the report is the one-process eval\'s' },
  { key: 'plugin', flag: 'plugin', type: 'path', value: 'FILE', default: null, commands: ALL, help: 'an ES module loaded first (Node runtime), e.g. one that calls registerAttack or registerTrainer; repeatable' },
  { key: 'out', flag: 'out', type: 'path', value: 'DIR', default: null, commands: ALL, help: 'output folder (default runs/<command>); eval writes report.json there only when given' },
  { key: 'resume', flag: 'resume', type: 'flag', default: false, commands: ALL, help: 'continue from the output folder\'s last checkpoint and saved evaluation state (same flags)' },
  { key: 'runtime', flag: 'runtime', type: 'choice', value: 'NAME', default: 'node', choices: ['node', 'chrome'], commands: ALL, help: 'node (Dawn) or chrome (headless Chromium through puppeteer)' },
  { key: 'help', flag: 'help', type: 'flag', default: false, commands: ALL, help: 'this text; --help attacks and --help trainers list the tables' },
];

/** Everything that decides a training run's numbers (a resumed run must match them all). */
export interface TrainJobSettings {
  arch: string;
  trainer: string;
  epsilon: number;
  epochs: number;
  batchSize: number;
  /** Peak learning rate of Adam. */
  learningRate: number;
  schedule: 'constant' | 'cyclic';
  epsilonWarmupEpochs: number;
  seed: number;
  cleanWeight: number;
  trainPgdSteps: number;
  tradesBeta: number;
  tradesSteps: number;
  martBeta: number;
  martSteps: number;
  /** Parameters over the flags' for this trainer (a sweep's `trades:beta=6`); absent: the flags alone. */
  trainerParams?: Record<string, number | string | boolean>;
  /** Evaluation attacks after clean, as `--attacks` writes them. */
  attacks: string;
  evalPgdSteps: number;
  evalPgdRestarts: number;
  attackSeed: number;
  guard: GuardMode;
  guardDrop: number;
  probeSteps: number;
}

/** The row of `key`. */
export const settingRow = (key: string): SettingRow => {
  const row = SETTINGS.find((r) => r.key === key);
  if (!row) throw new Error(`settings: no row ${key}`);
  return row;
};

/** The main job's defaults, from the table. */
export const DEFAULT_TRAIN_SETTINGS: TrainJobSettings = Object.fromEntries(SETTINGS.filter((r) => r.setting).map((r) => [r.key, r.default])) as unknown as TrainJobSettings;

/** Examples held back from training for the guard's probe by default. */
export const DEFAULT_PROBE_EXAMPLES = settingRow('probeExamples').default as number;
/** At the end, a model more than this below the best probe gives way to the best probe's epoch. */
export const KEEP_BEST_MARGIN = 0.03;
/** Rollbacks before the guard stops training. */
export const MAX_ROLLBACKS = 2;
/** Examples per evaluation batch (the PGD seed of a batch depends on it; eval uses the same). */
export const EVAL_BATCH = 256;

/** Why `value` does not fit row `row` (numbers, integers, choices), or null. Lists are checked by their parsers. */
export function settingProblem(row: SettingRow, value: unknown): string | null {
  if (row.type === 'number' || row.type === 'integer' || row.type === 'choice' || row.type === 'boolean') return paramProblem(row as ParamSpec, value);
  return null;
}

/**
 * Checks every setting of `s` against the table, naming `settings.KEY`.
 *
 * @example
 * checkTrainSettings({ ...DEFAULT_TRAIN_SETTINGS, epochs: 0 }, 'runTrainJob'); // throws: settings.epochs must be an integer in [1, 1000], got 0
 */
export function checkTrainSettings(s: TrainJobSettings, op: string): void {
  for (const row of SETTINGS.filter((r) => r.setting)) {
    const value = (s as unknown as Record<string, unknown>)[row.key];
    const problem = row.type === 'attacks' ? (typeof value === 'string' ? null : `must be an attack list, got ${typeof value}`) : settingProblem(row, value);
    if (problem) throw new AdversarialArgumentError(op, `settings.${row.key}`, problem);
  }
  const known = new Set([...SETTINGS.filter((r) => r.setting).map((r) => r.key), 'trainerParams']);
  for (const key of Object.keys(s)) if (!known.has(key)) throw new AdversarialArgumentError(op, `settings.${key}`, `is not a setting; known: ${[...known].join(', ')}`);
}

/** The parameters the settings give trainer `id` (`--clean-weight` for fgsm, `--train-pgd-steps` for pgd). */
export function trainerParamsOf(s: TrainJobSettings, id: string): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
  for (const row of SETTINGS) if (row.trainerParam?.trainer === id) out[row.trainerParam.param] = (s as unknown as Record<string, number>)[row.key];
  return { ...out, ...(id === s.trainer ? (s.trainerParams ?? {}) : {}) };
}

/** The defaults the settings give the parameters of attack `id` (its eps, seed, PGD's steps and restarts). */
export function attackDefaultsOf(s: Partial<TrainJobSettings>, id: string, params: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const row of SETTINGS) {
    const a = row.attackParam;
    const value = (s as Record<string, unknown>)[row.key];
    if (a && (a.attack === '*' || a.attack === id) && a.param in params && typeof value === 'number') out[a.param] = value;
  }
  return out;
}

/** One --help line per row. */
export function settingsHelp(): string[] {
  return SETTINGS.map((row) => {
    const left = `  --${row.flag}${row.value ? ` ${row.value}` : ''}`;
    const range = row.type === 'choice' || row.type === 'number' || row.type === 'integer' ? `; ${describeRange(row as ParamSpec)}` : '';
    const def = row.default === null || row.type === 'flag' ? '' : ` (default ${row.default})`;
    return `${left.padEnd(26)}${row.help}${range}${def} [${row.commands.length === 3 ? 'all' : row.commands.join(', ')}]`;
  });
}

/** The schema name of report.json and sweep.json. */
export { REPORT_SCHEMA } from '../report/schema';
