// A small synthetic image task for training tests: 10 classes, each a fixed random 8x8 pattern plus noise,
// stored as bytes like a real data set.
import * as lib from '../../dist/index.js';

/** `count` images (labels cycling 0..9): 0.7 x the class pattern + 0.3 x noise, as bytes. */
export function syntheticTask(count: number, seed: number, noise = 0.3): { images: Uint8Array; labels: Uint8Array } {
  const random = lib.seededRandom(seed);
  const patterns = Array.from({ length: 10 }, () => Float32Array.from({ length: 64 }, () => random()));
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  const images = new Uint8Array(count * 64);
  labels.forEach((label, i) => {
    for (let p = 0; p < 64; p++) images[i * 64 + p] = Math.max(0, Math.min(255, Math.round(255 * ((1 - noise) * patterns[label][p] + noise * random()))));
  });
  return { images, labels };
}

/** The synthetic task as a job's image set. */
export function syntheticImageSet(count: number, seed: number, noise = 0.3): lib.ImageSet {
  return { ...syntheticTask(count, seed, noise), count, height: 8, width: 8, source: `synthetic 8x8 (seed ${seed})` };
}
