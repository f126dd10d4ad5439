// The command line's flags: every flag with the commands that take it and its help line, parsing that
// refuses unknown flags and out-of-range values by name, and the checked job request they make.
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command, JobRequest } from '../job/execute';
import { DEFAULT_PROBE_EXAMPLES, DEFAULT_TRAIN_SETTINGS, GUARD_MODES, TRAINERS, type TrainJobSettings } from '../job/settings';

type FlagSpec = { help: string; commands: Command[]; boolean?: boolean; value?: string };
const ALL: Command[] = ['train', 'eval', 'sweep'];
const TRAINING: Command[] = ['train', 'sweep'];

/** Every flag, the commands that take it, and its help line. */
export const FLAGS: Record<string, FlagSpec> = {
  'train-images': { value: 'PATH', commands: ALL, help: 'training images, IDX (*-idx3-ubyte, plain or .gz); default: the embedded 10,000 MNIST digits' },
  'train-labels': { value: 'PATH', commands: ALL, help: 'training labels, IDX (*-idx1-ubyte, plain or .gz)' },
  'test-images': { value: 'PATH', commands: ALL, help: 'test images, IDX; default: a stratified 80/20 split of the training set (split seed 0)' },
  'test-labels': { value: 'PATH', commands: ALL, help: 'test labels, IDX' },
  'limit-train': { value: 'N', commands: TRAINING, help: 'train on the first N examples of the training part' },
  'limit-test': { value: 'N', commands: ALL, help: 'evaluate on the first N examples of the test part' },
  trainer: { value: 'NAME', commands: TRAINING, help: `${TRAINERS.join(' | ')} (default ${DEFAULT_TRAIN_SETTINGS.trainer})` },
  epsilon: { value: 'E', commands: ['train', 'eval'], help: `L-infinity radius in [0, 1] for training and evaluation (default ${DEFAULT_TRAIN_SETTINGS.epsilon})` },
  epochs: { value: 'N', commands: TRAINING, help: `epochs, 1..1000 (default ${DEFAULT_TRAIN_SETTINGS.epochs})` },
  'batch-size': { value: 'B', commands: TRAINING, help: `training batch, 1..4096 (default ${DEFAULT_TRAIN_SETTINGS.batchSize})` },
  lr: { value: 'R', commands: TRAINING, help: `peak learning rate of Adam, (0, 1] (default ${DEFAULT_TRAIN_SETTINGS.learningRate})` },
  schedule: { value: 'NAME', commands: TRAINING, help: `cyclic (up to the peak at 2/5 of training, down to 0) | constant (default ${DEFAULT_TRAIN_SETTINGS.schedule})` },
  'warmup-epochs': { value: 'N', commands: TRAINING, help: `epochs over which the training epsilon grows from 0 (default ${DEFAULT_TRAIN_SETTINGS.epsilonWarmupEpochs})` },
  'clean-weight': { value: 'W', commands: TRAINING, help: `fgsm trainer: weight of the clean loss, [0, 1] (default ${DEFAULT_TRAIN_SETTINGS.cleanWeight})` },
  'train-pgd-steps': { value: 'K', commands: TRAINING, help: `pgd trainer: PGD steps per batch, step eps/4 (default ${DEFAULT_TRAIN_SETTINGS.trainPgdSteps})` },
  seed: { value: 'S', commands: TRAINING, help: 'seed of the initial weights, shuffles and random starts, integer in [0, 2^32) (default 0)' },
  'pgd-steps': { value: 'K', commands: ALL, help: `evaluation PGD steps, step 2.5 eps / K, random start (default ${DEFAULT_TRAIN_SETTINGS.evalPgdSteps})` },
  'pgd-restarts': { value: 'R', commands: ALL, help: `evaluation PGD restarts, the worst case per example kept (default ${DEFAULT_TRAIN_SETTINGS.evalPgdRestarts})` },
  'attack-seed': { value: 'S', commands: ALL, help: 'seed of the evaluation and probe PGD random starts (default 0)' },
  guard: { value: 'MODE', commands: TRAINING, help: `overfitting guard: ${GUARD_MODES.join(' | ')} (default ${DEFAULT_TRAIN_SETTINGS.guard}; off for the clean trainer)` },
  'guard-drop': { value: 'D', commands: TRAINING, help: `a probe this far below its best is a collapse, (0, 1] (default ${DEFAULT_TRAIN_SETTINGS.guardDrop})` },
  'probe-examples': { value: 'N', commands: TRAINING, help: `training examples held back for the guard's probe (default ${DEFAULT_PROBE_EXAMPLES}; 0: no probe, no guard)` },
  'probe-steps': { value: 'K', commands: TRAINING, help: `PGD steps of the probe (default ${DEFAULT_TRAIN_SETTINGS.probeSteps})` },
  'train-epsilons': { value: 'LIST', commands: ['sweep'], help: 'sweep: training epsilons, comma-separated (default 0,0.05,0.1,0.2; 0 trains clean)' },
  'eval-epsilons': { value: 'LIST', commands: ['sweep'], help: 'sweep: evaluation epsilons (default 0.05,0.1,0.15,0.2,0.3)' },
  model: { value: 'PATH', commands: ['eval'], help: 'eval: the model.json of a saved model (tfjs Layers format), e.g. runs/train/model/model.json' },
  out: { value: 'DIR', commands: ALL, help: 'output folder (default runs/<command>); eval writes report.json there only when given' },
  resume: { boolean: true, commands: TRAINING, help: 'continue from the output folder\'s last checkpoint (same flags)' },
  runtime: { value: 'NAME', commands: ALL, help: 'node (Dawn) | chrome (headless Chromium through puppeteer) (default node)' },
  help: { boolean: true, commands: ALL, help: 'this text' },
};

