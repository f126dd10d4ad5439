// The results file of a benchmark run (schema `tfjs-adversarial/bench-kernels@1`) and its table on stdout.
import type { AdapterSummary, KernelBenchResults } from '../dist/index.js';

export const SCHEMA = 'tfjs-adversarial/bench-kernels@1';

export interface BenchFile extends KernelBenchResults {
  schema: typeof SCHEMA;
  date: string;
  runtime: 'node' | 'chrome';
  /** Node's version or the browser's user agent. */
  runtimeVersion: string;
  adapter: AdapterSummary;
  versions: Record<string, string>;
  options: Record<string, unknown>;
}

const fmt = (v: number | undefined, digits = 2): string => (v == null ? '-' : v.toFixed(digits));

export function formatTable(file: BenchFile): string {
  const lines = [
    `${file.runtime} (${file.runtimeVersion}); adapter ${file.adapter.vendor} ${file.adapter.architecture} (${file.adapter.software ? 'software' : 'hardware'})`,
    '',
    ['entry'.padEnd(32), 'first ms', 'median ms', 'min ms', 'max ms', 'gpu ms', 'GB/s'].join('  '),
  ];
  for (const e of file.entries) {
    lines.push(
      [
        e.name.padEnd(32),
        fmt(e.firstRunMs).padStart(8),
        fmt(e.wallMs.median, 3).padStart(9),
        fmt(e.wallMs.min, 3).padStart(6),
        fmt(e.wallMs.max, 3).padStart(6),
        fmt(e.gpuMs?.median, 3).padStart(6),
        fmt(e.gbPerSecond).padStart(5),
      ].join('  '),
    );
  }
  lines.push('', 'ratios');
  for (const r of file.ratios) lines.push(`  ${r.name.padEnd(48)} ${fmt(r.value)}`);
  return lines.join('\n');
}
