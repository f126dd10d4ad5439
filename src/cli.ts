// The `tfjs-adversarial` command line (Node). `train`: the seed CNN trained adversarially on the embedded
// digits, resident on the GPU, and evaluated clean, under FGSM and under PGD (report, model files,
// checkpoints and the other commands of issue 5 still to come). `demo`: the fused attack kernels with a
// softmax-regression model whose gradients are written out.
import * as tf from '@tensorflow/tfjs-core';
import { initWebGPU } from './device';
import { loadEmbeddedDigits, stratifiedSplit, type DigitSet } from './data/digits';
import { seededRandom, shuffle } from './data/random';
import { engineAdam } from './engine/adam';
import { uploadDataset } from './data/gpu_dataset';
import { ensureGradients } from './gradients';
import { seedCnn } from './models/seed_cnn';
import { fgsmStep, pgdStep, randomStart } from './ops';
import { evaluateModel, trainModel, TRAINERS, type TrainerKind } from './train/trainer';

const USAGE = `usage: tfjs-adversarial train [--trainer clean|fgsm|fgsm-rs|pgd] [--epochs N] [--epsilon E]
                              [--batch-size B] [--lr R] [--seed S] [--pgd-steps K]
       tfjs-adversarial demo [--epochs N] [--epsilon E] [--seed S]

train  train the seed CNN (Conv2D 32 3x3 ReLU, MaxPool 2, Dense 128 ReLU, Dense 10) on the embedded MNIST
       digits (stratified 80/20 split), images resident on the GPU, with the chosen trainer (default
       fgsm-rs; epochs 5, epsilon 0.1, batch 64, Adam with a cyclic learning rate peaking at 0.003, epsilon
       warmed up over the first epoch); print clean, FGSM and PGD (default 20 steps) accuracy on the
       held-out part
demo   train a softmax-regression classifier on the embedded MNIST digits twice, once on clean
       images and once adversarially (FGSM from a random start), with the fused WebGPU kernels;
       print clean, FGSM and PGD-10 accuracy of both at the chosen epsilon (default 0.1)`;

interface Model {
  weights: tf.Variable;
  bias: tf.Variable;
}

const PIXELS = 784;
const CLASSES = 10;

/** Softmax cross-entropy's gradients for logits = x W + b: d = softmax - onehot. */
function gradients(model: Model, x: tf.Tensor2D, onehot: tf.Tensor2D) {
  return tf.tidy(() => {
    const d = tf.sub(tf.softmax(tf.add(tf.matMul(x, model.weights), model.bias)), onehot);
    return {
      weights: tf.div(tf.matMul(x, d, true, false), x.shape[0]),
      bias: tf.mean(d, 0),
      input: tf.matMul(d, model.weights, false, true),
    };
  });
}

const inputGradient = (model: Model, x: tf.Tensor2D, onehot: tf.Tensor2D): tf.Tensor2D =>
  tf.tidy(() => {
    const g = gradients(model, x, onehot);
    return g.input as tf.Tensor2D;
  });

function correct(model: Model, x: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(tf.add(tf.matMul(x, model.weights), model.bias), 1), labels), 'int32')));
}

function pgd(model: Model, x: tf.Tensor2D, onehot: tf.Tensor2D, epsilon: number, steps: number, seed: number): tf.Tensor2D {
  let adv = randomStart(x, { epsilon, seed }) as tf.Tensor2D;
  for (let i = 0; i < steps; i++) {
    const g = inputGradient(model, adv, onehot);
    const next = pgdStep(adv, x, g, { stepSize: (2.5 * epsilon) / steps, epsilon }) as tf.Tensor2D;
    tf.dispose([adv, g]);
    adv = next;
  }
  return adv;
}

interface Split {
  x: tf.Tensor2D;
  labels: tf.Tensor1D;
  onehot: tf.Tensor2D;
}

function upload(digits: DigitSet, indices: number[]): Split {
  return tf.tidy(() => {
    const pixels = new Float32Array(indices.length * PIXELS);
    const labels = new Int32Array(indices.length);
    indices.forEach((src, i) => {
      for (let p = 0; p < PIXELS; p++) pixels[i * PIXELS + p] = digits.images[src * PIXELS + p] / 255;
      labels[i] = digits.labels[src];
    });
    const l = tf.tensor1d(labels, 'int32');
    return { x: tf.tensor2d(pixels, [indices.length, PIXELS]), labels: l, onehot: tf.cast(tf.oneHot(l, CLASSES), 'float32') as tf.Tensor2D };
  });
}

