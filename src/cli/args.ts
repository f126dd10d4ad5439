// The command line's flags, all derived from the settings table (src/job/settings.ts): parsing that
// refuses unknown flags, flags of another command and out-of-range values by name, the --help text, and
// the checked job request they make.
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { attackHelp, parseAttackList } from '../attacks/index';
import type { JobInputs, JobRequest } from '../job/execute';
import { InputFlagError, inputsFromFlags } from './input_flags';
import { SETTINGS, settingProblem, settingsHelp, settingRow, type Command, type SettingRow, type TrainJobSettings } from '../job/settings';
import { parseParamText, type ParamSpec } from '../core/params';
import { parseShard, type ShardSpec } from '../job/shards';
import { helpLines } from '../core/registry';
import { parseQueueUrl } from '../queue/address';
import { parseTrainerList, TRAINER_REGISTRY } from '../trainers/index';

const COMMANDS: Command[] = ['train', 'eval', 'sweep'];

/** Every flag by name, from the table. */
export const FLAGS: Record<string, SettingRow> = Object.fromEntries(SETTINGS.map((r) => [r.flag, r]));

/** The --help text; `topic` 'attacks' or 'trainers' lists that table. */
export function usage(topic?: string): string {
  if (topic === 'attacks') return ['attacks (--attacks id[:param=value]..., comma-separated):', ...attackHelp().map((l) => `  ${l}`)].join('\n');
  if (topic === 'trainers') return ['trainers (--trainer ID):', ...helpLines(TRAINER_REGISTRY.all()).map((l) => `  ${l}`)].join('\n');
  return [
    'usage: tfjs-adversarial train [flags]    train a model adversarially (the seed CNN, a built-in --arch, or your --model), evaluate it, write report.json, the model and checkpoints',
    '       tfjs-adversarial eval --model PATH [flags]    evaluate a saved model clean and under the --attacks',
    '       tfjs-adversarial sweep [flags]    train at several epsilons, evaluate each at several: the robustness-accuracy trade-off',
    '       tfjs-adversarial report PATH [--points A-B]    (re)write report.html and charts/*.png beside a report.json or sweep.json; --points: print the tables on points A to B',
    '       tfjs-adversarial eval --model PATH --queue URL [flags]    the same eval, its batches computed by worker processes through Redis',
    '       tfjs-adversarial worker --queue URL [--model PATH] [--test-images PATH ...] [--lock-ms N] [--id NAME]    take batches of eval --queue until SIGTERM (model and data from the flags or the task)',
    '       tfjs-adversarial merge DIR... --out DIR    join the report.json of eval --shard K/N parts into the report of one run',
    '       tfjs-adversarial demo [--port N]    serve the demo page on 127.0.0.1 (default port 8080; 0: any free port)',
    '',
    'flags (commands that take them):',
    ...settingsHelp(),
  ].join('\n');
}

/** The help text of the built-in tables (what `--help` prints with no topic). */
export const USAGE = usage();

export class UsageError extends Error {}

/** The files of every `--plugin FILE` (or `--plugin=FILE`) in `argv`, whatever the command: plugins load before anything is checked or listed. */
export function pluginPaths(argv: string[]): string[] {
  const out: string[] = [];
  argv.forEach((arg, i) => {
    if (arg === '--plugin' && argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) out.push(argv[i + 1]);
    else if (arg.startsWith('--plugin=')) out.push(arg.slice('--plugin='.length));
  });
  return out;
}

/** The flags of `command` parsed: unknown flags, flags of another command and missing values are refused by name. */
export function parseCommandLine(argv: string[]): { command: Command | 'help'; values: Record<string, string | boolean | string[] | undefined>; topic?: string } {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') return { command: 'help', values: {}, topic: rest[0] };
  if (!COMMANDS.includes(command as Command)) throw new UsageError(`unknown command ${JSON.stringify(command)}: use train, eval or sweep`);
  const options = Object.fromEntries(SETTINGS.map((r) => [r.flag, { type: r.type === 'flag' ? ('boolean' as const) : ('string' as const), ...(r.key === 'plugin' ? { multiple: true } : {}) }]));
  let parsed: ReturnType<typeof parseArgs>;
  const helpTopic = rest.indexOf('--help') >= 0 && ['attacks', 'trainers'].includes(rest[rest.indexOf('--help') + 1]) ? rest[rest.indexOf('--help') + 1] : undefined;
  if (helpTopic) return { command: 'help', values: {}, topic: helpTopic };
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
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  for (const name of Object.keys(values)) {
    const row = FLAGS[name];
    if (!row.commands.includes(command as Command)) throw new UsageError(`--${name} does not apply to ${command} (it is for ${row.commands.join(', ')})`);
    const v = values[name];
    if (typeof v === 'string' && v.startsWith('--')) throw new UsageError(`--${name} needs a value, got ${v}`);
  }
  return { command: values.help ? 'help' : (command as Command), values };
}

/** The value of row `key` from the flags, checked against the table (or its default). */
function valueOf(values: Record<string, unknown>, key: string): unknown {
  const row = settingRow(key);
  const raw = values[row.flag];
  if (raw === undefined) return row.default;
  if (row.type === 'flag') return raw === true;
  const text = String(raw);
  if (row.type === 'path' || row.type === 'text') {
    if (text.trim() === '') throw new UsageError(`--${row.flag} needs a ${row.type === 'path' ? 'path' : 'value'}, got ""`);
    return text;
  }
  if (row.type === 'attacks') {
    try {
      parseAttackList(text);
    } catch (err) {
      throw new UsageError(`--${row.flag}: ${(err as Error).message}`);
    }
    return text;
  }
  if (row.type === 'trainers') {
    try {
      parseTrainerList(text);
    } catch (err) {
      throw new UsageError(`--${row.flag}: ${(err as Error).message}`);
    }
    return text;
  }
  if (row.type === 'epsilons') return epsilonList(row.flag, text);
  let value: unknown = text;
  try {
    value = parseParamText(row as ParamSpec, text);
  } catch {
    throw new UsageError(`--${row.flag} ${settingProblem(row, text) ?? `cannot read ${JSON.stringify(text)}`}`);
  }
  const problem = settingProblem(row, value);
  if (problem) throw new UsageError(`--${row.flag} ${problem.replace(/got .*$/, `got ${JSON.stringify(text)}`)}`);
  return value;
}

