// What an attack is (torchattacks' `Attack`, AutoAttack's composition by name): an id, its threat model,
// its parameters with defaults and ranges, and one `run` on a batch. An `AttackSpec` names an attack and
// some parameters (`{ kind: 'pgd', epsilon: 0.1, steps: 20 }`); resolved, it has them all, a label for
// tables (`PGD-20`) and a key that tells two parameter sets apart.
import type * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '../models/classifier';
import { resolveParams, type ParamOptions, type ParamSpec, type Params, type ParamValue, type ParamValues } from '../core/params';
import { AdversarialArgumentError } from '../core/validate';

/** The set an attack searches: the L-infinity or L2 ball around the input, or none (clean). */
export type ThreatModel = 'linf' | 'l2' | 'none';

/** A batch as attacks see it: images in [clipMin, clipMax], one-hot and integer labels. */
export interface AttackBatch {
  x: tf.Tensor4D;
  onehot: tf.Tensor2D;
  labels: tf.Tensor1D;
}

/** One attack: a registry entry; `P` its parameter table, whose values its methods read typed. */
export interface AttackDefinition<P extends Record<string, ParamSpec> = Record<string, ParamSpec>> {
  /** Lower-case id, as the command line writes it (`pgd`). */
  id: string;
  /** Name in tables (`PGD`). */
  title: string;
  threat: ThreatModel;
  /** One line for `--help`. */
  help: string;
  params: P;
  /** Fills parameters whose default depends on others (PGD's step size); default: as given. */
  derive?(params: ParamValues<P>): ParamValues<P>;
  /** Short label for tables and charts (`PGD-20`); default: the title. */
  label?(params: ParamValues<P>): string;
  /**
   * The adversarial examples of the batch, a new tensor (the batch stays the caller's). Parameters are
   * checked and complete; `seed` (when the attack has one) is already offset for this batch.
   */
  run(model: Classifier, batch: AttackBatch, params: ParamValues<P>): tf.Tensor4D;
  /** Report fields of the attack's budget (`steps`, `step_size`, ...); default: read from the parameters. */
  budget?(params: ParamValues<P>): Partial<AttackBudget>;
  /**
   * What one run costs per attacked point, at most: gradient evaluations (a forward and a backward
   * pass) and forward-only queries. Reports multiply it by the points attacked. Default: none known.
   */
  cost?(params: ParamValues<P>): AttackCost;
  /**
   * A composite (AutoAttack): the attacks it runs in order, each only on the points every earlier one
   * failed to fool, the worst case kept per point. Evaluation reports each stage; `run` is then
   * {@link runComposite}'s.
   */
  components?(params: ParamValues<P>): AttackSpec[];
}

/**
 * An attack declared once: its parameter table's literal types give `run`, `derive`, `label`, `cost`,
 * `budget` and `components` their parameters' TypeScript types (no casts); the table holds it as a plain
 * AttackDefinition.
 *
 * @example
 * export const myAttack = defineAttack({ id: 'mine', title: 'Mine', threat: 'linf', help: '...',
 *   params: { epsilon: EPSILON_PARAM, steps: { type: 'integer', default: 10, min: 1, help: 'steps' } },
 *   run: (model, batch, p) => myAttackRun(model, batch.x, batch.onehot, p.epsilon, p.steps) });
 */
export function defineAttack<const P extends Record<string, ParamSpec>>(definition: AttackDefinition<P>): AttackDefinition {
  return definition as unknown as AttackDefinition;
}

/** Model evaluations per attacked point (upper bounds where an attack stops early). */
export interface AttackCost {
  gradients: number;
  queries: number;
}

/** The budget fields every report row carries (null where they do not apply). */
export interface AttackBudget {
  epsilon: number | null;
  steps: number | null;
  step_size: number | null;
  random_start: boolean | null;
  restarts: number | null;
  seed: number | null;
}

/** An attack by id with some of its parameters; the rest take their defaults. */
export type AttackSpec = { kind: string } & { [param: string]: ParamValue | undefined };

/** An attack with every parameter: what evaluation runs and reports record. */
export interface ResolvedAttack {
  definition: AttackDefinition;
  params: Params;
  /** `PGD-20` */
  label: string;
  /** `pgd:epsilon=0.1:steps=20:...`, every parameter in the definition's order. */
  key: string;
  /** The ball searched: the `norm` parameter where the attack has one, else the definition's. */
  threat: ThreatModel;
}

/**
 * `spec` checked against its definition and completed. Unknown parameters and bad values throw an
 * AdversarialArgumentError naming `attack.NAME`.
 *
 * @example
 * resolveAttack(pgd, { kind: 'pgd', epsilon: 0.1 }).label; // 'PGD-20'
 */