async function train(data: Split, adversarial: boolean, epochs: number, epsilon: number, seed: number): Promise<Model> {
  const model: Model = { weights: tf.variable(tf.zeros([PIXELS, CLASSES])), bias: tf.variable(tf.zeros([CLASSES])) };
  const n = data.x.shape[0];
  const batch = 128;
  const lr = 0.5;
  const random = seededRandom(seed);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const order = shuffle(Array.from({ length: n }, (_, i) => i), random);
    const start = performance.now();
    for (let b = 0; b + batch <= n; b += batch) {
      tf.tidy(() => {
        const idx = tf.tensor1d(order.slice(b, b + batch), 'int32');
        let x = tf.gather(data.x, idx) as tf.Tensor2D;
        const onehot = tf.gather(data.onehot, idx) as tf.Tensor2D;
        if (adversarial) {
          // FGSM from a random start, step 1.25 eps, projected back to the eps-ball (Wong et al. 2020).
          const start = randomStart(x, { epsilon, seed: (seed * 7919 + b) >>> 0 }) as tf.Tensor2D;
          const stepped = pgdStep(start, x, inputGradient(model, start, onehot), { stepSize: 1.25 * epsilon, epsilon });
          x = stepped as tf.Tensor2D;
        }
        const g = gradients(model, x, onehot);
        model.weights.assign(tf.sub(model.weights, tf.mul(g.weights, lr)));
        model.bias.assign(tf.sub(model.bias, tf.mul(g.bias, lr)));
      });
    }
    await model.bias.data(); // the GPU has finished the epoch
    const seconds = (performance.now() - start) / 1000;
    const rate = Math.floor(n / batch) * batch / seconds;
    process.stdout.write(`  ${adversarial ? 'fgsm-rs' : 'clean  '} epoch ${epoch}/${epochs}: ${rate.toFixed(0)} images/s\n`);
  }
  return model;
}

async function evaluate(model: Model, data: Split, epsilon: number, seed: number) {
  const n = data.x.shape[0];
  const totals = { clean: 0, fgsm: 0, pgd: 0 };
  for (let b = 0; b < n; b += 500) {
    const size = Math.min(500, n - b);
    const counts = tf.tidy(() => {
      const x = tf.slice(data.x, [b, 0], [size, PIXELS]);
      const labels = tf.slice(data.labels, [b], [size]);
      const onehot = tf.slice(data.onehot, [b, 0], [size, CLASSES]);
      const fgsm = fgsmStep(x, inputGradient(model, x, onehot), { epsilon }) as tf.Tensor2D;
      const adv = pgd(model, x, onehot, epsilon, 10, (seed + b) >>> 0);
      return tf.stack([correct(model, x, labels), correct(model, fgsm, labels), correct(model, adv, labels)]);
    });
    const [c, f, p] = await counts.data();
    counts.dispose();
    totals.clean += c;
    totals.fgsm += f;
    totals.pgd += p;
  }
  return { clean: totals.clean / n, fgsm: totals.fgsm / n, pgd: totals.pgd / n };
}

function flag(args: string[], name: string, fallback: number, check: (v: number) => boolean, what: string): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  if (args[i + 1] === undefined || !check(value)) throw new Error(`${name} must be ${what}, got ${args[i + 1]}`);
  return value;
}

