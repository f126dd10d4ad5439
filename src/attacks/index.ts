// The attack table: every attack the library runs, by id. Evaluation, reports, the sweep, the command
// line's --attacks and --help, and the demo's choices are all derived from it; `registerAttack` adds a
// user's own (one file, one call).
import { readSpecValues, splitSpecList } from '../core/params';
import { helpLines, registry } from '../core/registry';
import { AdversarialArgumentError } from '../core/validate';
import { apgd } from './apgd';
import { apgdT } from './apgd_t';
import { resolveAttack, type AttackDefinition, type AttackSpec, type ResolvedAttack } from './attack';
import { autoattack } from './autoattack';
import { cleanAttack } from './clean';
import { fgm } from './fgm';
import { fabT } from './fab';
import { fgsm } from './fgsm';
import { pgd } from './pgd';
import { square } from './square';

/** The built-in attacks, in the order `--help` lists them. */
const BUILT_IN_ATTACKS: AttackDefinition[] = [cleanAttack, fgsm, fgm, pgd, apgd, apgdT, fabT, square, autoattack];

export const ATTACK_REGISTRY = registry<AttackDefinition>('attack', BUILT_IN_ATTACKS);

/**
 * Adds an attack to the table: `eval --attacks ID`, reports and the sweep then know it.
 *
 * @example
 * registerAttack({ id: 'noise', title: 'noise', threat: 'linf', help: 'uniform noise', params: { epsilon: EPSILON_PARAM },
 *   run: (model, batch, p) => tf.tidy(() => tf.clipByValue(tf.add(batch.x, tf.randomUniform(batch.x.shape, -p.epsilon, p.epsilon)), 0, 1)) });
 */
export function registerAttack(definition: AttackDefinition, options: { replace?: boolean } = {}): void {
  if (typeof definition?.run !== 'function') throw new AdversarialArgumentError('registerAttack', 'definition.run', 'must be a function');
  if (typeof definition.params !== 'object' || definition.params === null) throw new AdversarialArgumentError('registerAttack', 'definition.params', 'must be an object of parameter specs');
  ATTACK_REGISTRY.register(definition, options);
}

/** The definition of attack `id` (throws naming `argument`, with the known ids, when there is none). */
export const getAttack = (id: string, op?: string, argument?: string): AttackDefinition => ATTACK_REGISTRY.get(id, op, argument);

/** `spec` resolved against the table: its definition, every parameter, its label and key. */
export function resolveAttackSpec(spec: AttackSpec, op = 'resolveAttackSpec', argument = 'attack.kind'): ResolvedAttack {
  if (typeof spec?.kind !== 'string') throw new AdversarialArgumentError(op, argument, `must name an attack; known: ${ATTACK_REGISTRY.ids().join(', ')}`);
  return resolveAttack(getAttack(spec.kind, op, argument), spec, op);
}

/**
 * An attack list as the command line writes it (`fgsm,pgd:steps=50:restarts=5`) read into specs; each
 * parameter checked against the attack's definition. Throws a plain Error saying which entry and
 * parameter is wrong, for the caller to name its flag.
 *
 * @example
 * parseAttackList('fgsm,pgd:steps=50'); // [{ kind: 'fgsm' }, { kind: 'pgd', steps: 50 }]
 */
export function parseAttackList(text: string): AttackSpec[] {
  return splitSpecList(text).map(({ id, values }) => {
    if (!ATTACK_REGISTRY.has(id)) throw new Error(`${JSON.stringify(id)} is not a known attack; known: ${ATTACK_REGISTRY.ids().join(', ')}`);
    const spec: AttackSpec = { kind: id, ...readSpecValues(id, getAttack(id).params, values) };
    return spec;
  });
}

/** `--help` lines of the table: each attack with its parameters and defaults. */
export function attackHelp(): string[] {
  return helpLines(ATTACK_REGISTRY.all());
}

export { cleanAttack, fgsm, fgm, pgd, apgd, apgdT, fabT, square, autoattack };
export { AUTOATTACK_VERSIONS, autoattackStages } from './autoattack';
export { compositeStages, runComposite, runCompositeStages, compositeCost, type CompositeBatchProgress, type CompositeStagesOptions, type StageBatchResult } from './composite';
export { fabAttack, type FabAttackOptions } from './fab';
export { fabHyperplane, fabProjection, fabStep, type FabNorm, type FabProjectionOptions, type FabStepOptions } from '../kernels/ops/fab_ops';
export { fgsmAttack, type FgsmAttackOptions } from './fgsm';
export { fgmAttack, type FgmAttackOptions } from './fgm';
export { apgdTargetedAttack, type ApgdTargetedAttackOptions } from './apgd_t';
export { pgdAttack, type PgdAttackOptions } from './pgd';
export { apgdAttack, type ApgdAttackOptions } from './apgd';
export { apgdCheckpoints, apgdHalveStep, apgdHalveStepMask, countIncreases, type ApgdCheckpoint, type ApgdCheckpointState } from './apgd_schedule';
export { squareAttack, squareAttackAsync, type SquareAttackOptions, type SquareAsyncOptions, type SquareAsyncResult } from './square';
export { squareP, squareSide, squareEta, squareKey, squareDraw, squareQueryDraws, squareL2InitGrid, squareL2InitNorm, pickBelow, roundHalfEven, type SquareNorm, type SquareQueryDraws, type SquareL2InitGrid } from '../kernels/square_schedule';
export { perExampleLoss, ATTACK_LOSSES, type AttackLoss } from './losses';
export { defineAttack, resolveAttack, attackBudget, attackCost, attackSpecOf, checkBallEpsilon, BALL_EPSILON_PARAM, EPSILON_PARAM, NORM_PARAM, SEED_PARAM, type AttackCost, type AttackDefinition, type AttackSpec, type ResolvedAttack, type AttackBatch, type AttackBudget, type AttackOptions, type ThreatModel } from './attack';
