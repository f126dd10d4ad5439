// The page of `--runtime chrome`: the library bundled for the browser, running a job that Node hands it
// (the request and the data sets' bytes), its files and progress bridged back to Node by functions that
// puppeteer exposes on the window.
import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients, initWebGPU } from '../engine/init';
import { countTraffic } from '../platform/traffic';
import type { ImageSet } from './data';
import { executeJob, type JobOutcome, type JobRequest } from './execute';
import type { JobIO, JobProgress } from './io';
import { AdversarialArgumentError } from '../core/validate';

/** Marks an AdversarialArgumentError's message as it crosses from the page to Node. */
export const ARGUMENT_ERROR_MARK = 'AdversarialArgumentError:';

/** A data set as it crosses from Node: the bytes as base64. */
export interface PageImageSet extends Omit<ImageSet, 'images' | 'labels'> {
  images: string;
  labels: string;
}

declare global {
  interface Window {
    tfjsAdversarialJob: { run(request: JobRequest, sets: { train?: PageImageSet; test?: PageImageSet }): Promise<JobOutcome> };
    jobReadFile(path: string): Promise<string | null>;
    jobWriteFile(path: string, base64: string): Promise<void>;
    jobRemoveFile(path: string): Promise<void>;
    jobLog(message: string): Promise<void>;
    jobProgress(p: JobProgress): Promise<void>;
  }
}

const fromBase64 = (s: string): Uint8Array => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

const decode = (set: PageImageSet | undefined): ImageSet | undefined => (set ? { ...set, images: fromBase64(set.images), labels: fromBase64(set.labels) } : undefined);

window.tfjsAdversarialJob = {
  async run(request, sets) {
    const { adapter, device } = await initWebGPU();
    await ensureGradients();
    const io: JobIO = {
      readFile: async (path) => {
        const s = await window.jobReadFile(path);
        return s === null ? null : fromBase64(s);
      },
      writeFile: (path, bytes) => window.jobWriteFile(path, toBase64(bytes)),
      removeFile: (path) => window.jobRemoveFile(path),
      log: (message) => void window.jobLog(message),
      progress: (p) => void window.jobProgress(p),
    };
    io.log(`adapter: ${adapter.vendor} ${adapter.architecture} ${adapter.description} (${adapter.software ? 'software' : 'hardware'}), runtime ${navigator.userAgent}, tfjs ${tf.version_core}`);
    try {
      return await executeJob(request, { train: decode(sets.train), test: decode(sets.test) }, io, {
        runtime: { name: 'chrome', version: navigator.userAgent },
        adapter,
        traffic: countTraffic(device),
      });
    } catch (err) {
      // Only a message crosses to Node: an argument error travels with its op and argument (see run_chrome).
      if (err instanceof AdversarialArgumentError) throw new Error(`${ARGUMENT_ERROR_MARK}${JSON.stringify({ op: err.op, argument: err.argument, message: err.message })}`);
      throw err;
    }
  },
};
