// Image data on disk for the tests, written by the tests themselves: folders of class folders of PNG or
// JPEG files and CIFAR-10 binary batches, with a learnable signal (each class brightens its own channel
// and its own quarter of the image) over seeded noise.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';

/** A seeded generator in [0, 1) (a linear congruential one: the tests need repeatable, not good, noise). */
function noise(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) / 2 ** 24;
  };
}

/** An RGB (or grey) image of class `k` of `classes`: noise, with class k's channel and quarter brightened. */
export function classImage(k: number, size: number, channels: 1 | 3, random: () => number): Uint8Array {
  const out = new Uint8Array(size * size * channels);
  const half = Math.max(1, size >> 1);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const quarter = (y < half ? 0 : 2) + (x < half ? 0 : 1);
      for (let c = 0; c < channels; c++) {
        const lit = (channels === 1 || c === k % 3) && quarter === k % 4;
        out[(y * size + x) * channels + c] = Math.min(255, Math.floor(random() * 90 + (lit ? 150 : 30)));
      }
    }
  }
  return out;
}

export interface ImageFolderSpec {
  /** Class folder names with their image counts, in the order that gives the labels' signal. */
  classes: [string, number][];
  size: number;
  channels?: 1 | 3;
  format?: 'png' | 'jpeg';
  seed?: number;
}

/** Writes `dir/<class>/<i>.png|jpg` per spec (the class at position k carries signal k); returns dir. */
export function writeImageFolder(dir: string, spec: ImageFolderSpec): string {
  const random = noise(spec.seed ?? 1);
  const channels = spec.channels ?? 3;
  spec.classes.forEach(([name, count], k) => {
    mkdirSync(join(dir, name), { recursive: true });
    for (let i = 0; i < count; i++) {
      const pixels = classImage(k, spec.size, channels, random);
      if (spec.format === 'jpeg') {
        const rgba = new Uint8Array(spec.size * spec.size * 4);
        for (let p = 0; p < spec.size * spec.size; p++) {
          for (let c = 0; c < 3; c++) rgba[4 * p + c] = pixels[p * channels + (channels === 1 ? 0 : c)];
          rgba[4 * p + 3] = 255;
        }
        writeFileSync(join(dir, name, `${String(i).padStart(3, '0')}.jpg`), jpeg.encode({ width: spec.size, height: spec.size, data: rgba }, 95).data);
      } else {
        writeFileSync(join(dir, name, `${String(i).padStart(3, '0')}.png`), encodePng({ width: spec.size, height: spec.size, data: pixels, channels }));
      }
    }
  });
  return dir;
}

/** Writes a CIFAR-10 binary batch of `count` 32x32 records (label byte, then R, G and B planes); returns its path. */
export function writeCifarBatch(path: string, count: number, classes = 10, seed = 3): string {
  const random = noise(seed);
  const out = new Uint8Array(count * 3073);
  for (let i = 0; i < count; i++) {
    const k = i % classes;
    const hwc = classImage(k, 32, 3, random);
    out[i * 3073] = k;
    for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) out[i * 3073 + 1 + c * 1024 + p] = hwc[p * 3 + c];
  }
  writeFileSync(path, out);
  return path;
}
