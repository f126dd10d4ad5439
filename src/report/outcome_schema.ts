// The parts of report.json's schema that make evaluation go past one machine: each point's outcome
// (compact bitsets), the shard a report holds, and the settings that decide the outcomes. Plain types.

/**
 * Per-point outcomes of an evaluation (`report.outcomes`), compact, enough to recompute every table on any
 * range of the points and to merge shards by concatenation.
 *
 * Points are positions in the evaluated list (the test part in order, after --limit-test), absolute: a
 * shard's report holds positions [first, first + points). A bitset is base64 of bytes in which bit i % 8
 * (least significant first) of byte floor(i / 8) stands for position first + i.
 *
 * @example
 * // 10 points; the model misclassifies point 2 clean, FGSM fools 2 and 5, AutoAttack's second stage fools 7:
 * { first: 0, points: 10, first_fooled: '--0--1-2--',
 *   attacks: [{ key: 'clean', points: 10, wrong: 'BAA=' }, { key: 'fgsm:…', points: 10, wrong: 'JAA=' },
 *             { key: 'autoattack:…', points: 10, wrong: 'hAA=', stages: ['AAA=', 'gAA=', 'AAA=', 'AAA='] }] }
 */
export interface ReportOutcomes {
  /** The position of the first point held. */
  first: number;
  /** Points held. */
  points: number;
  /** Per attack of `evaluation`, in its order. */
  attacks: ReportAttackOutcomes[];
  /**
   * Per point held, one character: the index in `evaluation` of the first attack (in the order run) under
   * which the model was wrong on it, as a base-62 digit (`0`-`9`, `a`-`z`, `A`-`Z`; `0` is clean: misclassified
   * before any attack; `+` an attack after the 62nd, see the bitsets), or `-`: robust to every attack run on it.
   * `firstFooledOf` reads it as numbers (-1 robust).
   */
  first_fooled: string;
  /** `eval --epsilons`: per curve attack (label) and eps (as written), the points it ran on and those it did not leave robust. */
  curve?: Record<string, Record<string, { points: number; wrong: string }>>;
}

/** One attack's per-point outcomes (see {@link ReportOutcomes}). */
export interface ReportAttackOutcomes {
  /** The attack's key (`pgd:epsilon=0.1:…`). */
  key: string;
  /** Points it ran on: the first `points` held (a composite under --autoattack-points may run on fewer). */
  points: number;
  /** Bitset of the points the model got wrong under it (misclassified clean, or fooled). */
  wrong: string;
  /** A composite: per stage, the bitset of the points that stage fooled (each point in one stage at most). */
  stages?: string[];
}

/** `eval --shard K/N`: the part of the points a report holds. */
export interface ReportShard {
  /** K: 0-based, as a Kubernetes Indexed Job's JOB_COMPLETION_INDEX. */
  index: number;
  /** N: parts in all. */
  count: number;
  /** Positions [first, end) of the evaluated points. */
  first: number;
  end: number;
  /** Points of the whole evaluation (every part). */
  total: number;
  /** Points per evaluation batch: parts are cut at batch boundaries (an attack's seed follows its batch). */
  batch: number;
}

/** Everything besides the model and the data that decides an eval's outcomes (a merge of shards requires them equal). */
export interface EvalReportSettings {
  epsilon: number;
  attacks: string;
  pgd_steps: number;
  pgd_restarts: number;
  attack_seed: number;
  eval_batch: number;
  autoattack_points: number | null;
  epsilons: number[] | null;
  audit: boolean;
  audit_points: number;
}
