// The output folder of a command-line job, made ready before any work (before the data is read and
// WebGPU starts): created folder by folder and probed with a file written and removed; locked against a
// second run (`.lock`, created exclusively, with the pid and host that hold it; a dead process's lock is
// taken over); and cleared of the temporary files (`*.partial-<pid>`) that a killed run left.
import { closeSync, constants, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { mkdir, readdir, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { UsageError } from './args';

const problem = (err: unknown) => {
  const e = err as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message.replace(/^\w+: /, '').replace(/, \w+ '.*'$/, '')}` : e.message;
};

/**
 * Creates `out` (absolute) and its missing parents one folder at a time (Node 20's recursive mkdir spins
 * on some paths, e.g. under /proc), then writes and removes a probe file; every failure a UsageError
 * naming `--out`.
 */
export async function prepareOutputFolder(out: string, flag = '--out'): Promise<void> {
  const fail = (why: string): never => {
    throw new UsageError(`${flag} ${out}: ${why}`);
  };
  const missing: string[] = [];
  let at = out;
  for (;;) {
    try {
      const s = await stat(at);
      if (!s.isDirectory()) fail(at === out ? 'is a file, not a folder' : `${at} is a file, not a folder`);
      break;
    } catch (err) {
      if (err instanceof UsageError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') fail(`cannot look at ${at} (${problem(err)})`);
      if (dirname(at) === at) fail(`no such location ${at}`);
      missing.unshift(at);
      at = dirname(at);
    }
  }
  for (const folder of missing) {
    try {
      await mkdir(folder);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && (await stat(folder).catch(() => null))?.isDirectory()) continue;
      fail(`cannot create the folder ${folder} (${problem(err)})`);
    }
  }
  const probe = join(out, `.probe-${process.pid}`);
  try {
    await writeFile(probe, 'tfjs-adversarial: can this folder be written?\n');
  } catch (err) {
    fail(`cannot write in this folder (${problem(err)})`);
  } finally {
    await rm(probe, { force: true }).catch(() => {});
  }
}

/** Whether process `pid` is alive on this machine (a process of another user counts as alive). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const LOCK_FILE = '.lock';

/** A held lock of an output folder; `release()` removes it (once; also called on SIGINT and SIGTERM). */
export interface OutputLock {
  path: string;
  /** The pid of the dead process whose lock was taken over, if any. */
  tookOverFrom: number | null;
  release(): void;
}

/**
 * Locks `out` for this process: `out/.lock` created exclusively (O_EXCL) with `{pid, host, started}`. A lock
 * held by a live process is refused (UsageError naming `--out` and the pid); one whose process is dead (same
 * host) is taken over.
 */
export function lockOutputFolder(out: string, flag = '--out'): OutputLock {
  const path = join(out, LOCK_FILE);
  const host = hostname();
  let tookOverFrom: number | null = null;
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw new UsageError(`${flag} ${out}: cannot create the lock ${path} (${problem(err)})`);
      let holder: { pid?: unknown; host?: unknown } = {};
      try {
        holder = JSON.parse(readFileSync(path, 'utf8'));
      } catch {
        // Unreadable: a run that died between creating and writing it, or not ours.
      }
      const pid = typeof holder.pid === 'number' ? holder.pid : null;
      const sameHost = holder.host === host;
      if (pid !== null && sameHost && pid !== process.pid && !processAlive(pid)) {
        tookOverFrom = pid;
        try {
          unlinkSync(path);
        } catch {
          // Another run took it over first: the next attempt sees its lock.
        }
        continue;
      }
      if (pid === null) throw new UsageError(`${flag} ${out}: locked by ${path}, which names no process; if no run uses this folder, remove ${path}`);
      throw new UsageError(`${flag} ${out}: in use by another run (pid ${pid} on ${String(holder.host)}, lock ${path}); wait for it to end or use another --out${sameHost ? '' : ` (if that run is gone, remove ${path})`}`);
    }
    try {
      writeSync(fd, `${JSON.stringify({ pid: process.pid, host, started: new Date().toISOString() })}\n`);
    } finally {
      closeSync(fd);
    }
    break;
  }
  let held = true;
  const onSignal = (signal: NodeJS.Signals) => {
    release();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  const release = () => {
    if (!held) return;
    held = false;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    try {
      unlinkSync(path);
    } catch {
      // Already gone.
    }
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return { path, tookOverFrom, release };
}

const PARTIAL = /\.partial-(\d+)$/;

/**
 * Removes the temporary files (`NAME.partial-<pid>`) under `out` whose process is dead (or is this one: a
 * leftover of an earlier process with the same pid); returns their paths. Call it holding the lock.
 */
export async function removeStalePartials(out: string): Promise<string[]> {
  const removed: string[] = [];
  const walk = async (folder: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (depth < 4) await walk(path, depth + 1);
        continue;
      }
      const m = PARTIAL.exec(entry.name);
      if (!m) continue;
      const pid = Number(m[1]);
      if (pid !== process.pid && processAlive(pid)) continue;
      await unlink(path).catch(() => {});
      removed.push(path);
    }
  };
  await walk(out, 0);
  return removed;
}
