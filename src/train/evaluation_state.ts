// What an evaluation saves after every batch (and a composite after each stage inside one), so that an
// interrupted one continues where it stopped: the attacks (by key), the points and batch size, and per
// attack the points done, each point's outcome (a string of 0s and 1s), the seconds spent, a composite's
// per-stage counts and where it stands inside the batch it was running. JSON as it is.

/** Per-stage counts of a composite, summed over the batches done. */
export interface StageProgress {
  attacked: number;
  fooled: number;
  seconds: number;
}

/** One attack's progress. */
export interface AttackProgress {
  /** Points done (a prefix of the evaluation's points). */
  points: number;
  /** Their outcomes: '1' robust, '0' fooled or misclassified. */
  robust: string;
  seconds: number;
  /** A composite's points correct before its first stage. */
  cleanCorrect: number;
  stages: StageProgress[];
  /** A composite's per-point outcomes (`outcomeToText`): which stage fooled each point done. */
  outcome?: string;
  /** A composite stopped inside the batch that starts at `points`: the stages done and its points' flags. */
  batch?: { stage: number; robust: string; cleanCorrect: number; stages: StageProgress[]; outcome?: string };
}

export interface EvaluationState {
  version: 1;
  keys: string[];
  indices: number[];
  batchSize: number;
  attacks: AttackProgress[];
}

/** A fresh progress for an attack with `stages` stages (0 for a single attack). */
export const emptyProgress = (stages: number): AttackProgress => ({ points: 0, robust: '', seconds: 0, cleanCorrect: 0, stages: Array.from({ length: stages }, () => ({ attacked: 0, fooled: 0, seconds: 0 })) });

export const flagsToText = (flags: ArrayLike<number>): string => Array.from(flags, (f) => (f ? '1' : '0')).join('');

/** A composite's per-point outcomes as text: '-' robust, '0' misclassified clean, '1', '2', ... fooled by that stage. */
export const outcomeToText = (outcome: ArrayLike<number>): string => Array.from(outcome, (o) => (o < 0 ? '-' : String.fromCharCode(48 + o))).join('');

/** The outcomes of `text` (`outcomeToText`), in an array of `length` (default the text's; the rest -1). */
export function outcomeFromText(text: string, length = text.length): Int16Array {
  const out = new Int16Array(Math.max(length, text.length)).fill(-1);
  for (let i = 0; i < text.length; i++) out[i] = text[i] === '-' ? -1 : text.charCodeAt(i) - 48;
  return out;
}

/** Flags of `text`, in an array of `length` (default the text's). */
export function flagsFromText(text: string, length = text.length): Uint8Array {
  const out = new Uint8Array(Math.max(length, text.length));
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) === 49 ? 1 : 0;
  return out;
}

/** Why `state` cannot be continued by an evaluation of `keys` on `indices` in batches of `batchSize`, or null. */
export function evaluationStateProblem(state: EvaluationState, keys: string[], indices: ArrayLike<number>, batchSize: number, points: number[]): string | null {
  if (state?.version !== 1 || !Array.isArray(state.keys) || !Array.isArray(state.attacks) || !Array.isArray(state.indices)) return 'is not a saved evaluation state (version 1)';
  if (state.keys.join('|') !== keys.join('|')) return `was saved for the attacks ${state.keys.join(', ')}, not ${keys.join(', ')}`;
  if (state.indices.length !== indices.length || state.indices.some((v, i) => v !== indices[i])) return `was saved for other points (${state.indices.length} of them)`;
  if (state.batchSize !== batchSize) return `was saved with batches of ${state.batchSize}, not ${batchSize} (the attacks' seeds follow the batches)`;
  for (const [a, p] of state.attacks.entries()) {
    if (!(Number.isInteger(p?.points) && p.points >= 0 && p.points <= points[a]) || p.robust.length !== p.points) return `has a broken record for attack ${a}`;
    if (p.points < points[a] && p.points % batchSize !== 0) return `stops attack ${a} inside a batch (${p.points} points)`;
    const b = p.batch;
    if (b !== undefined) {
      const size = Math.min(batchSize, points[a] - p.points);
      if (!(size > 0 && Number.isInteger(b?.stage) && b.stage >= 1 && b.stage < p.stages.length && b.robust?.length === size && b.stages?.length === b.stage)) return `has a broken record of attack ${a}'s batch in progress`;
    }
  }
  return null;
}
