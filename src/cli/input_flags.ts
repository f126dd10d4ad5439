// The flags that say how to read a job's images and model: --classes and --image-size (image folders),
// --input-range and --normalize (the scale the model expects, folded into it), --freeze and
// --trainable-from (transfer learning), checked into the request's plain `inputs`.
import type { JobInputs } from '../job/execute';

/** Thrown for a flag's bad value; the CLI prints it and exits 2. */
export class InputFlagError extends Error {}

const numbers = (flag: string, part: string, text: string): number[] => {
  const list = text.split(',').map((s) => s.trim());
  const values = list.map((s) => (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) ? Number(s) : Number.NaN));
  if (list.length === 0 || values.some((v) => !Number.isFinite(v))) throw new InputFlagError(`--${flag}: ${part} must be comma-separated numbers, got ${JSON.stringify(text)}`);
  return values;
};

/** `mean=0.485,0.456,0.406,std=0.229,0.224,0.225` (or `:` between the two) as per-channel lists. */
export function parseNormalize(text: string): { mean: number[]; std: number[] } {
  const m = /^\s*mean=([^=]+?)[,:]\s*std=([^=]+)$/.exec(text);
  if (!m) throw new InputFlagError(`--normalize must be mean=M1,M2,...,std=S1,S2,... (per channel, in [0, 1] pixel units), got ${JSON.stringify(text)}`);
  const mean = numbers('normalize', 'mean', m[1]);
  const std = numbers('normalize', 'std', m[2]);
  if (std.some((s) => s <= 0)) throw new InputFlagError(`--normalize: std must be > 0, got ${m[2]}`);
  if (mean.length !== std.length && mean.length !== 1 && std.length !== 1) throw new InputFlagError(`--normalize: mean has ${mean.length} values and std ${std.length}: give one per channel (or one for all)`);
  return { mean, std };
}

/** `HxW` (or a single size for square images) as [height, width]. */
export function parseImageSize(text: string): [number, number] {
  const m = /^\s*(\d+)\s*(?:[xX]\s*(\d+))?\s*$/.exec(text);
  const h = m ? Number(m[1]) : Number.NaN;
  const w = m ? Number(m[2] ?? m[1]) : Number.NaN;
  if (!(h >= 1 && w >= 1 && h <= 4096 && w <= 4096)) throw new InputFlagError(`--image-size must be HxW (or N) with sizes from 1 to 4096, got ${JSON.stringify(text)}`);
  return [h, w];
}

/** `a,b,c` as class names: non-empty, each once. */
export function parseClasses(text: string): string[] {
  const names = text.split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) throw new InputFlagError(`--classes must be comma-separated folder names, got ${JSON.stringify(text)}`);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new InputFlagError(`--classes names ${JSON.stringify(twice)} twice`);
  if (names.length < 2) throw new InputFlagError(`--classes needs at least 2 classes, got ${JSON.stringify(text)}`);
  return names;
}

/**
 * The request's `inputs` from the flags' checked values (`value(key)`: the table's default when absent),
 * refusing combinations that cannot go together, naming the flags.
 *
 * @example
 * inputsFromFlags((k) => ({ normalize: 'mean=0.5,std=0.5' })[k] ?? null, { hasModel: true, command: 'eval' });
 */
export function inputsFromFlags(value: (key: string) => unknown, o: { hasModel: boolean; command: string }): JobInputs {
  const text = (key: string) => value(key) as string | null;
  const out: JobInputs = {};
  if (text('classes') !== null) out.classes = parseClasses(text('classes')!);
  if (text('imageSize') !== null) out.imageSize = parseImageSize(text('imageSize')!);
  const range = text('inputRange') ?? '0,1';
  const normalize = text('normalize');
  if ((range !== '0,1' || normalize !== null) && !o.hasModel) throw new InputFlagError(`--${normalize !== null ? 'normalize' : 'input-range'} describes a given --model's input: it needs --model (a built-in --arch takes [0, 1] pixels)`);
  if (range !== '0,1' && normalize !== null) throw new InputFlagError('--input-range and --normalize exclude each other: give the one the model expects');
  if (range !== '0,1') out.inputScale = { range: range.split(',').map(Number) as [number, number] };
  if (normalize !== null) out.inputScale = parseNormalize(normalize);
  const freeze = value('freeze') as number | null;
  const from = text('trainableFrom');
  if (freeze !== null && from !== null) throw new InputFlagError('--freeze and --trainable-from exclude each other: give the one that names where training starts');
  if ((freeze !== null || from !== null) && !o.hasModel) throw new InputFlagError(`--${freeze !== null ? 'freeze' : 'trainable-from'} freezes layers of a given --model: it needs --model`);
  if (freeze !== null) out.trainableFrom = freeze;
  if (from !== null) out.trainableFrom = from;
  return out;
}
