// The library's refusals of a command-line job, as the command line's: an AdversarialArgumentError whose
// argument comes from a flag (`settings.batchSize`, `probeExamples`, `model`, `train.labels`) becomes a
// UsageError (exit 2) naming the flag, through the settings table's key -> flag.
import { SETTINGS } from '../job/settings';
import { UsageError } from './args';

/** Arguments of the library that are not settings keys, by the flag that gives them. */
const ARGUMENT_FLAGS: Record<string, string> = {
  'train.labels': 'train-labels',
  'test.labels': 'test-labels',
  train: 'train-images',
  test: 'test-images',
  numClasses: 'model',
  classes: 'classes',
  'options.checkpoint.restore': 'resume',
};

/** The flag (without `--`) that gives library argument `argument` (`settings.batchSize` -> `batch-size`), or null. */
export function flagOfArgument(argument: string): string | null {
  if (ARGUMENT_FLAGS[argument]) return ARGUMENT_FLAGS[argument];
  const key = argument.replace(/^(settings|options)\./, '');
  return SETTINGS.find((r) => r.key === key)?.flag ?? null;
}

/** `err` as a UsageError naming the flag, when it is an AdversarialArgumentError of a flag's value; else null. */
export function flagErrorOf(err: unknown): UsageError | null {
  const e = err as { name?: unknown; op?: unknown; argument?: unknown; message?: unknown };
  if (!(err instanceof Error) || e.name !== 'AdversarialArgumentError' || typeof e.argument !== 'string' || typeof e.op !== 'string') return null;
  const flag = flagOfArgument(e.argument);
  if (!flag) return null;
  const prefix = `${e.op}: ${e.argument} `;
  const rest = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
  return new UsageError(`--${flag} ${rest}`);
}
