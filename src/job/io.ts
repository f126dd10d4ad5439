// What a job talks to: where it reads and writes its files (Node's file system, or a bridge from a page
// to Node), how it says how it goes, and where it runs.
import type { AdapterSummary } from '../platform/device';
import type { TrafficCounter } from '../platform/traffic';

export interface JobProgress {
  phase: 'train' | 'probe' | 'eval';
  label: string;
  done: number;
  total: number;
  imagesPerSecond?: number;
  etaSeconds?: number;
}

/** Where a job reads and writes its files (paths relative to the output folder) and says how it goes. */
export interface JobIO {
  /** The file's bytes, or null when there is none. */
  readFile(path: string): Promise<Uint8Array | null>;
  /** Writes the whole file or nothing (write to a temporary name, then rename). */
  writeFile(path: string, bytes: Uint8Array): Promise<void>;
  /** Removes the file if it is there (a finished job's saved state); without it, such files stay. */
  removeFile?(path: string): Promise<void>;
  log(message: string): void;
  progress?(p: JobProgress): void;
}

export interface JobEnvironment {
  runtime: { name: 'node' | 'chrome' | 'browser'; version: string };
  adapter: AdapterSummary;
  /** Counts the bytes of the training steps (report: transfer per step). */
  traffic?: TrafficCounter;
}
