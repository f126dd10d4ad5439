// FAB-T, the targeted fast adaptive boundary attack (Croce and Hein, "Minimally distorted adversarial
// examples with a fast adaptive boundary attack", ICML 2020), in the L-inf or L2 norm: the version that
// AutoAttack runs. Written from fra31/auto-attack (fab_base.py attack_single_run and perturb, fab_pt.py):
// - for each target k = 2..targets+1, the class of the k-th largest clean logit, and each restart (the
//   first from the clean point x0, later ones from x0 + eps/2 times a random direction of unit norm):
//   `steps` iterations of: linearise z_t - z_y at x (one gradient); project x and x0 onto the plane where
//   the linearisation is 0 within [0, 1] (d1, d2, FabHyperplane); x <- clamp((x + eta d1)(1 - alpha) +
//   (x0 + eta d2) alpha, 0, 1), alpha = min(|d1| / (|d1| + |d2|), alphaMax) (FabStep); where the model
//   now misclassifies x, keep x if it is the closest to x0 so far and step back to x0 + beta (x - x0);
// - a point is fooled when the closest misclassified point found lies within eps (perturb()'s check,
//   the model asked again), and then keeps that point; points never fooled, and points the model
//   misclassifies already, return x0.
// Differences from the reference: every target and restart runs on the whole batch (the reference reruns
// only the points still robust; their results are the same, each point's run being its own), so the loop
// never reads back; the random directions come from tfjs's seeded generator, not torch's.
import { rowWhere } from './rows';
import * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '../models/classifier';
import { paramTable, resolveTable, type ParamOptions, type ParamValues } from '../core/params';
import { AdversarialArgumentError } from '../core/validate';
import { EPSILON_PARAM, NORM_PARAM, SEED_PARAM, defineAttack } from './attack';
import { checkAttackBatch, checkEpsilon } from './checks';
import { fabHyperplane, fabStep, type FabNorm } from '../kernels/ops/fab_ops';

/** The parameters, declared once for the public function and the table entry. */
const FAB_PARAMS = paramTable({
  epsilon: { ...EPSILON_PARAM, max: 1000, help: 'radius within which a found point fools (L-inf: per pixel; L2: over the image)' },
  norm: NORM_PARAM,
  targets: { type: 'integer', default: 9, min: 1, max: 999, help: 'target classes: the 2nd to the (targets+1)-th largest clean logits' },
  steps: { type: 'integer', default: 100, min: 1, max: 100_000, help: 'iterations per target and restart' },
  restarts: { type: 'integer', default: 1, min: 1, max: 1000, help: 'runs per target; after the first, from random points at eps/2' },
  alphaMax: { type: 'number', default: 0.1, min: 0, max: 1, help: 'largest weight of the step from the clean point' },
  eta: { type: 'number', default: 1.05, min: 0, max: 1000, help: 'overshoot of the projections' },
  beta: { type: 'number', default: 0.9, min: 0, max: 1, help: 'step back towards the clean point after a success' },
  seed: SEED_PARAM,
});

/**
 * fabAttack's options: {@link FAB_PARAMS}'s, the radius `epsilon` (within which a found point fools; L-inf
 * per pixel, L2 over the image) required. The images are in [0, 1].
 */
export type FabAttackOptions = ParamOptions<Omit<typeof FAB_PARAMS, 'epsilon'>> & { epsilon: number };

/** The per-row norm [batch] of v [batch, cols]. */
const rowNorm = (v: tf.Tensor2D, norm: FabNorm): tf.Tensor1D => (norm === 'l2' ? tf.sqrt(tf.sum(tf.square(v), 1)) : tf.max(tf.abs(v), 1)) as tf.Tensor1D;

/** Replaces `holder[key]`, disposing the tensor it held. */
function swap<T extends Record<string, tf.Tensor>, K extends keyof T>(holder: T, key: K, value: T[K]): void {
  const old = holder[key];
  holder[key] = value;
  if (old !== value) old.dispose();
}

/** The options checked against the table and the model, completed with the table's defaults. */
function checkOptions(op: string, model: Classifier, o: FabAttackOptions): ParamValues<typeof FAB_PARAMS> {
  checkEpsilon(op, o.epsilon);
  const checked = resolveTable(op, 'options', FAB_PARAMS, o);
  if (model.numClasses < 2) throw new AdversarialArgumentError(op, 'model', `must have at least 2 classes for a targeted attack, has ${model.numClasses}`);
  if (checked.targets > model.numClasses - 1) {
    throw new AdversarialArgumentError(op, 'options.targets', `must be an integer in [1, ${model.numClasses - 1}] (the classes but the top one), got ${checked.targets}`);
  }
  return checked;
}

/**
 * FAB-T examples (targeted FAB, as AutoAttack runs it): each point the attack fools within `epsilon`
 * returns the closest misclassified point found (the first target that fooled it); the others return
 * the clean point.
 *
 * @example
 * const adv = fabAttack(model, images, onehot, { epsilon: 0.1, norm: 'linf', targets: 9, steps: 100 });
 */
