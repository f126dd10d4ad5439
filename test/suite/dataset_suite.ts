// The GPU-resident data set in one runtime: random bytes uploaded once, batches gathered by index on the
// device, compared bit for bit with the CPU reference; the output buffer poisoned first, GPU error scopes,
// and the gather's own host-device traffic counted (it must upload and read no image data).
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import * as lib from '../../dist/index.js';
import * as engine from '../../dist/engine.js';
import { caseSeed } from './cases';
import { withGpuErrorScope } from './kernel_suite';

export interface GatherCase {
  name: string;
  count: number;
  imageShape: [number, number, number];
  batch: number;
}

export const gatherCases: GatherCase[] = [
  { name: 'gather_images count=315 image=28x28x1 batch=64 vec4', count: 315, imageShape: [28, 28, 1], batch: 64 },
  { name: 'gather_images count=1 image=28x28x1 batch=3 vec4', count: 1, imageShape: [28, 28, 1], batch: 3 },
  { name: 'gather_images count=2179 image=3x5x1 batch=65 scalar', count: 2179, imageShape: [3, 5, 1], batch: 65 },
  { name: 'gather_images count=7 image=7x3x3 batch=1 scalar', count: 7, imageShape: [7, 3, 3], batch: 1 },
];

export interface GatherReport {
  name: string;
  mismatches: number;
  firstMismatch: string | null;
  poisonReused: boolean;
  labelsMatch: boolean;
  gatherUploadBytes: number;
  gatherDownloadBytes: number;
  leakedTensors: number;
  gpuErrors: string[];
}

export async function runGatherCase(c: GatherCase, runSeed: number): Promise<GatherReport> {
  const backend = tf.backend() as WebGPUBackend;
  const random = lib.seededRandom(caseSeed(runSeed, c.name));
  const pixels = c.imageShape[0] * c.imageShape[1] * c.imageShape[2];
  const bytes = Uint8Array.from({ length: c.count * pixels }, () => Math.floor(random() * 256));
  bytes[0] = 0;
  bytes[bytes.length - 1] = 255;
  const labels = Uint8Array.from({ length: c.count }, () => Math.floor(random() * 10));
  // Random picks, repeats, the first and the last image, and two out of range (clamped).
  const indices = Int32Array.from({ length: c.batch }, (_, i) => (i === 0 ? c.count - 1 : i === 1 ? 0 : Math.floor(random() * c.count)));
  if (c.batch > 3) {
    indices[2] = -5;
    indices[3] = c.count + 9;
  }
  const expected = engine.gatherImagesReference(bytes, indices, c.count, pixels);
  const traffic = lib.countTraffic(backend.device);
  const { value, errors } = await withGpuErrorScope(backend.device, async () => {
    const data = lib.uploadDataset(bytes, labels, c.imageShape, 10);
    const idx = tf.tensor1d(indices, 'int32');
    backend.uploadToGPU(idx.dataId);
    const before = tf.memory().numTensors;
    const poison = tf.fill([c.batch * pixels], -3.0e38);
    await poison.data();
    const poisonBuffer = (backend.tensorMap.get(poison.dataId) as { resource: unknown }).resource;
    poison.dispose();
    await lib.currentWebGPU()!.device.queue.onSubmittedWorkDone();
    traffic.reset();
    const batch = lib.gatherBatch(data, idx);
    backend.ensureCommandEncoderReady();
    backend.endComputePassEncoder();
    backend.submitQueue();
    const counted = traffic.read();
    const poisonReused = (backend.tensorMap.get(batch.x.dataId) as { resource: unknown }).resource === poisonBuffer;
    const actual = (await batch.x.data()) as Float32Array;
    const gotLabels = await batch.labels.data();
    const onehot = await batch.onehot.data();
    tf.dispose([batch.x, batch.labels, batch.onehot]);
    const leakedTensors = tf.memory().numTensors - before;
    idx.dispose();
    data.dispose();
    let labelsMatch = batch.x.shape.join(',') === [c.batch, ...c.imageShape].join(',');
    indices.forEach((i, b) => {
      const want = labels[Math.min(Math.max(i, 0), c.count - 1)];
      if (gotLabels[b] !== want || onehot[b * 10 + want] !== 1) labelsMatch = false;
    });
    return { actual, poisonReused, labelsMatch, counted, leakedTensors };
  });
  let mismatches = 0;
  let firstMismatch: string | null = null;
  for (let i = 0; i < expected.length; i++) {
    if (value.actual[i] !== expected[i]) {
      mismatches++;
      firstMismatch ??= `index ${i}: got ${value.actual[i]}, expected ${expected[i]}`;
    }
  }
  return {
    name: c.name,
    mismatches,
    firstMismatch,
    poisonReused: value.poisonReused,
    labelsMatch: value.labelsMatch,
    gatherUploadBytes: value.counted.uploadBytes,
    gatherDownloadBytes: value.counted.downloadBytes,
    leakedTensors: value.leakedTensors,
    gpuErrors: errors,
  };
}
