// Per-point outcomes (report.outcomes, schema in outcome_schema.ts): made from an evaluation's results,
// joined from shards by position, and read back to recompute the evaluation table on a range of points
// (`report --points A-B`). Bitsets are base64, least significant bit first.
import type { EvaluationResult } from '../train/evaluate';
import type { ReportAttackOutcomes, ReportCurve, ReportEvaluation, ReportOutcomes } from './schema';

/**
 * `bits` (1 = set) as a base64 bitset.
 *
 * @example
 * encodeBitset([0, 0, 1]); // 'BA=='
 */
export function encodeBitset(bits: ArrayLike<number>): string {
  const bytes = new Uint8Array(Math.ceil(bits.length / 8));
  for (let i = 0; i < bits.length; i++) if (bits[i]) bytes[i >> 3] |= 1 << (i & 7);
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

/** The first `length` bits of base64 bitset `text` (1 = set). */
export function decodeBitset(text: string, length: number): Uint8Array {
  const raw = atob(text);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i >> 3) < raw.length ? (raw.charCodeAt(i >> 3) >> (i & 7)) & 1 : 0;
  return out;
}

/** One result's outcomes: the points it ran on, those it got wrong, a composite's per-stage fooled points. */
export function attackOutcomes(r: EvaluationResult): ReportAttackOutcomes {
  const out: ReportAttackOutcomes = { key: r.key, points: r.examples, wrong: encodeBitset(Array.from(r.robust.subarray(0, r.examples), (f) => 1 - f)) };
  if (r.stages) out.stages = r.stages.map((_, j) => encodeBitset(Array.from(r.stageOutcome ?? new Int16Array(r.examples), (o) => (o === j + 1 ? 1 : 0))));
  return out;
}

/**
 * The outcomes of `results` (one evaluation on `points` points from position `first`), with the curve's
 * results by label and eps where there is one.
 *
 * @example
 * const outcomes = outcomesOf(results, 0, 500); // outcomes.first_fooled[p]: '-' robust, '0' clean wrong, '3': attack 3 fooled it first
 */
export function outcomesOf(results: EvaluationResult[], first: number, points: number, curve?: Record<string, Record<string, EvaluationResult>>): ReportOutcomes {
  const attacks = results.map(attackOutcomes);
  const out: ReportOutcomes = { first, points, attacks, first_fooled: firstFooled(attacks, points) };
  if (curve) out.curve = Object.fromEntries(Object.entries(curve).map(([label, byEps]) => [label, Object.fromEntries(Object.entries(byEps).map(([e, r]) => [e, { points: r.examples, wrong: attackOutcomes(r).wrong }]))]));
  return out;
}

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Per point, as `first_fooled` writes it: the first attack (a base-62 digit) that got it wrong, or `-`. */
export function firstFooled(attacks: ReportAttackOutcomes[], points: number): string {
  const out = new Array<number>(points).fill(-1);
  for (let a = attacks.length - 1; a >= 0; a--) {
    const wrong = decodeBitset(attacks[a].wrong, attacks[a].points);
    wrong.forEach((w, i) => (w ? (out[i] = a) : 0));
  }
  return out.map((a) => (a < 0 ? '-' : (DIGITS[a] ?? '+'))).join('');
}

/**
 * `outcomes.first_fooled` as numbers: per point the index of the first attack that got it wrong (0 clean), -1
 * robust, and for `+` (an attack after the 62nd) the index read from the bitsets.
 *
 * @example
 * firstFooledOf({ ...outcomes, first_fooled: '--0--1-2--' }); // [-1, -1, 0, -1, -1, 1, -1, 2, -1, -1]
 */
export function firstFooledOf(outcomes: ReportOutcomes): number[] {
  return Array.from(outcomes.first_fooled, (c, i) => {
    if (c === '-') return -1;
    if (c !== '+') return DIGITS.indexOf(c);
    return outcomes.attacks.findIndex((a, k) => k >= 62 && i < a.points && decodeBitset(a.wrong, i + 1)[i] === 1);
  });
}

/** Bits of `parts` (each `{ points, wrong }` from position `firsts[k]`) joined into one bitset of `length` from position `first`. */
function joinBits(parts: { points: number; wrong: string }[], firsts: number[], first: number): { points: number; bits: Uint8Array } {
  const points = parts.reduce((a, p) => a + p.points, 0);
  const bits = new Uint8Array(points);
  parts.forEach((p, k) => decodeBitset(p.wrong, p.points).forEach((b, i) => (bits[firsts[k] - first + i] = b)));
  return { points, bits };
}

/**
 * Shards' outcomes joined (each holds the positions after the one before it, in order); the attacks' and
 * the curve's points are summed, the bitsets placed by position.
 *
 * @example
 * joinOutcomes([shard0.outcomes, shard1.outcomes, shard2.outcomes]); // the single run's outcomes
 */