async function demo(args: string[]): Promise<void> {
  const known = ['--epochs', '--epsilon', '--seed'];
  args.forEach((a, i) => {
    if (a.startsWith('--') && !known.includes(a)) throw new Error(`unknown flag ${a}\n${USAGE}`);
    if (!a.startsWith('--') && (i === 0 || !known.includes(args[i - 1]))) throw new Error(`unexpected argument ${a}\n${USAGE}`);
  });
  const epochs = flag(args, '--epochs', 2, (v) => Number.isInteger(v) && v >= 1 && v <= 100, 'an integer in [1, 100]');
  const epsilon = flag(args, '--epsilon', 0.1, (v) => Number.isFinite(v) && v >= 0 && v <= 1, 'a number in [0, 1]');
  const seed = flag(args, '--seed', 1, (v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32, 'an integer in [0, 2^32)');
  const { adapter } = await initWebGPU();
  console.log(`adapter: ${adapter.vendor} ${adapter.architecture} (${adapter.software ? 'software' : 'hardware'}, ${adapter.runtime})`);
  const digits = await loadEmbeddedDigits();
  const split = stratifiedSplit(digits.labels, 0.2, seed);
  console.log(`embedded digits: ${digits.count} (${split.train.length} train, ${split.test.length} test, stratified, seed ${seed})`);
  const trainSet = upload(digits, split.train);
  const testSet = upload(digits, split.test);
  const rows: [string, Awaited<ReturnType<typeof evaluate>>][] = [];
  for (const adversarial of [false, true]) {
    const model = await train(trainSet, adversarial, epochs, epsilon, seed);
    const start = performance.now();
    rows.push([adversarial ? 'fgsm-rs' : 'clean', await evaluate(model, testSet, epsilon, seed)]);
    console.log(`  evaluated clean, FGSM and PGD-10 in ${((performance.now() - start) / 1000).toFixed(1)} s`);
    tf.dispose([model.weights, model.bias]);
  }
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`.padStart(9);
  console.log(`\nsoftmax regression, ${epochs} epochs, eps ${epsilon}, ${split.test.length} held-out digits`);
  console.log('trainer     clean     FGSM   PGD-10');
  for (const [name, r] of rows) console.log(`${name.padEnd(8)}${pct(r.clean)}${pct(r.fgsm)}${pct(r.pgd)}`);
  tf.dispose([trainSet.x, trainSet.labels, trainSet.onehot, testSet.x, testSet.labels, testSet.onehot]);
}

function checkFlags(args: string[], known: string[]): void {
  args.forEach((a, i) => {
    if (a.startsWith('--') && !known.includes(a)) throw new Error(`unknown flag ${a}\n${USAGE}`);
    if (!a.startsWith('--') && (i === 0 || !known.includes(args[i - 1]))) throw new Error(`unexpected argument ${a}\n${USAGE}`);
  });
}

async function trainCommand(args: string[]): Promise<void> {
  checkFlags(args, ['--trainer', '--epochs', '--epsilon', '--batch-size', '--lr', '--seed', '--pgd-steps']);
  const t = args.indexOf('--trainer');
  const trainer = (t < 0 ? 'fgsm-rs' : args[t + 1]) as TrainerKind;
  if (!TRAINERS.includes(trainer)) throw new Error(`--trainer must be one of ${TRAINERS.join(', ')}, got ${args[t + 1]}`);
  const epochs = flag(args, '--epochs', 5, (v) => Number.isInteger(v) && v >= 1 && v <= 1000, 'an integer in [1, 1000]');
  const epsilon = flag(args, '--epsilon', 0.1, (v) => Number.isFinite(v) && v >= 0 && v <= 1, 'a number in [0, 1]');
  const batchSize = flag(args, '--batch-size', 64, (v) => Number.isInteger(v) && v >= 1 && v <= 4096, 'an integer in [1, 4096]');
  const lr = flag(args, '--lr', 0.003, (v) => Number.isFinite(v) && v > 0 && v <= 1, 'a number in (0, 1]');
  const seed = flag(args, '--seed', 0, (v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32, 'an integer in [0, 2^32)');
  const pgdSteps = flag(args, '--pgd-steps', 20, (v) => Number.isInteger(v) && v >= 1 && v <= 1000, 'an integer in [1, 1000]');
  const { adapter } = await initWebGPU();
  await ensureGradients();
  console.log(`adapter: ${adapter.vendor} ${adapter.architecture} (${adapter.software ? 'software' : 'hardware'}, ${adapter.runtime})`);
  const digits = await loadEmbeddedDigits();
  const split = stratifiedSplit(digits.labels, 0.2, seed);
  console.log(`embedded digits: ${digits.count} (${split.train.length} train, ${split.test.length} test, stratified, seed ${seed})`);
  const data = uploadDataset(digits.images, digits.labels, [digits.height, digits.width, 1], 10);
  const model = seedCnn({ seed });
  const optimizer = engineAdam(lr);
  const start = performance.now();
  await trainModel(model, optimizer, data, split.train, {
    trainer,
    epsilon,
    epochs,
    batchSize,
    learningRate: lr,
    seed,
    schedule: 'cyclic',
    epsilonWarmupEpochs: Math.min(1, epochs),
    progressEvery: 25,
    onProgress: (p) => {
      const line = `  ${trainer} epoch ${p.epoch + 1}/${epochs} step ${p.step}/${p.stepsPerEpoch}  loss ${p.meanLoss.toFixed(3)}  ${p.imagesPerSecond.toFixed(0)} images/s  eps ${p.epsilon.toFixed(3)}`;
      if (process.stdout.isTTY) process.stdout.write(`\r${line}${p.step === p.stepsPerEpoch ? '\n' : ''}`);
      else if (p.step === p.stepsPerEpoch) console.log(line);
    },
  });
  const trained = (performance.now() - start) / 1000;
  console.log(`trained in ${trained.toFixed(0)} s; evaluating on ${split.test.length} held-out digits`);
  const results = await evaluateModel(model, data, split.test, [
    { kind: 'clean' },
    { kind: 'fgsm', epsilon },
    { kind: 'pgd', epsilon, steps: pgdSteps, stepSize: (2.5 * epsilon) / pgdSteps, restarts: 1, seed },
  ]);
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`.padStart(9);
  console.log(`\nseed CNN, ${trainer}, ${epochs} epochs, eps ${epsilon}, ${split.test.length} held-out digits, ${((performance.now() - start) / 1000).toFixed(0)} s`);
  console.log(`trainer     clean     FGSM   PGD-${pgdSteps}`);
  console.log(`${trainer.padEnd(8)}${results.map((r) => pct(r.accuracy)).join('')}`);
  optimizer.dispose();
  data.dispose();
  tf.dispose(model.variables);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'train') return trainCommand(rest);
  if (command === 'demo') return demo(rest);
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return;
  }
  throw new Error(`unknown command ${command}\n${USAGE}`);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`tfjs-adversarial: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
