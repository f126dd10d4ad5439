// Runs our attacks (the library's attack table, through attackBatch as evaluateModel runs them: batches of
// 256, the batch's seed offset by its first point's position) on the points export_points.ts wrote, and
// writes JSON in the shape run_reference.py writes: per attack the robust points (clean-correct and still
// correct after the attack, AutoAttack's count), per-point flags, seconds, the largest perturbation.
// AutoAttack's names map to our table (apgd-ce: apgd:loss=ce, apgd-dlr: apgd:loss=dlr; apgd-t, fab, fab-t,
// square: the ids of the same name); any other id of the table runs as itself; `:param=value` suffixes set
// parameters (`square:queries=1000`). `autoattack`: our `autoattack` entry where the table has one, else
// the worst case per point over the other listed attacks (what the sequential composition keeps).
// usage: node bench/run.mjs tools/autoattack_reference/run_ours.ts --model DIR --points DIR [--attacks apgd-ce,...]
//          [--eps 0.1] [--norm Linf|L2] [--n N] [--seed 0] [--scale-last K] [--out FILE]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ATTACK_REGISTRY, attackBatch, attackSpecOf, parseAttackList, resolveAttackSpec, type AttackSpec, type Classifier, type ResolvedAttack } from '../../dist/index.js';
import { loadModel, loadPoints, modelJsonPath, parseFlags, setUp } from './common';

const USAGE = `usage: node bench/run.mjs tools/autoattack_reference/run_ours.ts --model DIR --points DIR [flags]
  --attacks LIST   comma-separated (default apgd-ce): apgd-ce, apgd-dlr, apgd-t, fab, fab-t, square, autoattack, or any
                   id of the table (${ATTACK_REGISTRY.ids().join(', ')}), each with :param=value suffixes
  --eps E          epsilon of every attack that has one (default 0.1)
  --norm N         Linf or L2: the norm parameter of the attacks that have one (default Linf)
  --n N            the first N points (default all exported)
  --seed S         the seed of the attacks that have one (default 0)
  --scale-last K   multiply the last layer's kernel and bias by K (gradient-masking test: 1e4)
  --batch B        points per batch (default 256, as evaluateModel)
  --out FILE       write the JSON here`;

const ALIASES: Record<string, string> = { 'apgd-ce': 'apgd:loss=ce', 'apgd-dlr': 'apgd:loss=dlr' };

/** Our spec for one entry of --attacks, with the global --eps, --norm and --seed where the attack takes them. */
function specOf(entry: string, eps: number, norm: string, seed: number): AttackSpec {
  const [name, ...rest] = entry.split(':');
  const text = [ALIASES[name] ?? name, ...rest].join(':');
  const [spec] = parseAttackList(text);
  const params = ATTACK_REGISTRY.get(spec.kind).params;
  const given = new Set(rest.map((r) => r.split('=')[0]));
  if (params.epsilon && !given.has('epsilon')) spec.epsilon = eps;
  if (params.seed && !given.has('seed')) spec.seed = seed;
  if (params.norm && !given.has('norm')) spec.norm = norm.toLowerCase();
  else if (!params.norm && norm.toLowerCase() !== 'linf' && spec.kind !== 'clean') throw new Error(`${entry}: our ${spec.kind} has no norm parameter (linf only)`);
  return spec;
}

interface Row {
  attack: string;
  robust: number;
  points: number;
  robust_accuracy: number;
  seconds: number;
  params: AttackSpec | Record<string, unknown>;
  flags: number[];
  [more: string]: unknown;
}

function rowOf(attack: string, flags: number[], seconds: number, params: Row['params'], extra: Record<string, unknown> = {}): Row {
  const robust = flags.reduce((a, f) => a + f, 0);
  return { attack, robust, points: flags.length, robust_accuracy: robust / flags.length, seconds: Math.round(seconds * 100) / 100, params, flags, ...extra };
}

