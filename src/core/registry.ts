// A table of named entries (attacks, trainers, architectures), kept on the global object as tfjs keeps
// its kernel registry: the package bundle, the command line and a user's plugin file then share one table
// even where they load separate copies of this code.
import { AdversarialArgumentError } from './validate';

export interface Registry<T extends { id: string }> {
  /** Every entry, in registration order. */
  all(): T[];
  ids(): string[];
  /** The entry `id`, or an AdversarialArgumentError naming `argument` and listing the ids. */
  get(id: string, op?: string, argument?: string): T;
  has(id: string): boolean;
  /** Adds an entry; an id already taken throws unless `replace`. */
  register(entry: T, options?: { replace?: boolean }): void;
}

const store = ((globalThis as { __tfjsAdversarialRegistries?: Record<string, Map<string, unknown>> }).__tfjsAdversarialRegistries ??= {});

/**
 * The registry `kind` ('attack', 'trainer', ...), holding `builtIns` from the start.
 *
 * @example
 * const ATTACK_REGISTRY = registry('attack', [cleanAttack, fgsm, pgd]);
 * ATTACK_REGISTRY.get('pgd');
 */
export function registry<T extends { id: string }>(kind: string, builtIns: T[]): Registry<T> {
  const table = (store[kind] ??= new Map()) as Map<string, T>;
  for (const entry of builtIns) if (!table.has(entry.id)) table.set(entry.id, entry);
  return {
    all: () => [...table.values()],
    ids: () => [...table.keys()],
    has: (id) => table.has(id),
    get(id, op = `get ${kind}`, argument = kind) {
      const entry = table.get(id);
      if (!entry) throw new AdversarialArgumentError(op, argument, `${JSON.stringify(id)} is not a known ${kind}; known: ${[...table.keys()].join(', ')}`);
      return entry;
    },
    register(entry, options = {}) {
      if (typeof entry?.id !== 'string' || !/^[a-z][a-z0-9-]*$/.test(entry.id)) {
        throw new AdversarialArgumentError(`register ${kind}`, `${kind}.id`, `must be lower-case letters, digits and '-', starting with a letter, got ${JSON.stringify(entry?.id)}`);
      }
      if (table.has(entry.id) && !options.replace) throw new AdversarialArgumentError(`register ${kind}`, `${kind}.id`, `${JSON.stringify(entry.id)} is already registered (pass { replace: true } to replace it)`);
      table.set(entry.id, entry);
    },
  };
}

/**
 * `--help` lines of a table: each id in a column as wide as the longest id plus two spaces, its help, and
 * its parameters with their defaults.
 *
 * @example
 * helpLines(ATTACK_REGISTRY.all()); // ['pgd         projected gradient descent ... (epsilon=0.1 steps=20 ...)', ...]
 */
export function helpLines(entries: { id: string; help: string; params: Record<string, { default?: unknown }> }[]): string[] {
  const width = Math.max(0, ...entries.map((e) => e.id.length)) + 2;
  return entries.map((e) => {
    const params = Object.entries(e.params).map(([n, p]) => `${n}=${p.default ?? 'derived'}`);
    return `${e.id.padEnd(width)}${e.help}${params.length ? ` (${params.join(' ')})` : ''}`;
  });
}
