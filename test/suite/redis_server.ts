// A private Redis for the queue tests: `redis-server` from the system (Debian's package; `.ci/run` installs
// it) on 127.0.0.1 with a port the OS picked as free, no persistence (`--save '' --appendonly no`), its
// working folder a temp dir; ready once it answers PING; stopped (and the temp dir removed) by `stop()`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
  /** `redis://127.0.0.1:PORT` */
  url: string;
  port: number;
  process: ChildProcess;
  /** SIGTERM, wait for the exit (SIGKILL after 5 s), remove the temp dir. */
  stop(): Promise<void>;
}

/** A port that was free a moment ago: the OS's pick for a listener on port 0, closed again. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether a Redis on `port` answers PING with +PONG (a raw RESP exchange, no client library). */
export function ping(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += String(chunk);
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/**
 * Starts `redis-server` on a free port of 127.0.0.1 and resolves once it answers PING (rejects after
 * `timeoutMs`, or at once with "install redis-server" when the binary is missing).
 *
 * @example
 * const redis = await startRedisServer();   // redis.url: 'redis://127.0.0.1:40123'
 * await redis.stop();
 */
export async function startRedisServer(timeoutMs = 15_000): Promise<RedisServer> {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).error) {
    throw new Error('redis-server is not on PATH: install redis-server (Debian: apt-get install redis-server; .ci/run does it)');
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tfjs-adv-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning'];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c) => (output += String(c)));
  child.stderr!.on('data', (c) => (output += String(c)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  while (!(await ping(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms (exit ${child.exitCode}): ${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `redis://127.0.0.1:${port}`, port, process: child, stop };
}
