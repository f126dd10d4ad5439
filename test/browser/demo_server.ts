// The demo page's server for the Chromium tests: `tfjs-adversarial demo --port 0` as a child process, and
// the address it prints once it listens.
import { spawn, type ChildProcess } from 'node:child_process';

/** Starts `dist/cli.js demo` on a free port; resolves with the process and its URL (rejects if it exits first). */
export async function startDemoServer(): Promise<{ server: ChildProcess; url: string }> {
  const server = spawn(process.execPath, ['dist/cli.js', 'demo', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (chunk) => {
      out += String(chunk);
      const found = /demo: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (found) resolve(found[1]);
    });
    server.on('exit', (code) => reject(new Error(`demo server exited with ${code}: ${out}`)));
  });
  return { server, url };
}