export function joinOutcomes(parts: ReportOutcomes[]): ReportOutcomes {
  const first = parts[0].first;
  const firsts = parts.map((p) => p.first);
  const attacks = parts[0].attacks.map((a, i): ReportAttackOutcomes => {
    const joined = joinBits(parts.map((p) => p.attacks[i]), firsts, first);
    const out: ReportAttackOutcomes = { key: a.key, points: joined.points, wrong: encodeBitset(joined.bits) };
    if (a.stages) out.stages = a.stages.map((_, j) => encodeBitset(joinBits(parts.map((p) => ({ points: p.attacks[i].points, wrong: p.attacks[i].stages![j] })), firsts, first).bits));
    return out;
  });
  const points = parts.reduce((acc, p) => acc + p.points, 0);
  const out: ReportOutcomes = { first, points, attacks, first_fooled: parts.map((p) => p.first_fooled).join('') };
  if (parts[0].curve) {
    out.curve = Object.fromEntries(Object.entries(parts[0].curve).map(([label, byEps]) => [label, Object.fromEntries(Object.keys(byEps).map((e) => {
      const joined = joinBits(parts.map((p) => p.curve![label][e]), firsts, first);
      return [e, { points: joined.points, wrong: encodeBitset(joined.bits) }];
    }))]));
  }
  return out;
}

const popcount = (bits: Uint8Array, from: number, to: number) => bits.subarray(from, to).reduce((a, b) => a + b, 0);

/**
 * The evaluation recomputed on the points at positions [from, to) from `outcomes`: per attack its points,
 * correct count and accuracy, a composite's stages (points attacked, correct after, cost in proportion),
 * each from the attack's outcomes alone; seconds scaled by the share of the points.
 *
 * @example
 * evaluationOnRange(report.evaluation, report.outcomes!, 0, 100).map((e) => e.accuracy);
 */
export function evaluationOnRange(evaluation: ReportEvaluation[], outcomes: ReportOutcomes, from: number, to: number): ReportEvaluation[] {
  const [a0, b0] = [Math.max(from, outcomes.first) - outcomes.first, Math.min(to, outcomes.first + outcomes.points) - outcomes.first];
  return evaluation.map((e, i) => {
    const o = outcomes.attacks[i];
    const [a, b] = [Math.min(a0, o.points), Math.max(Math.min(b0, o.points), Math.min(a0, o.points))];
    const examples = b - a;
    const wrong = decodeBitset(o.wrong, o.points);
    const correct = examples - popcount(wrong, a, b);
    const share = o.points ? examples / o.points : 0;
    const out: ReportEvaluation = { ...e, examples, correct, accuracy: correct / examples, seconds: e.seconds * share, gradients: e.examples ? (e.gradients / e.examples) * examples : 0, queries: e.examples ? (e.queries / e.examples) * examples : 0 };
    if (e.stages && o.stages) {
      const fooledBy = o.stages.map((s) => popcount(decodeBitset(s, o.points), a, b));
      let robust = examples - (popcount(wrong, a, b) - fooledBy.reduce((x, y) => x + y, 0));
      out.stages = e.stages.map((s, j) => {
        const attacked = robust;
        robust -= fooledBy[j];
        const per = (v: number) => (s.attacked ? (v / s.attacked) * attacked : 0);
        return { ...s, attacked, correct: robust, accuracy: robust / examples, gradients: per(s.gradients), queries: per(s.queries), seconds: per(s.seconds) };
      });
      out.gradients = out.stages.reduce((x, s) => x + s.gradients, 0);
      out.queries = out.stages.reduce((x, s) => x + s.queries, 0);
    }
    return out;
  });
}

/** The curve recomputed on positions [from, to) from `outcomes.curve` (null without one). */
export function curveOnRange(curve: ReportCurve, outcomes: ReportOutcomes, from: number, to: number): ReportCurve | null {
  if (!outcomes.curve) return null;
  const [a0, b0] = [Math.max(from, outcomes.first) - outcomes.first, Math.min(to, outcomes.first + outcomes.points) - outcomes.first];
  let examples = 0;
  const accuracy = Object.fromEntries(curve.attacks.map((label) => [label, Object.fromEntries(curve.epsilons.map((eps) => {
    const o = outcomes.curve![label][String(eps)];
    const [a, b] = [Math.min(a0, o.points), Math.max(Math.min(b0, o.points), Math.min(a0, o.points))];
    examples = Math.max(examples, b - a);
    return [String(eps), (b - a - popcount(decodeBitset(o.wrong, o.points), a, b)) / (b - a)];
  }))]));
  return { ...curve, accuracy, examples };
}
