// The command line's tools besides the jobs: `report PATH` (report.html and PNG charts of a saved report;
// `--points A-B` prints its tables on a range of points instead), `merge DIR... --out DIR` (shard reports
// joined, shard_tools.ts) and `demo` (serves the demo page, dist/demo/, and the embedded digits on 127.0.0.1).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { REPORT_SCHEMA } from '../job/settings';
import type { AnyReport } from '../report/schema';
import { UsageError } from './args';
import { serveFiles, type ServedFile } from './serve';

const CONTENT_TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript', map: 'application/json', gz: 'application/gzip' };

/** The files the demo server serves, by URL path: the page, its script and the embedded digits. */
export function demoFiles(): Record<string, ServedFile> {
  const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
  const paths: Record<string, string> = {
    '/': here('./demo/index.html'),
    '/index.html': here('./demo/index.html'),
    '/demo.js': here('./demo/demo.js'),
    '/demo.js.map': here('./demo/demo.js.map'),
    '/data/digits-images-idx3-ubyte.gz': here('./data/digits-images-idx3-ubyte.gz'),
    '/data/digits-labels-idx1-ubyte.gz': here('./data/digits-labels-idx1-ubyte.gz'),
  };
  for (const [url, path] of Object.entries(paths)) if (!existsSync(path) && !url.endsWith('.map')) throw new Error(`demo: ${path} is missing; build first (node build.mjs)`);
  // A missing file (the source map) reads as a 404.
  return Object.fromEntries(Object.entries(paths).map(([url, path]) => [url, { type: CONTENT_TYPES[path.slice(path.lastIndexOf('.') + 1)] ?? 'application/octet-stream', body: () => readFileSync(path) }]));
}

/**
 * Serves the demo page on `host`:`port` (0: a free port); resolves with its address once listening.
 *
 * @example
 * const { url, close } = await startDemoServer(0);
 */
export async function startDemoServer(port: number, host = '127.0.0.1'): Promise<{ url: string; close(): Promise<void> }> {
  try {
    return await serveFiles(demoFiles(), port, host);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UsageError(`demo: port ${port} on ${host} is in use; pick another with --port N (0: any free port)`);
    throw err;
  }
}

/** Reads a report.json or sweep.json, checking that it is one of ours. */
export function readReport(path: string, command = 'report'): AnyReport {
  let report: AnyReport;
  try {
    report = JSON.parse(readFileSync(path, 'utf8')) as AnyReport;
  } catch (err) {
    throw new UsageError(`${command}: cannot read ${path} as JSON (${(err as Error).message})`);
  }
  if (report?.schema !== REPORT_SCHEMA || !['train', 'eval', 'sweep'].includes(report.command)) {
    throw new UsageError(`${command}: ${path} is not a tfjs-adversarial report (schema ${REPORT_SCHEMA}, command train, eval or sweep)`);
  }
  return report;
}

/** parseArgs with its errors as UsageErrors of `command` listing its flags. */
function toolArgs(command: string, argv: string[], options: Record<string, { type: 'string' }>, flags: string) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options });
  } catch (err) {
    throw new UsageError(`${command}: ${(err as Error).message.split('\n')[0]} (flags: ${flags})`);
  }
}

export async function runToolCommand(command: 'report' | 'demo' | 'merge', argv: string[]): Promise<void> {
  if (command === 'merge') {
    const { positionals, values } = toolArgs('merge', argv, { out: { type: 'string' } }, '--out DIR');
    const { mergeCommand } = await import('./shard_tools');
    const { writeReportFiles } = await import('./report_files');
    const written = await mergeCommand(positionals, values.out as string | undefined, (p) => readReport(p, 'merge'), writeReportFiles, (m) => console.log(m));
    console.log(`wrote ${written.join(', ')}`);
    return;
  }
  if (command === 'report') {
    const { positionals, values } = toolArgs('report', argv, { points: { type: 'string' } }, '--points A-B');
    if (positionals.length !== 1) throw new UsageError('report needs one PATH: a report.json or sweep.json');
    const path = resolve(positionals[0]);
    const report = readReport(path);
    if (values.points !== undefined) {
      const { rangeLines } = await import('./shard_tools');
      for (const line of rangeLines(report, values.points as string)) console.log(line);
      return;
    }
    const { writeReportFiles } = await import('./report_files');
    const written = await writeReportFiles(dirname(path), report, (m) => console.log(m));
    console.log(`wrote ${written.join(', ')}`);
    return;
  }
  let values: { port?: string; host?: string };
  try {
    ({ values } = parseArgs({ args: argv, strict: true, options: { port: { type: 'string' }, host: { type: 'string' } } }));
  } catch (err) {
    throw new UsageError(`demo: ${(err as Error).message.split('\n')[0]} (flags: --port N, --host H)`);
  }
  const port = values.port === undefined ? 8080 : Number(values.port);
  if (!/^\d+$/.test(values.port ?? '8080') || port > 65535) throw new UsageError(`--port must be an integer in [0, 65535], got ${JSON.stringify(values.port)}`);
  const { url } = await startDemoServer(port, values.host ?? '127.0.0.1');
  console.log(`demo: ${url}  (open it in a WebGPU browser; Ctrl-C stops the server)`);
  await new Promise(() => {}); // serve until killed
}