export const USAGE = (() => {
  const lines = [
    'usage: tfjs-adversarial train [flags]    train the seed CNN adversarially, evaluate it, write report.json, the model and checkpoints',
    '       tfjs-adversarial eval --model PATH [flags]    evaluate a saved model clean, under FGSM and under PGD',
    '       tfjs-adversarial sweep [flags]    train at several epsilons, evaluate each at several: the robustness-accuracy trade-off',
    '       tfjs-adversarial report PATH    (re)write report.html and charts/*.png beside a report.json or sweep.json',
    '       tfjs-adversarial demo [--port N]    serve the demo page on 127.0.0.1 (default port 8080; 0: any free port)',
    '',
    'flags (commands that take them):',
  ];
  for (const [name, spec] of Object.entries(FLAGS)) {
    const left = `  --${name}${spec.value ? ` ${spec.value}` : ''}`;
    lines.push(`${left.padEnd(26)}${spec.help} [${spec.commands.length === 3 ? 'all' : spec.commands.join(', ')}]`);
  }
  return lines.join('\n');
})();

export class UsageError extends Error {}

/** The flags of `command` parsed and checked: unknown flags and out-of-range values are refused by name. */
export function parseCommandLine(argv: string[]): { command: Command | 'help'; values: Record<string, string | boolean | undefined> } {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') return { command: 'help', values: {} };
  if (!ALL.includes(command as Command)) throw new UsageError(`unknown command ${JSON.stringify(command)}: use train, eval or sweep`);
  const options = Object.fromEntries(Object.entries(FLAGS).map(([name, spec]) => [name, { type: spec.boolean ? ('boolean' as const) : ('string' as const) }]));
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options, strict: true, allowPositionals: false });
  } catch (err) {
    const m = (err as Error).message;
    const flag = /'(--?[\w-]+)/.exec(m)?.[1] ?? '';
    if (/ambiguous|argument missing/.test(m)) throw new UsageError(`${flag} needs a value${/ambiguous/.test(m) ? ` (a value starting with '-' is written ${flag}=-X)` : ''}`);
    if (/Unknown option/.test(m)) throw new UsageError(`unknown flag ${flag}`);
    if (/Unexpected argument/.test(m)) throw new UsageError(`unexpected argument ${/'([^']*)'/.exec(m)?.[1] ?? ''}: every value belongs to a flag`);
    throw new UsageError(m.split('\n')[0]);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  for (const name of Object.keys(values)) {
    if (!FLAGS[name].commands.includes(command as Command)) throw new UsageError(`--${name} does not apply to ${command} (it is for ${FLAGS[name].commands.join(', ')})`);
    if (!FLAGS[name].boolean && typeof values[name] === 'string' && (values[name] as string).startsWith('--')) throw new UsageError(`--${name} needs a value, got ${values[name]}`);
  }
  return { command: values.help ? 'help' : (command as Command), values };
}

function integer(values: Record<string, unknown>, name: string, fallback: number, min: number, max: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!/^\d+$/.test(String(raw).trim()) || !Number.isInteger(v) || v < min || v > max) throw new UsageError(`--${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(raw)}`);
  return v;
}