export function fabAttack(model: Classifier, x: tf.Tensor4D, onehot: tf.Tensor2D, options: FabAttackOptions): tf.Tensor4D {
  const op = 'fabAttack';
  checkAttackBatch(model, x, onehot, op);
  const o = checkOptions(op, model, options);
  const batch = x.shape[0];
  const cols = x.size / batch;
  const forward = (v: tf.Tensor2D) => model.forward(tf.reshape(v, x.shape) as tf.Tensor4D);
  const s = tf.tidy(() => {
    const x0 = tf.reshape(x, [batch, cols]) as tf.Tensor2D;
    const labels = tf.argMax(onehot, 1) as tf.Tensor1D;
    const logits = model.forward(x);
    const order = tf.topk(logits, o.targets + 1).indices as tf.Tensor2D;
    const fooled = tf.notEqual(tf.argMax(logits, 1), labels) as tf.Tensor1D;
    return { x0, labels, order, fooled, out: tf.clone(x0) as tf.Tensor2D };
  });
  const wrong = (v: tf.Tensor2D) => tf.tidy(() => tf.notEqual(tf.argMax(forward(v), 1), s.labels) as tf.Tensor1D);

  // One run towards the target of `diff` (one-hot target minus one-hot label): the closest misclassified
  // point found and its distance (1e10 where none).
  const run = (diff: tf.Tensor2D, restart: number, seed: number) => {
    const r = {
      x1: restart === 0 ? tf.clone(s.x0) : randomStart(s.x0, options.epsilon, o.norm, seed),
      adv: tf.clone(s.x0),
      dist: tf.fill([batch], 1e10) as tf.Tensor1D,
    };
    for (let i = 0; i < o.steps; i++) {
      const next = tf.tidy(() => {
        let logits: tf.Tensor2D | undefined;
        const w = tf.grad((v: tf.Tensor) => {
          logits = tf.keep(forward(v as tf.Tensor2D));
          return tf.sum(tf.mul(logits, diff));
        })(r.x1) as tf.Tensor2D;
        const df = tf.sum(tf.mul(logits!, diff), 1);
        logits!.dispose();
        const b = tf.sub(tf.sum(tf.mul(w, r.x1), 1), df);
        const params = fabHyperplane(tf.concat([r.x1, s.x0]), tf.concat([w, w]), tf.concat([b, b]), { norm: o.norm });
        return fabStep(r.x1, s.x0, w, params, { norm: o.norm, eta: o.eta, alphaMax: o.alphaMax }) as tf.Tensor2D;
      });
      const [adv, dist, x1] = tf.tidy(() => {
        const isAdv = wrong(next);
        const dist = rowNorm(tf.sub(next, s.x0), o.norm);
        const closer = tf.logicalAnd(isAdv, tf.less(dist, r.dist)) as tf.Tensor1D;
        const back = tf.add(s.x0, tf.mul(tf.sub(next, s.x0), o.beta)) as tf.Tensor2D;
        return [rowWhere(closer, next, r.adv), tf.where(closer, dist, r.dist) as tf.Tensor1D, rowWhere(isAdv, back, next)];
      });
      next.dispose();
      swap(r, 'adv', adv);
      swap(r, 'dist', dist);
      swap(r, 'x1', x1);
    }
    r.x1.dispose();
    return r;
  };

  for (let k = 2; k <= o.targets + 1; k++) {
    const diff = tf.tidy(() => {
      const target = tf.reshape(tf.slice(s.order, [0, k - 1], [-1, 1]), [-1]) as tf.Tensor1D;
      return tf.sub(tf.cast(tf.oneHot(target, model.numClasses), 'float32'), onehot) as tf.Tensor2D;
    });
    for (let restart = 0; restart < o.restarts; restart++) {
      const r = run(diff, restart, (o.seed + (k - 2) * o.restarts + restart) >>> 0);
      const [out, fooled] = tf.tidy(() => {
        const success = tf.logicalAnd(tf.lessEqual(r.dist, options.epsilon), wrong(r.adv));
        const fresh = tf.logicalAnd(success, tf.logicalNot(s.fooled)) as tf.Tensor1D;
        return [rowWhere(fresh, r.adv, s.out), tf.logicalOr(s.fooled, fresh) as tf.Tensor1D];
      });
      tf.dispose([r.adv, r.dist]);
      swap(s, 'out', out);
      swap(s, 'fooled', fooled);
    }
    diff.dispose();
  }
  const result = tf.reshape(s.out, x.shape) as tf.Tensor4D;
  tf.dispose([s.x0, s.labels, s.order, s.fooled, s.out]);
  return result;
}

/** x0 + eps/2 times a random direction of unit norm (L-inf: uniform, scaled to max 1; L2: Gaussian, to length 1), in [0, 1]. */
function randomStart(x0: tf.Tensor2D, epsilon: number, norm: FabNorm, seed: number): tf.Tensor2D {
  return tf.tidy(() => {
    const t = norm === 'l2' ? tf.randomNormal(x0.shape, 0, 1, 'float32', seed) : tf.randomUniform(x0.shape, -1, 1, 'float32', seed);
    const unit = tf.div(t, tf.reshape(rowNorm(t as tf.Tensor2D, norm), [-1, 1]));
    return tf.clipByValue(tf.add(x0, tf.mul(unit, epsilon * 0.5)), 0, 1) as tf.Tensor2D;
  });
}

export const fabT = defineAttack({
  id: 'fab-t',
  title: 'FAB-T',
  threat: 'linf',
  help: 'targeted fast adaptive boundary attack: projections onto the linearised boundary of the top targets, L-inf or L2 (Croce and Hein 2020)',
  params: FAB_PARAMS,
  label: () => 'FAB-T',
  budget: (p) => ({ step_size: null, random_start: p.restarts > 1 }),
  // Per target and restart: one gradient per step, one forward per step and one for the final check;
  // one forward of the clean batch picks the targets.
  cost: (p) => {
    const runs = p.targets * p.restarts;
    return { gradients: runs * p.steps, queries: runs * (p.steps + 1) + 1 };
  },
  run: (model, batch, p) => fabAttack(model, batch.x, batch.onehot, p),
});