/** Per point: correct after `attack` (null: clean); the largest perturbation and the adversarial range. */
async function runAttack(model: Classifier, attack: ResolvedAttack | null, images: Float32Array, labels: Int32Array, batchSize: number) {
  const [h, w, c] = model.inputShape;
  const pixels = h * w * c;
  const correct: number[] = [];
  let size = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let start = 0; start < labels.length; start += batchSize) {
    const count = Math.min(batchSize, labels.length - start);
    const x = tf.tensor4d(images.subarray(start * pixels, (start + count) * pixels), [count, h, w, c]);
    const y = tf.tensor1d(labels.subarray(start, start + count), 'int32');
    const onehot = tf.tidy(() => tf.cast(tf.oneHot(y, model.numClasses), 'float32')) as tf.Tensor2D;
    const adv = attack ? attackBatch(model, attack, { x, onehot, labels: y }, start) : x;
    const [ok, stats] = tf.tidy(() => {
      const pred = tf.argMax(model.forward(adv), 1);
      const delta = tf.reshape(tf.sub(adv, x), [count, pixels]);
      const norms = attack?.threat === 'l2' ? tf.sqrt(tf.sum(tf.square(delta), 1)) : tf.max(tf.abs(delta), 1);
      return [tf.cast(tf.equal(pred, y), 'int32'), tf.stack([tf.max(norms), tf.min(adv), tf.max(adv)])];
    });
    correct.push(...(await ok.data()));
    const [s, a, b] = await stats.data();
    [size, lo, hi] = [Math.max(size, s), Math.min(lo, a), Math.max(hi, b)];
    tf.dispose([x, y, onehot, ok, stats, ...(attack ? [adv] : [])]);
  }
  return { correct, size, range: [lo, hi] };
}

const flags = parseFlags(process.argv.slice(2), ['model', 'points', 'attacks', 'eps', 'norm', 'n', 'seed', 'scale-last', 'batch', 'out'], USAGE);
if (!flags.get('model') || !flags.get('points')) {
  console.error(USAGE);
  process.exit(2);
}
const eps = Number(flags.get('eps') ?? 0.1);
const norm = flags.get('norm') ?? 'Linf';
const seed = Number(flags.get('seed') ?? 0);
const scaleLast = Number(flags.get('scale-last') ?? 1);
const batchSize = Number(flags.get('batch') ?? 256);
const adapter = await setUp();
const model = await loadModel(flags.get('model')!, scaleLast);
const n = flags.has('n') ? Number(flags.get('n')) : undefined;
const { images, labels, count } = loadPoints(flags.get('points')!, n);
const entries = (flags.get('attacks') ?? 'apgd-ce').split(',').filter((e) => e.trim() !== '');
const composition = entries.includes('autoattack') && !ATTACK_REGISTRY.has('autoattack');
const resolved = entries.filter((e) => !(composition && e === 'autoattack')).map((e) => ({ entry: e, attack: resolveAttackSpec(specOf(e, eps, norm, seed)) }));

const clean = (await runAttack(model, null, images, labels, batchSize)).correct;
const results = {
  side: 'ours',
  adapter,
  model: modelJsonPath(flags.get('model')!),
  points: resolve(flags.get('points')!),
  n: count,
  eps,
  norm,
  seed,
  scale_last: scaleLast,
  batch: batchSize,
  clean: rowOf('clean', clean, 0, {}),
  attacks: [] as Row[],
};
console.log(`ours (${adapter}), ${model.architecture}; ${count} points, eps ${eps} ${norm}, seed ${seed}, scale_last ${scaleLast}; clean ${results.clean.robust}/${count}`);
for (const { entry, attack } of resolved) {
  const start = performance.now();
  const run = await runAttack(model, attack, images, labels, batchSize);
  const seconds = (performance.now() - start) / 1000;
  const row = rowOf(entry.split(':')[0], run.correct.map((ok, i) => ok & clean[i]), seconds, attackSpecOf(attack), { label: attack.label, key: attack.key, max_perturbation: run.size, range: run.range, correct_after: run.correct.reduce((a, f) => a + f, 0) });
  results.attacks.push(row);
  console.log(`${row.attack.padEnd(22)} robust ${String(row.robust).padStart(4)}/${count} (${(100 * row.robust_accuracy).toFixed(2)}%)  ${seconds.toFixed(1)} s  max ${attack.threat} perturbation ${run.size.toFixed(5)}  (${attack.key})`);
}
if (composition) {
  const rows = results.attacks.filter((r) => r.attack !== 'clean');
  const worst = clean.map((ok, i) => (rows.every((r) => r.flags[i] === 1) ? ok : 0));
  const row = rowOf('autoattack', worst, rows.reduce((a, r) => a + r.seconds, 0), { worst_case_of: rows.map((r) => r.attack) });
  results.attacks.push(row);
  console.log(`${'autoattack'.padEnd(22)} robust ${String(row.robust).padStart(4)}/${count} (${(100 * row.robust_accuracy).toFixed(2)}%)  worst case per point of ${rows.map((r) => r.attack).join(', ')}`);
}
const out = flags.get('out');
if (out) {
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results)}\n`);
  console.log(`wrote ${out}`);
}
model.dispose();
