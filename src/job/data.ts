// The data of a job: the training set and, when given, a separate test set, uploaded once as one
// GPU-resident data set; a deterministic split (stratified 80/20, split seed 0, each part in a seeded
// order) when no test set is given; the first N examples of each part on request; and the probe of the
// overfitting guard, held back from the end of the training part.
import { stratifiedSplit } from '../data/digits';
import { uploadDataset, type GpuDataset } from '../data/gpu_dataset';
import { seededRandom, shuffle } from '../data/random';
import type { DataDescription } from '../report/schema';
import { AdversarialArgumentError } from '../validate';

/** Images as uint8 (count x height x width x channels, channels last), labels as uint8, and where they came from. */
export interface ImageSet {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
  /** Channels per pixel (1 grey, 3 RGB); default 1. */
  channels?: number;
  /** Class names by label (an image folder's class folders, a metadata.json's labels), for reports. */
  classNames?: string[];
  /** A path, a URL or `embedded`, for the report. */
  source: string;
  /** Where the labels came from (the labels file of an IDX pair), for errors; default `source`. */
  labelSource?: string;
}

export interface JobDataOptions {
  /** The first N examples of the training part (after the split). */
  limitTrain?: number;
  /** The first N examples of the test part. */
  limitTest?: number;
  /** Examples held back from the end of the training part for the guard's probe (default 0). */
  probeExamples?: number;
  /**
   * Classes (a given model's outputs); every label must be below it. Default: the largest label + 1, and
   * then every class from 0 to the largest label must have an example (a label of 255 among digits is
   * refused, not taken for 256 classes).
   */
  numClasses?: number;
  /** With no separate test set: the whole set is the test part (evaluation of a saved model). */
  allTest?: boolean;
}

export interface PreparedData {
  dataset: GpuDataset;
  train: number[];
  probe: number[];
  test: number[];
  numClasses: number;
  imageShape: [number, number, number];
  /** For the report and for checking that a resumed run sees the same data. */
  description: DataDescription;
}

/** The test fraction and the seed of the split used when no test set is given. */
export const SPLIT = { testFraction: 0.2, seed: 0 };

/**
 * Splits, limits and uploads a job's data.
 *
 * @example
 * const data = prepareJobData({ ...await loadEmbeddedDigits(), source: 'embedded' }, undefined, { probeExamples: 500 });
 */
