// The evaluation audit's checks, one row each: what it measures, what a warning means, and its test on
// the figures. Each says when a robustness figure cannot be trusted (Carlini et al. 2019, "On evaluating
// adversarial robustness"; Croce and Hein 2020): an attack that does not reach chance at a large radius,
// accuracy that rises with eps, a PGD that more steps or restarts still improve, a black-box attack that
// succeeds where gradients failed, FGSM stronger than PGD, gradients that are zero or not finite, a loss
// still rising when PGD stops, and PGD well above AutoAttack.
import { pct } from '../report/format';
import type { AttackBatch, AttackSpec } from '../attacks/attack';
import type { Classifier } from '../models/classifier';
import type { AuditCheck, ReportCurve } from '../report/schema';
import type { EvaluationResult } from '../train/evaluate';
import { ATTACK_REGISTRY } from '../attacks/index';
import { degenerateGradientFlags, pgdLossTrace } from './probes';

/** What a check sees: the job's evaluation, the audit's points, and attacks run on them on demand. */
export interface AuditContext {
  epsilon: number;
  /** The evaluation's PGD steps (the job's PGD, else 20). */
  pgdSteps: number;
  seed: number;
  /** The audit's points: the first `points` of the evaluated ones. */
  points: number;
  /** The accuracy of always answering the most frequent class of the audit's points. */
  chance: number;
  /** The job's results, each point's outcome kept. */
  evaluation: EvaluationResult[];
  curve?: ReportCurve;
  /** An attack on the audit's points (memoised by its key). */
  run(spec: AttackSpec): Promise<EvaluationResult>;
  /** The model and the audit's points as a batch, for `use` (the batch is released after). */
  withBatch<T>(use: (b: { model: Classifier; batch: AttackBatch }) => Promise<T>): Promise<T>;
}

type Outcome = Pick<AuditCheck, 'status' | 'summary' | 'figures'>;

export interface AuditCheckDefinition {
  id: string;
  title: string;
  meaning: string;
  run(ctx: AuditContext): Promise<Outcome>;
}

/** The margins the checks use (reported with their figures). */
export const AUDIT_MARGINS = {
  /** Accuracy at the large eps may exceed chance by this much. */
  largeEps: 0.1,
  /** The large radius: L-inf 0.5 reaches the all-grey image from any image in [0, 1]. */
  largeEpsilon: 0.5,
  /** Accuracy may rise with eps by this much (sampling noise of random starts). */
  monotone: 0.01,
  /** Twice the steps or five restarts may lower PGD accuracy by this much. */
  convergence: 0.02,
  /** Share of the points robust to the white-box attacks that Square may still fool. */
  blackBox: 0.02,
  /** FGSM accuracy may fall below PGD's by this much. */
  fgsmBelowPgd: 0.01,
  /** Share of clean points with a zero or non-finite input gradient. */
  degenerateGradients: 0.05,
  /** Share of PGD's total loss rise that may come in its last fifth of steps. */
  lossRising: 0.1,
  /** PGD accuracy may exceed AutoAttack's (same points, same eps) by this much. */
  pgdOverAutoAttack: 0.02,
  /** Square's queries in the black-box check when the evaluation ran no Square. */
  squareQueries: 500,
};

/** Accuracy of `r` on its first `n` points. */
export const accuracyOn = (r: EvaluationResult, n: number): number => r.robust.subarray(0, n).reduce((a, b) => a + b, 0) / Math.min(n, r.robust.length);
const firstOf = (ctx: AuditContext, id: string) => ctx.evaluation.find((r) => r.attack.kind === id && (r.attack.epsilon === undefined || r.attack.epsilon === ctx.epsilon));
const pass = (ok: boolean): Outcome['status'] => (ok ? 'pass' : 'warn');
const skip = (summary: string): Outcome => ({ status: 'skip', summary, figures: {} });

