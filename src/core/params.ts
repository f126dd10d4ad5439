// Parameters of registry entries (attacks, trainers) and of job settings: one spec per parameter (type,
// range, default, help), one check that names what is wrong, and the `id:name=value:...` text form the
// command line uses (`pgd:steps=50:restarts=5`).
import { AdversarialArgumentError } from './validate';

export type ParamValue = number | boolean | string;
export type Params = Record<string, ParamValue>;

/** One parameter: its type, range or choices, default (null: derived from the others) and help line. */
export interface ParamSpec {
  type: 'number' | 'integer' | 'boolean' | 'choice';
  default: ParamValue | null;
  min?: number;
  max?: number;
  /** The range excludes `min`. */
  openMin?: boolean;
  choices?: readonly string[];
  help: string;
}

/** The TypeScript type of a value of `S`: boolean, one of its choices, or number. */
export type ParamValueOf<S extends ParamSpec> = ValueOfType<S['type'], S['choices'] extends readonly (infer C extends string)[] ? C : string>;
/** Distributes over a union of types (a spec not known literally gives any ParamValue). */
type ValueOfType<T, C> = T extends 'boolean' ? boolean : T extends 'choice' ? C : number;

/**
 * The checked, completed parameters of `P` as one typed object: a parameter with a default is always
 * there, one whose default is null (derived from the others by its owner) may be absent.
 */
export type ParamValues<P extends Record<string, ParamSpec>> = {
  readonly [K in keyof P]: P[K]['default'] extends null ? ParamValueOf<P[K]> | undefined : ParamValueOf<P[K]>;
};

/**
 * The options a public function takes for the parameters of `P`: each one optional (the table's default
 * fills it), typed by its spec. An attack's public function takes these; its registry entry passes its
 * resolved values straight through.
 *
 * @example
 * export type MyAttackOptions = ParamOptions<typeof MY_PARAMS> & { epsilon: number };
 */
export type ParamOptions<P extends Record<string, ParamSpec>> = { [K in keyof P]?: ParamValueOf<P[K]> };

/**
 * Declares a parameter table once, keeping its literal types, so that `ParamValues<typeof table>` is the
 * type its owner reads (no casts).
 *
 * @example
 * const PARAMS = paramTable({ beta: { type: 'number', default: 1, min: 0, help: 'weight of the KL term' } });
 * const beta: number = (params as ParamValues<typeof PARAMS>).beta;
 */
export const paramTable = <const P extends Record<string, ParamSpec>>(table: P): P => table;

/** The range of a spec as text: `[0, 1]`, `(0, 1]`, `one of a, b`. */
export function describeRange(spec: ParamSpec): string {
  if (spec.type === 'choice') return `one of ${(spec.choices ?? []).join(', ')}`;
  if (spec.type === 'boolean') return 'true or false';
  const lo = spec.min ?? -Infinity;
  const hi = spec.max ?? Infinity;
  return `${spec.type === 'integer' ? 'an integer' : 'a number'} in ${spec.openMin ? '(' : '['}${lo}, ${hi}]`;
}

/** Why `value` does not fit `spec`, or null when it does. */
export function paramProblem(spec: ParamSpec, value: unknown): string | null {
  const bad = `must be ${describeRange(spec)}, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`;
  switch (spec.type) {
    case 'boolean':
      return typeof value === 'boolean' ? null : bad;
    case 'choice':
      return typeof value === 'string' && (spec.choices ?? []).includes(value) ? null : bad;
    default: {
      if (typeof value !== 'number' || !Number.isFinite(value)) return bad;
      if (spec.type === 'integer' && !Number.isInteger(value)) return bad;
      if (spec.min !== undefined && (spec.openMin ? value <= spec.min : value < spec.min)) return bad;
      if (spec.max !== undefined && value > spec.max) return bad;
      return null;
    }
  }
}

/**
 * `given` checked against `specs` and completed with their defaults (null defaults stay absent for the
 * owner to derive). Unknown names and bad values throw an AdversarialArgumentError naming `prefix.name`.
 *
 * @example
 * resolveParams('pgdAttack', 'options', { steps: { type: 'integer', default: 20, min: 0, help: '' } }, { steps: 7 }); // { steps: 7 }
 */