export function resolveAttack(definition: AttackDefinition, spec: AttackSpec, op = 'resolveAttack'): ResolvedAttack {
  const { kind: _kind, ...given } = spec;
  let params = resolveParams(op, `attack ${definition.id}`, definition.params, given);
  if (definition.derive) params = definition.derive(params);
  const key = [definition.id, ...Object.keys(definition.params).filter((n) => params[n] !== undefined).map((n) => `${n}=${params[n]}`)].join(':');
  const threat = typeof params.norm === 'string' ? (params.norm as ThreatModel) : definition.threat;
  return { definition, params, label: definition.label?.(params) ?? definition.title, key, threat };
}

/** The spec form of a resolved attack (`{ kind, ...params }`). */
export const attackSpecOf = (a: ResolvedAttack): AttackSpec => ({ kind: a.definition.id, ...a.params });

/** Report fields of a resolved attack's budget: the definition's, else read from parameters of those names. */
export function attackBudget(a: ResolvedAttack): AttackBudget {
  const p = a.params;
  const num = (name: string) => (typeof p[name] === 'number' ? (p[name] as number) : null);
  const generic: AttackBudget = {
    epsilon: num('epsilon'),
    steps: num('steps'),
    step_size: num('stepSize'),
    random_start: typeof p.randomStart === 'boolean' ? p.randomStart : null,
    restarts: num('restarts'),
    seed: num('seed'),
  };
  return { ...generic, ...a.definition.budget?.(p) };
}

/** Parameters most attacks share: the radius and the seed of random starts. */
export const EPSILON_PARAM = { type: 'number', default: 0.1, min: 0, max: 1, help: 'radius of the ball (L-inf: per pixel)' } as const satisfies ParamSpec;
/**
 * The radius of attacks that search either ball (with {@link NORM_PARAM}): up to 1 in L-inf (per pixel, checked
 * by {@link checkBallEpsilon} in the definition's `derive`), larger in L2 (the whole perturbation's length).
 */
export const BALL_EPSILON_PARAM = { type: 'number', default: 0.1, min: 0, max: 1000, help: 'radius of the ball (L-inf: per pixel, at most 1; L2: the perturbation\'s Euclidean length)' } as const satisfies ParamSpec;

/**
 * `params` unchanged when the radius fits the ball (L-inf: at most 1); else an AdversarialArgumentError
 * naming `attack ID.epsilon`.
 *
 * @example
 * checkBallEpsilon('pgd', { epsilon: 1.5, norm: 'l2' }); // fine; with norm 'linf' it throws
 */
export function checkBallEpsilon<T extends { readonly norm?: unknown; readonly epsilon?: unknown }>(id: string, params: T): T {
  if (params.norm !== 'l2' && typeof params.epsilon === 'number' && params.epsilon > 1) {
    throw new AdversarialArgumentError('resolveAttack', `attack ${id}.epsilon`, `must be at most 1 in the L-inf ball (a per-pixel radius), got ${params.epsilon}; norm=l2 takes larger radii`);
  }
  return params;
}

/** The `norm` parameter of attacks that search either ball (`threat` is then the default's). */
export const NORM_PARAM = { type: 'choice', default: 'linf', choices: ['linf', 'l2'], help: 'the ball: linf (per pixel) or l2 (Euclidean, over the whole image)' } as const satisfies ParamSpec;
export const SEED_PARAM = { type: 'integer', default: 0, min: 0, max: 2 ** 32 - 1, help: 'seed of the random starts (a batch adds its first example\'s position)' } as const satisfies ParamSpec;

/**
 * The options of an attack's public function (`pgdAttack`), derived from its parameter table so that the
 * two never drift: the radius required, every other parameter optional with the table's default, plus the
 * clip bounds of the images (default [0, 1]).
 *
 * @example
 * export type PgdAttackOptions = AttackOptions<typeof PGD_PARAMS>;
 */
export type AttackOptions<P extends Record<string, ParamSpec>> = ParamOptions<Omit<P, 'epsilon'>> & {
  /** The radius of the ball (L-inf: per pixel; L2: of the whole perturbation). */
  epsilon: number;
  /** Lower bound of the images (default 0). */
  clipMin?: number;
  /** Upper bound of the images (default 1). */
  clipMax?: number;
};

/** A resolved attack's cost per attacked point (zero where the definition does not say). */
export const attackCost = (a: ResolvedAttack): AttackCost => a.definition.cost?.(a.params) ?? { gradients: 0, queries: 0 };