function epsilonList(flag: string, raw: string): number[] {
  const list = raw.split(',').map((s) => s.trim());
  const numbers = list.map((s) => (/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) ? Number(s) : Number.NaN));
  if (list.some((s) => s === '') || numbers.some((v) => !Number.isFinite(v) || v < 0 || v > 1)) throw new UsageError(`--${flag} must be comma-separated numbers in [0, 1], got ${JSON.stringify(raw)}`);
  if (new Set(numbers).size !== numbers.length) throw new UsageError(`--${flag} lists an epsilon twice: ${JSON.stringify(raw)}`);
  return numbers;
}

/** `--shard K/N` checked (K 0-based, below N). */
function shardOf(text: string): ShardSpec {
  try {
    return parseShard(text);
  } catch (err) {
    throw new UsageError(`--shard ${(err as Error).message.replace(/^eval: shard /, '')}`);
  }
}

/** The job request of `command`'s flags, every value checked against the table. */
export function jobRequest(command: Command, values: Record<string, string | boolean | string[] | undefined>): JobRequest {
  const settings = Object.fromEntries(SETTINGS.filter((r) => r.setting).map((r) => [r.key, valueOf(values, r.key)])) as unknown as TrainJobSettings;
  const str = (key: string) => valueOf(values, key) as string | null;
  const path = (key: string) => (str(key) === null ? undefined : str(key)!);
  const files = { trainImages: path('trainImages'), trainLabels: path('trainLabels'), testImages: path('testImages'), testLabels: path('testLabels'), model: path('model') === undefined ? undefined : resolve(path('model')!) };
  if (files.trainLabels && !files.trainImages) throw new UsageError('--train-labels needs --train-images (the IDX images file it labels)');
  if (files.testLabels && !files.testImages) throw new UsageError('--test-labels needs --test-images (the IDX images file it labels)');
  if (command !== 'eval' && files.testImages && !files.trainImages) throw new UsageError('--test-images needs --train-images (the embedded digits come with their own split)');
  if (command === 'eval' && !files.model) throw new UsageError('eval needs --model PATH/model.json');
  if (files.model && values.arch !== undefined) throw new UsageError('--arch and --model exclude each other: --model trains the given network, --arch builds one from scratch');
  let inputs: JobInputs;
  try {
    inputs = inputsFromFlags((key) => valueOf(values, key), { hasModel: files.model !== undefined, command });
  } catch (err) {
    throw err instanceof InputFlagError ? new UsageError(err.message) : err;
  }
  const runtime = valueOf(values, 'runtime') as 'node' | 'chrome';
  if (runtime === 'chrome' && values.plugin !== undefined) throw new UsageError('--plugin loads into the Node runtime; it does not reach --runtime chrome');
  const limit = (key: string) => (valueOf(values, key) as number | null) ?? undefined;
  const outFlag = str('out');
  if (command === 'eval' && values.resume !== undefined && outFlag === null) throw new UsageError('--resume needs --out DIR: eval saves its state only in a named output folder');
  if (values.shard !== undefined && outFlag === null) throw new UsageError('--shard needs --out DIR: a part\'s report.json is what merge joins');
  const queue = str('queue');
  if (queue !== null) {
    try {
      parseQueueUrl(queue, 'eval');
    } catch (err) {
      throw new UsageError((err as Error).message.replace(/^eval: /, ''));
    }
    if (values.shard !== undefined) throw new UsageError('--queue and --shard exclude each other: the queue cuts the points into batches itself');
    if (values.resume !== undefined) throw new UsageError('--queue does not take --resume: submit the same eval again and the batches the queue holds done are reused');
    if (values.runtime === 'chrome') throw new UsageError('--queue runs in Node (the submitter and the workers); it does not take --runtime chrome');
  }
  const epsilons = (key: string) => {
    const v = valueOf(values, key);
    return Array.isArray(v) ? (v as number[]) : epsilonList(settingRow(key).flag, v as string);
  };
  return {
    command,
    settings,
    probeExamples: valueOf(values, 'probeExamples') as number,
    limitTrain: limit('limitTrain'),
    limitTest: limit('limitTest'),
    trainEpsilons: epsilons('trainEpsilons'),
    trainers: (str('trainers') ?? undefined) as string | undefined,
    evalEpsilons: epsilons('evalEpsilons'),
    files,
    inputs,
    out: resolve(outFlag ?? join('runs', command)),
    writeEvalReport: command !== 'eval' || outFlag !== null,
    resume: valueOf(values, 'resume') === true,
    epochModels: valueOf(values, 'epochModels') === true,
    runtime,
    evaluation: {
      audit: valueOf(values, 'audit') === 'on',
      auditPoints: valueOf(values, 'auditPoints') as number,
      compositePoints: (valueOf(values, 'compositePoints') as number | null) ?? null,
      epsilons: valueOf(values, 'epsilons') === null ? null : epsilons('epsilons'),
      batchSize: valueOf(values, 'evalBatch') as number,
      shard: str('shard') === null ? null : shardOf(str('shard')!),
    },
    queue,
  };
}
