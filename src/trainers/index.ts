// The trainer table: every trainer the library runs, by id. The training loop, the job, `--trainer` and
// `--help`, the benchmark's training steps and the demo's choices are all derived from it;
// `registerTrainer` adds a user's own.
import { readSpecValues, splitSpecList } from '../core/params';
import { registry } from '../core/registry';
import { AdversarialArgumentError } from '../core/validate';
import { cleanTrainer } from './clean';
import { fgsmTrainer } from './fgsm';
import { fgsmRsTrainer } from './fgsm_rs';
import { martTrainer } from './mart';
import { nfgsmTrainer } from './nfgsm';
import { pgdTrainer } from './pgd';
import { tradesTrainer } from './trades';
import { resolveTrainer, type ResolvedTrainer, type TrainerDefinition } from './trainer';

const BUILT_IN_TRAINERS: TrainerDefinition[] = [cleanTrainer, fgsmTrainer, fgsmRsTrainer, nfgsmTrainer, pgdTrainer, tradesTrainer, martTrainer];

export const TRAINER_REGISTRY = registry<TrainerDefinition>('trainer', BUILT_IN_TRAINERS);

/**
 * Adds a trainer to the table: `train --trainer ID`, the sweep and reports then know it.
 *
 * @example
 * registerTrainer({ id: 'mine', title: 'mine', help: '...', adversarial: true, params: {}, step: (ctx) => ... });
 */
export function registerTrainer(definition: TrainerDefinition, options: { replace?: boolean } = {}): void {
  if (typeof definition?.step !== 'function') throw new AdversarialArgumentError('registerTrainer', 'definition.step', 'must be a function');
  TRAINER_REGISTRY.register(definition, options);
}

/** The definition of trainer `id` (throws naming `argument`, with the known ids, when there is none). */
export const getTrainer = (id: string, op?: string, argument?: string): TrainerDefinition => TRAINER_REGISTRY.get(id, op, argument);

/** Trainer `id` with `params` checked and completed. */
export const resolveTrainerById = (id: string, params: Record<string, unknown> = {}, op = 'resolveTrainer', argument = 'trainer'): ResolvedTrainer => resolveTrainer(getTrainer(id, op, argument), params, op);

/** A trainer with parameters as `--trainers` writes it (`trades:beta=6`). */
export interface TrainerSpec {
  id: string;
  params: Record<string, number | string | boolean>;
  /** The entry as written, normalised (`trades:beta=6`): the sweep's label and folder name. */
  label: string;
}

/**
 * A trainer list as the command line writes it (`fgsm-rs,trades:beta=1,trades:beta=6,pgd`), each
 * parameter checked against the trainer's definition. Throws a plain Error saying which entry and
 * parameter is wrong, for the caller to name its flag.
 *
 * @example
 * parseTrainerList('fgsm-rs,trades:beta=6'); // [{ id: 'fgsm-rs', params: {}, label: 'fgsm-rs' }, { id: 'trades', params: { beta: 6 }, label: 'trades:beta=6' }]
 */
export function parseTrainerList(text: string): TrainerSpec[] {
  const specs = splitSpecList(text).map(({ id, values }) => {
    if (!TRAINER_REGISTRY.has(id)) throw new Error(`${JSON.stringify(id)} is not a known trainer; known: ${TRAINER_REGISTRY.ids().join(', ')}`);
    const params = readSpecValues(id, getTrainer(id).params, values) as Record<string, number | string | boolean>;
    return { id, params, label: [id, ...Object.entries(params).map(([k, v]) => `${k}=${v}`)].join(':') };
  });
  const labels = specs.map((s) => s.label);
  const twice = labels.find((l, i) => labels.indexOf(l) !== i);
  if (twice) throw new Error(`${twice} is listed twice`);
  return specs;
}

/** The ids of the table, in order (`clean`, `fgsm`, `fgsm-rs`, `nfgsm`, `pgd`, `trades`, `mart`, then registered ones). */
export const trainerIds = (): string[] => TRAINER_REGISTRY.ids();

export { cleanTrainer, fgsmTrainer, fgsmRsTrainer, nfgsmTrainer, pgdTrainer, tradesTrainer, martTrainer };
export { defineTrainer, resolveTrainer, trainingLoss, minimize, type TrainerDefinition, type TrainerStepContext, type ResolvedTrainer } from './trainer';