export const AUDIT_CHECKS: AuditCheckDefinition[] = [
  {
    id: 'large-eps',
    title: 'a large eps reaches chance',
    meaning: 'the attack fails even where every image can be turned grey: its gradients do not lead anywhere, so its figures at small eps are upper bounds at best',
    async run(ctx): Promise<Outcome> {
      const e = AUDIT_MARGINS.largeEpsilon;
      const r = await ctx.run({ kind: 'pgd', epsilon: e, steps: ctx.pgdSteps, seed: ctx.seed });
      return { status: pass(r.accuracy <= ctx.chance + AUDIT_MARGINS.largeEps), summary: `${r.label} at eps ${e}: ${pct(r.accuracy)} (chance ${pct(ctx.chance)}, margin ${pct(AUDIT_MARGINS.largeEps)})`, figures: { epsilon: e, accuracy: r.accuracy, chance: ctx.chance, margin: AUDIT_MARGINS.largeEps } };
    },
  },
  {
    id: 'monotone',
    title: 'accuracy falls as eps grows',
    meaning: 'a larger ball holds every point of a smaller one, so accuracy that rises with eps means the attack did not find what it could have',
    async run(ctx): Promise<Outcome> {
      const clean = firstOf(ctx, 'clean');
      const rises: string[] = [];
      let worst = 0;
      if (ctx.curve) {
        for (const label of ctx.curve.attacks) {
          const values = ctx.curve.epsilons.map((e) => ctx.curve!.accuracy[label][String(e)]);
          if (clean) values.unshift(accuracyOn(clean, ctx.curve.examples));
          for (let i = 1; i < values.length; i++) {
            const rise = values[i] - values[i - 1];
            worst = Math.max(worst, rise);
            if (rise > AUDIT_MARGINS.monotone) rises.push(`${label} ${pct(values[i - 1])} -> ${pct(values[i])}`);
          }
        }
      } else if (clean) {
        for (const r of ctx.evaluation.filter((x) => x.attack.kind !== 'clean')) {
          const rise = r.accuracy - accuracyOn(clean, r.examples);
          worst = Math.max(worst, rise);
          if (rise > AUDIT_MARGINS.monotone) rises.push(`${r.label} ${pct(r.accuracy)} above clean`);
        }
      }
      const over = ctx.curve ? `eps ${ctx.curve.epsilons.join(', ')}` : 'clean and eps ' + ctx.epsilon;
      return { status: pass(rises.length === 0), summary: rises.length ? `rises: ${rises.join('; ')}` : `non-increasing over ${over} (largest rise ${pct(worst)}, margin ${pct(AUDIT_MARGINS.monotone)})`, figures: { largest_rise: worst, margin: AUDIT_MARGINS.monotone } };
    },
  },
  {
    id: 'convergence',
    title: 'more steps and restarts change nothing',
    meaning: 'PGD has not converged: a stronger run of the same attack finds more adversarial points, so the figure overstates robustness',
    async run(ctx): Promise<Outcome> {
      const n = ctx.pgdSteps;
      const base = await ctx.run({ kind: 'pgd', epsilon: ctx.epsilon, steps: n, seed: ctx.seed });
      const longer = await ctx.run({ kind: 'pgd', epsilon: ctx.epsilon, steps: 2 * n, seed: ctx.seed });
      const restarts = await ctx.run({ kind: 'pgd', epsilon: ctx.epsilon, steps: n, restarts: 5, seed: ctx.seed });
      const drop = Math.max(base.accuracy - longer.accuracy, base.accuracy - restarts.accuracy);
      return { status: pass(drop <= AUDIT_MARGINS.convergence), summary: `PGD-${n} ${pct(base.accuracy)}, PGD-${2 * n} ${pct(longer.accuracy)}, PGD-${n} x5 restarts ${pct(restarts.accuracy)} (margin ${pct(AUDIT_MARGINS.convergence)})`, figures: { pgd: base.accuracy, twice_steps: longer.accuracy, five_restarts: restarts.accuracy, margin: AUDIT_MARGINS.convergence } };
    },
  },
  {
    id: 'black-box',
    title: 'a black-box attack never beats the white-box ones',
    meaning: 'Square, which sees only scores, fools points that every gradient attack failed on: the gradients are masked and the white-box figures overstate robustness',
    async run(ctx): Promise<Outcome> {
      const composite = ctx.evaluation.find((r) => r.stages?.some((s) => s.attack.kind === 'square'));
      if (composite) {
        const j = composite.stages!.findIndex((s) => s.attack.kind === 'square');
        const s = composite.stages![j];
        const before = j === 0 ? null : composite.stages![j - 1].correct;
        const fooled = (before ?? s.correct) - s.correct;
        const share = s.attacked ? fooled / s.attacked : 0;
        return { status: pass(share <= AUDIT_MARGINS.blackBox), summary: `${composite.label}: Square fooled ${fooled} of the ${s.attacked} points every white-box stage left (${pct(share)}, margin ${pct(AUDIT_MARGINS.blackBox)})`, figures: { attacked: s.attacked, fooled, share, margin: AUDIT_MARGINS.blackBox } };
      }
      if (!ATTACK_REGISTRY.has('square')) return skip('no Square attack in the table');
      const pgd = await ctx.run({ kind: 'pgd', epsilon: ctx.epsilon, steps: ctx.pgdSteps, seed: ctx.seed });
      const square = await ctx.run({ kind: 'square', epsilon: ctx.epsilon, queries: AUDIT_MARGINS.squareQueries, seed: ctx.seed });
      let attacked = 0;
      let fooled = 0;
      pgd.robust.forEach((f, i) => {
        if (f === 1) {
          attacked++;
          if (square.robust[i] === 0) fooled++;
        }
      });
      const share = attacked ? fooled / attacked : 0;
      return { status: pass(share <= AUDIT_MARGINS.blackBox), summary: `Square (${AUDIT_MARGINS.squareQueries} queries) fooled ${fooled} of the ${attacked} points PGD-${ctx.pgdSteps} left (${pct(share)}, margin ${pct(AUDIT_MARGINS.blackBox)})`, figures: { attacked, fooled, share, queries: AUDIT_MARGINS.squareQueries, margin: AUDIT_MARGINS.blackBox } };
    },
  },
  {
    id: 'fgsm-vs-pgd',
    title: 'FGSM is not stronger than PGD',
    meaning: 'one step beats many: the iterative attack is stuck (masked or noisy gradients, a bad step size)',
    async run(ctx): Promise<Outcome> {
      const fgsm = firstOf(ctx, 'fgsm') ?? (await ctx.run({ kind: 'fgsm', epsilon: ctx.epsilon }));
      const pgd = firstOf(ctx, 'pgd') ?? (await ctx.run({ kind: 'pgd', epsilon: ctx.epsilon, steps: ctx.pgdSteps, seed: ctx.seed }));
      const n = Math.min(fgsm.examples, pgd.examples);
      const [f, p] = [accuracyOn(fgsm, n), accuracyOn(pgd, n)];
      return { status: pass(f >= p - AUDIT_MARGINS.fgsmBelowPgd), summary: `${fgsm.label} ${pct(f)}, ${pgd.label} ${pct(p)} on ${n} points (margin ${pct(AUDIT_MARGINS.fgsmBelowPgd)})`, figures: { fgsm: f, pgd: p, points: n, margin: AUDIT_MARGINS.fgsmBelowPgd } };
    },
  },
  {
    id: 'gradients',
    title: 'input gradients are informative',
    meaning: 'on these points the loss gradient is zero or not finite (a saturated softmax, a non-differentiable layer): gradient attacks cannot move, so their figures say nothing',
    async run(ctx): Promise<Outcome> {
      const flags = await ctx.withBatch((b) => degenerateGradientFlags(b.model, b.batch));
      const share = flags.reduce((a, b) => a + b, 0) / flags.length;
      return { status: pass(share <= AUDIT_MARGINS.degenerateGradients), summary: `${pct(share)} of ${flags.length} clean points have a zero or non-finite cross-entropy gradient (margin ${pct(AUDIT_MARGINS.degenerateGradients)})`, figures: { share, points: flags.length, margin: AUDIT_MARGINS.degenerateGradients } };
    },
  },
  {
    id: 'loss-rising',
    title: 'PGD\'s loss has levelled off',
    meaning: 'the loss was still climbing when PGD stopped: more steps would find more adversarial points',
    async run(ctx): Promise<Outcome> {
      const n = ctx.pgdSteps;
      const trace = await ctx.withBatch((b) => pgdLossTrace(b.model, b.batch, ctx.epsilon, n, ctx.seed));
      const at = Math.floor(0.8 * n);
      const total = trace[n] - trace[0];
      const late = trace[n] - trace[at];
      const share = total > 0 ? late / total : 0;
      return { status: pass(share <= AUDIT_MARGINS.lossRising), summary: `mean CE ${trace[0].toFixed(3)} at the start, ${trace[at].toFixed(3)} after step ${at}, ${trace[n].toFixed(3)} after step ${n}: ${pct(share)} of the rise in the last fifth (margin ${pct(AUDIT_MARGINS.lossRising)})`, figures: { start: trace[0], at_four_fifths: trace[at], end: trace[n], late_share: share, margin: AUDIT_MARGINS.lossRising } };
    },
  },
  {
    id: 'pgd-vs-autoattack',
    title: 'PGD agrees with AutoAttack',
    meaning: 'AutoAttack finds adversarial points PGD misses: the PGD figure overstates robustness (report AutoAttack\'s)',
    async run(ctx): Promise<Outcome> {
      const composite = ctx.evaluation.find((r) => r.stages !== undefined && r.attack.epsilon === ctx.epsilon);
      const pgd = firstOf(ctx, 'pgd');
      if (!composite || !pgd) return skip('needs PGD and AutoAttack at the same eps in the evaluation');
      const n = Math.min(composite.examples, pgd.examples);
      const [p, a] = [accuracyOn(pgd, n), accuracyOn(composite, n)];
      return { status: pass(p - a <= AUDIT_MARGINS.pgdOverAutoAttack), summary: `${pgd.label} ${pct(p)}, ${composite.label} ${pct(a)} on the same ${n} points (margin ${pct(AUDIT_MARGINS.pgdOverAutoAttack)})`, figures: { pgd: p, autoattack: a, points: n, margin: AUDIT_MARGINS.pgdOverAutoAttack } };
    },
  },
];