function number(values: Record<string, unknown>, name: string, fallback: number, min: number, max: number, openMin = false): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (String(raw).trim() === '' || !Number.isFinite(v) || v > max || (openMin ? v <= min : v < min)) throw new UsageError(`--${name} must be a number in ${openMin ? '(' : '['}${min}, ${max}], got ${JSON.stringify(raw)}`);
  return v;
}

function choice<T extends string>(values: Record<string, unknown>, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = values[name];
  if (raw === undefined) return fallback;
  if (!allowed.includes(raw as T)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
  return raw as T;
}

function epsilonList(values: Record<string, unknown>, name: string, fallback: number[]): number[] {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const list = String(raw).split(',').map((s) => s.trim());
  const numbers = list.map(Number);
  if (list.length === 0 || list.some((s) => s === '') || numbers.some((v) => !Number.isFinite(v) || v < 0 || v > 1)) throw new UsageError(`--${name} must be comma-separated numbers in [0, 1], got ${JSON.stringify(raw)}`);
  if (new Set(numbers).size !== numbers.length) throw new UsageError(`--${name} lists an epsilon twice: ${JSON.stringify(raw)}`);
  return numbers;
}

export function jobRequest(command: Command, values: Record<string, string | boolean | undefined>): JobRequest {
  const d = DEFAULT_TRAIN_SETTINGS;
  const settings: TrainJobSettings = {
    trainer: choice(values, 'trainer', d.trainer, TRAINERS),
    epsilon: number(values, 'epsilon', d.epsilon, 0, 1),
    epochs: integer(values, 'epochs', d.epochs, 1, 1000),
    batchSize: integer(values, 'batch-size', d.batchSize, 1, 4096),
    learningRate: number(values, 'lr', d.learningRate, 0, 1, true),
    schedule: choice(values, 'schedule', d.schedule, ['cyclic', 'constant'] as const),
    epsilonWarmupEpochs: number(values, 'warmup-epochs', d.epsilonWarmupEpochs, 0, 1000),
    seed: integer(values, 'seed', d.seed, 0, 2 ** 32 - 1),
    cleanWeight: number(values, 'clean-weight', d.cleanWeight, 0, 1),
    trainPgdSteps: integer(values, 'train-pgd-steps', d.trainPgdSteps, 1, 1000),
    evalPgdSteps: integer(values, 'pgd-steps', d.evalPgdSteps, 1, 1000),
    evalPgdRestarts: integer(values, 'pgd-restarts', d.evalPgdRestarts, 1, 100),
    attackSeed: integer(values, 'attack-seed', d.attackSeed, 0, 2 ** 32 - 1),
    guard: choice(values, 'guard', d.guard, GUARD_MODES),
    guardDrop: number(values, 'guard-drop', d.guardDrop, 0, 1, true),
    probeSteps: integer(values, 'probe-steps', d.probeSteps, 1, 1000),
  };
  const str = (name: string) => values[name] as string | undefined;
  const files = { trainImages: str('train-images'), trainLabels: str('train-labels'), testImages: str('test-images'), testLabels: str('test-labels'), model: str('model') === undefined ? undefined : resolve(str('model')!) };
  if (!files.trainImages !== !files.trainLabels) throw new UsageError(`--train-images and --train-labels go together (got only ${files.trainImages ? '--train-images' : '--train-labels'})`);
  if (!files.testImages !== !files.testLabels) throw new UsageError(`--test-images and --test-labels go together (got only ${files.testImages ? '--test-images' : '--test-labels'})`);
  if (command !== 'eval' && files.testImages && !files.trainImages) throw new UsageError('--test-images needs --train-images and --train-labels (the embedded digits come with their own split)');
  if (command === 'eval' && !files.model) throw new UsageError('eval needs --model PATH/model.json');
  return {
    command,
    settings,
    probeExamples: integer(values, 'probe-examples', DEFAULT_PROBE_EXAMPLES, 0, 1_000_000),
    limitTrain: values['limit-train'] === undefined ? undefined : integer(values, 'limit-train', 0, 1, 100_000_000),
    limitTest: values['limit-test'] === undefined ? undefined : integer(values, 'limit-test', 0, 1, 100_000_000),
    trainEpsilons: epsilonList(values, 'train-epsilons', [0, 0.05, 0.1, 0.2]),
    evalEpsilons: epsilonList(values, 'eval-epsilons', [0.05, 0.1, 0.15, 0.2, 0.3]),
    files,
    out: resolve(str('out') ?? join('runs', command)),
    writeEvalReport: command !== 'eval' || str('out') !== undefined,
    resume: values.resume === true,
    runtime: choice(values, 'runtime', 'node', ['node', 'chrome'] as const),
  };
}

