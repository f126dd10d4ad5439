// The attack-iteration benchmark: what one iteration of each attack of the table costs per image, next to
// a PGD step on the same model and batch (the seed CNN, 28x28 digits). An iteration's time is the
// difference between a long and a short run of the attack, divided by the extra iterations: the fixed
// costs (random start, restarts' bookkeeping, the final check) cancel. Ratios `apgd iteration / pgd step`
// (issue: at most 1.3) and `square query / pgd step` go to the regression check.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import { ATTACK_REGISTRY, resolveAttackSpec, type AttackSpec } from '../attacks/index';
import { seedCnn } from '../models/seed_cnn';
import type { BenchRatio } from './kernels';
import { drainQueue } from './timing';

export interface AttackIterationEntry {
  /** `pgd step`, `apgd iteration`, `square query`, ... */
  name: string;
  attack: string;
  batch: number;
  /** Iterations in the short and the long run. */
  iterations: [number, number];
  /** Milliseconds per iteration per image (median over rounds). */
  msPerImage: number;
  /** This iteration over a PGD step. */
  perPgdStep: number;
}

/** What is timed: an attack spec with its iteration count set to n. */
const CASES: { name: string; attack: string; spec: (n: number) => AttackSpec; iterations: [number, number] }[] = [
  { name: 'pgd step', attack: 'pgd', spec: (n) => ({ kind: 'pgd', epsilon: 0.1, steps: n }), iterations: [5, 25] },
  { name: 'apgd iteration', attack: 'apgd', spec: (n) => ({ kind: 'apgd', epsilon: 0.1, steps: n }), iterations: [5, 25] },
  { name: 'apgd-t iteration (1 target)', attack: 'apgd-t', spec: (n) => ({ kind: 'apgd-t', epsilon: 0.1, steps: n, targets: 1 }), iterations: [5, 25] },
  { name: 'fab-t iteration (1 target)', attack: 'fab-t', spec: (n) => ({ kind: 'fab-t', epsilon: 0.1, steps: n, targets: 1 }), iterations: [5, 25] },
  { name: 'square query', attack: 'square', spec: (n) => ({ kind: 'square', epsilon: 0.1, queries: n }), iterations: [20, 220] },
];

export interface AttackIterationOptions {
  batch?: number;
  rounds?: number;
  filter?: string;
  onProgress?: (message: string) => void;
}

/**
 * Times an iteration of each attack in the table (those registered) per image, beside a PGD step.
 *
 * @example
 * const { entries, ratios } = await runAttackIterationBench({ batch: 128, rounds: 3 });
 */
export async function runAttackIterationBench(options: AttackIterationOptions = {}): Promise<{ entries: AttackIterationEntry[]; ratios: BenchRatio[] }> {
  const backend = tf.backend() as WebGPUBackend;
  const batch = options.batch ?? 128;
  const rounds = options.rounds ?? 3;
  const model = seedCnn({ seed: 1 });
  // Random digits in [0, 1] and labels: the iteration's cost does not depend on the model's accuracy,
  // except Square's, which stops querying fooled points: an untrained model fools few of them at eps 0.1.
  const x = tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
  const labels = tf.tidy(() => tf.argMax(model.forward(x), 1)) as tf.Tensor1D;
  const onehot = tf.tidy(() => tf.cast(tf.oneHot(labels, 10), 'float32')) as tf.Tensor2D;
  const timeRun = async (spec: AttackSpec) => {
    const attack = resolveAttackSpec(spec);
    const t0 = performance.now();
    const adv = attack.definition.run(model, { x, onehot, labels }, attack.params);
    await adv.data();
    await drainQueue(backend);
    adv.dispose();
    return performance.now() - t0;
  };
  const entries: AttackIterationEntry[] = [];
  try {
    for (const c of CASES) {
      if (options.filter && !c.name.includes(options.filter) && c.name !== 'pgd step') continue;
      if (!ATTACK_REGISTRY.has(c.attack)) continue;
      const [short, long] = c.iterations;
      await timeRun(c.spec(short)); // compile the pipelines
      const perRound: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const a = await timeRun(c.spec(short));
        const b = await timeRun(c.spec(long));
        perRound.push((b - a) / (long - short) / batch);
      }
      perRound.sort((p, q) => p - q);
      const msPerImage = perRound[Math.floor(perRound.length / 2)];
      const pgd = entries.find((e) => e.attack === 'pgd');
      entries.push({ name: c.name, attack: c.attack, batch, iterations: c.iterations, msPerImage, perPgdStep: pgd ? msPerImage / pgd.msPerImage : 1 });
      options.onProgress?.(`${c.name} [${batch}]: ${(msPerImage * 1000).toFixed(1)} us per image${pgd ? `, ${(msPerImage / pgd.msPerImage).toFixed(2)} x a PGD step` : ''}`);
    }
  } finally {
    tf.dispose([x, labels, onehot, ...model.variables]);
  }
  const ratios: BenchRatio[] = entries
    .filter((e) => e.attack !== 'pgd')
    .map((e) => ({ name: `pgd step / ${e.name} [${batch}]`, value: 1 / e.perPgdStep, definition: 'time per image of one PGD step / of one iteration of the attack, same model and batch (differences of a long and a short run; higher is cheaper)' }));
  return { entries, ratios };
}