export function prepareJobData(train: ImageSet, test: ImageSet | undefined, o: JobDataOptions = {}): PreparedData {
  const shapeOf = (set: ImageSet) => `${set.height}x${set.width}x${set.channels ?? 1}`;
  if (test && shapeOf(test) !== shapeOf(train)) {
    throw new AdversarialArgumentError('prepareJobData', 'test', `images are ${shapeOf(test)}, the training images ${shapeOf(train)}`);
  }
  if (test?.classNames && train.classNames && test.classNames.join('\n') !== train.classNames.join('\n')) {
    throw new AdversarialArgumentError('prepareJobData', 'test', `has the classes ${test.classNames.join(', ')}, the training images ${train.classNames.join(', ')}: the same classes in the same order`);
  }
  let trainIdx: number[];
  let testIdx: number[];
  let split: string;
  if (!test && o.allTest) {
    trainIdx = [];
    testIdx = Array.from({ length: train.count }, (_, i) => i);
    split = 'whole set as test';
  } else if (test) {
    trainIdx = Array.from({ length: train.count }, (_, i) => i);
    testIdx = Array.from({ length: test.count }, (_, i) => train.count + i);
    split = 'given test set';
  } else {
    const parts = stratifiedSplit(train.labels, SPLIT.testFraction, SPLIT.seed);
    const random = seededRandom(SPLIT.seed);
    trainIdx = shuffle(parts.train, random);
    testIdx = shuffle(parts.test, random);
    split = `stratified ${100 - 100 * SPLIT.testFraction}/${100 * SPLIT.testFraction}, seed ${SPLIT.seed}`;
  }
  const limit = (name: string, value: number | undefined, part: number[]) => {
    if (value === undefined) return part;
    if (!Number.isInteger(value) || value < 1) throw new AdversarialArgumentError('prepareJobData', name, `must be an integer >= 1, got ${value}`);
    return part.slice(0, value);
  };
  trainIdx = limit('limitTrain', o.limitTrain, trainIdx);
  testIdx = limit('limitTest', o.limitTest, testIdx);
  const probeCount = o.probeExamples ?? 0;
  if (!Number.isInteger(probeCount) || probeCount < 0 || (probeCount > 0 && probeCount >= trainIdx.length)) {
    throw new AdversarialArgumentError('prepareJobData', 'probeExamples', `must be an integer in [0, ${trainIdx.length}) (the training examples), got ${probeCount}`);
  }
  const probe = trainIdx.slice(trainIdx.length - probeCount);
  trainIdx = trainIdx.slice(0, trainIdx.length - probeCount);
  const labels = test ? concat(train.labels, test.labels) : train.labels;
  // A set that names its classes (an image folder, CIFAR-10) has that many, whichever labels it holds.
  const named = train.classNames?.length ?? test?.classNames?.length;
  const numClasses = o.numClasses ?? Math.max(2, checkLabelClasses(train, test) + 1, named ?? 0);
  if (o.numClasses !== undefined) {
    for (const [part, set] of [['train', train], ['test', test]] as const) {
      if (!set) continue;
      const at = set.labels.findIndex((l) => l >= o.numClasses!);
      if (at >= 0) throw new AdversarialArgumentError('prepareJobData', 'numClasses', `is ${o.numClasses}, but ${labelsOf(set)} (${part}) has label ${set.labels[at]} at example ${at}`);
    }
  }
  const imageShape: [number, number, number] = [train.height, train.width, train.channels ?? 1];
  const dataset = uploadDataset(test ? concat(train.images, test.images) : train.images, labels, imageShape, numClasses);
  return {
    dataset,
    train: trainIdx,
    probe,
    test: testIdx,
    numClasses,
    imageShape,
    description: {
      train_source: train.source,
      test_source: test ? test.source : o.allTest ? train.source : `${train.source} (split)`,
      split,
      train_examples: trainIdx.length,
      probe_examples: probe.length,
      test_examples: testIdx.length,
      classes: numClasses,
      image_shape: imageShape,
      ...(train.classNames ? { class_names: train.classNames } : {}),
    },
  };
}

const labelsOf = (set: ImageSet) => set.labelSource ?? set.source;

/**
 * The largest label of `train` and `test`, checked to be a class count: every class from 0 to it must
 * have an example, else the largest label is refused, naming its file (`labels.idx: label 255 at example
 * 17 leaves classes 10..254 without an example: not a class index?`).
 */
export function checkLabelClasses(train: ImageSet, test?: ImageSet): number {
  const seen = new Uint8Array(256);
  let max = 0;
  let where: { set: ImageSet; part: 'train' | 'test'; index: number } | null = null;
  for (const [part, set] of [['train', train], ['test', test]] as const) {
    if (!set) continue;
    set.labels.forEach((l, index) => {
      seen[l] = 1;
      if (where === null || l > max) {
        max = l;
        where = { set, part, index };
      }
    });
  }
  const missing: number[] = [];
  for (let c = 0; c < max; c++) if (!seen[c]) missing.push(c);
  if (missing.length > 0 && where) {
    const w = where as { set: ImageSet; part: 'train' | 'test'; index: number };
    const ranges: string[] = [];
    for (let i = 0; i < missing.length; ) {
      let j = i;
      while (j + 1 < missing.length && missing[j + 1] === missing[j] + 1) j++;
      ranges.push(j > i ? `${missing[i]}..${missing[j]}` : `${missing[i]}`);
      i = j + 1;
    }
    const classes = `${missing.length > 1 ? 'classes' : 'class'} ${ranges.join(', ')}`;
    throw new AdversarialArgumentError('prepareJobData', `${w.part}.labels`, `${labelsOf(w.set)}: label ${max} at example ${w.index} leaves ${classes} without an example: not a class index? (classes are 0 to the largest label, each with examples)`);
  }
  return max;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