export function resolveParams(op: string, prefix: string, specs: Record<string, ParamSpec>, given: Record<string, unknown>): Params {
  const out: Params = {};
  for (const [name, value] of Object.entries(given)) {
    if (value === undefined) continue;
    const spec = specs[name];
    if (!spec) throw new AdversarialArgumentError(op, `${prefix}.${name}`, `is not a parameter here; known: ${Object.keys(specs).join(', ') || 'none'}`);
    const problem = paramProblem(spec, value);
    if (problem) throw new AdversarialArgumentError(op, `${prefix}.${name}`, problem);
    out[name] = value as ParamValue;
  }
  for (const [name, spec] of Object.entries(specs)) if (out[name] === undefined && spec.default !== null) out[name] = spec.default;
  return out;
}

/**
 * The parameters of `table` read from `given` (an options object that may hold other fields too), checked
 * and completed with the table's defaults, typed: a public function and its registry entry then share one
 * declaration of defaults and ranges. Errors name `prefix.name`.
 *
 * @example
 * const { steps, restarts } = resolveTable('apgdAttack', 'options', APGD_PARAMS, options);
 */
export function resolveTable<const P extends Record<string, ParamSpec>>(op: string, prefix: string, table: P, given: object): ParamValues<P> {
  const picked = Object.fromEntries(Object.keys(table).map((name) => [name, (given as Record<string, unknown>)[name]]));
  return resolveParams(op, prefix, table, picked) as ParamValues<P>;
}

/** A value as text (`--attacks pgd:steps=7`) read as the spec's type; throws a plain Error on bad text. */
export function parseParamText(spec: ParamSpec, text: string): ParamValue {
  if (spec.type === 'boolean') {
    if (text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0') return false;
    throw new Error(`must be true or false, got ${JSON.stringify(text)}`);
  }
  if (spec.type === 'choice') return text;
  // Decimal only: Number('0x10') and Number('') would read hexadecimal and empty text as numbers.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text.trim())) throw new Error(`must be ${describeRange(spec)}, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** Short names the text form accepts for parameters (`pgd:eps=0.2`). */
const ALIASES: Record<string, string> = { eps: 'epsilon' };

/** `stepSize`, `step-size` and `step_size` all name the parameter `stepSize`; `eps` is `epsilon`. */
export const camelName = (name: string): string => {
  const camel = name.replace(/[-_]([a-z])/g, (_, c: string) => c.toUpperCase());
  return ALIASES[camel] ?? camel;
};

/** One entry of a list like `fgsm,pgd:steps=50:restarts=5`: its id and its `name=value` texts. */
export interface SpecText {
  id: string;
  values: Record<string, string>;
}

/**
 * Splits `fgsm,pgd:steps=50:restarts=5` into entries; names are read in camelCase (`step-size` is
 * `stepSize`, `eps` is `epsilon`). Throws a plain Error saying what is malformed.
 *
 * @example
 * splitSpecList('fgsm,pgd:steps=50'); // [{ id: 'fgsm', values: {} }, { id: 'pgd', values: { steps: '50' } }]
 */
export function splitSpecList(text: string): SpecText[] {
  const entries = text.split(',').map((s) => s.trim());
  if (entries.length === 0 || entries.some((e) => e === '')) throw new Error(`is an empty entry in ${JSON.stringify(text)}`);
  return entries.map((entry) => {
    const [id, ...pairs] = entry.split(':');
    const values: Record<string, string> = {};
    for (const pair of pairs) {
      const eq = pair.indexOf('=');
      if (eq <= 0 || eq === pair.length - 1) throw new Error(`${JSON.stringify(pair)} in ${JSON.stringify(entry)} is not name=value`);
      values[camelName(pair.slice(0, eq).trim())] = pair.slice(eq + 1).trim();
    }
    return { id: id.trim(), values };
  });
}

/**
 * The `name=value` texts of one list entry read against its definition's parameters (type and range);
 * throws a plain Error naming `id:name` (or the known parameters) for the caller to name its flag.
 *
 * @example
 * readSpecValues('pgd', pgd.params, { steps: '50' }); // { steps: 50 }
 */
export function readSpecValues(id: string, specs: Record<string, ParamSpec>, values: Record<string, string>): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [name, text] of Object.entries(values)) {
    const param = specs[name];
    if (!param) throw new Error(`${id} has no parameter ${JSON.stringify(name)}; its parameters: ${Object.keys(specs).join(', ') || 'none'}`);
    let value;
    try {
      value = parseParamText(param, text);
    } catch (err) {
      throw new Error(`${id}:${name} ${(err as Error).message}`);
    }
    const problem = paramProblem(param, value);
    if (problem) throw new Error(`${id}:${name} ${problem}`);
    out[name] = value;
  }
  return out;
}
