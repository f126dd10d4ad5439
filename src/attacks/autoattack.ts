// AutoAttack (Croce and Hein, ICML 2020) as a composite of the attack table: APGD-CE, APGD-T (9 target
// classes), FAB-T (9 target classes) and Square (5,000 queries, p_init 0.8), each run only on the points
// every earlier attack failed to fool, with the parameters of the reference's `standard` version
// (fra31/auto-attack, autoattack.py set_version: one restart each, 100 iterations). `fast` is the cheaper
// preset chosen by measurement (README: its gap to `standard` on the main job's model).
import { paramTable, type Params, type ParamValues } from '../core/params';
import { BALL_EPSILON_PARAM, checkBallEpsilon, defineAttack, NORM_PARAM, SEED_PARAM, type AttackDefinition, type AttackSpec } from './attack';
import { compositeRun, compositeStages } from './composite';

/** The versions: the attacks each runs, in order, for a radius, a ball and a seed. */
export const AUTOATTACK_VERSIONS: Record<string, (p: { epsilon: number; norm: string; seed: number }) => AttackSpec[]> = {
  standard: ({ epsilon, norm, seed }) => [
    { kind: 'apgd', loss: 'ce', epsilon, norm, steps: 100, restarts: 1, seed },
    { kind: 'apgd-t', epsilon, norm, steps: 100, targets: 9, restarts: 1, seed },
    { kind: 'fab-t', epsilon, norm, steps: 100, targets: 9, restarts: 1, seed },
    { kind: 'square', epsilon, norm, queries: 5000, pInit: 0.8, restarts: 1, seed },
  ],
  fast: ({ epsilon, norm, seed }) => [
    { kind: 'apgd', loss: 'ce', epsilon, norm, steps: 100, restarts: 1, seed },
    { kind: 'apgd-t', epsilon, norm, steps: 100, targets: 3, restarts: 1, seed },
  ],
};

const AUTOATTACK_PARAMS = paramTable({
  epsilon: BALL_EPSILON_PARAM,
  norm: NORM_PARAM,
  version: { type: 'choice', default: 'standard', choices: Object.keys(AUTOATTACK_VERSIONS), help: 'standard (the reference\'s) or fast (the measured cheaper preset)' },
  seed: SEED_PARAM,
});

const versionOf = (p: ParamValues<typeof AUTOATTACK_PARAMS>) => AUTOATTACK_VERSIONS[p.version]({ epsilon: p.epsilon, norm: p.norm, seed: p.seed });

export const autoattack: AttackDefinition = defineAttack({
  id: 'autoattack',
  title: 'AutoAttack',
  threat: 'linf',
  help: 'AutoAttack: APGD-CE, APGD-T, FAB-T, Square, each on the points still robust (Croce and Hein 2020); version fast: APGD-CE, APGD-T with 3 targets',
  params: AUTOATTACK_PARAMS,
  label: (p) => (p.version === 'standard' ? 'AutoAttack' : `AutoAttack-${p.version}`),
  derive: (p) => checkBallEpsilon('autoattack', p),
  components: versionOf,
  budget: () => ({ steps: null, step_size: null, random_start: null, restarts: null }),
  run: compositeRun(() => autoattack),
});

/** The stages of an AutoAttack version, resolved (for reports and tests). */
export const autoattackStages = (p: Params) => compositeStages(autoattack, p, 'autoattack');
