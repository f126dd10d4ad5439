// Presenting benchmark results: the table on stdout and the HTML page of charts written next to the JSON.
import type { BenchmarkResults } from '../dist/bench.js';

const fmt = (v: number | undefined, digits = 2): string => (v == null ? '-' : v.toFixed(digits));

export function formatTable(r: BenchmarkResults): string {
  const lines = [
    `${r.runtime} (${r.runtimeVersion}); adapter ${r.adapter.vendor} ${r.adapter.architecture} (${r.adapter.software ? 'software' : 'hardware'})`,
  ];
  if (r.kernels.length) {
    lines.push('', ['kernel'.padEnd(34), 'first ms', 'median ms', 'min ms', 'max ms', 'gpu ms', 'GB/s'].join('  '));
    for (const e of r.kernels) {
      lines.push(
        [
          e.name.padEnd(34),
          fmt(e.firstRunMs).padStart(8),
          fmt(e.wallMs.median, 3).padStart(9),
          fmt(e.wallMs.min, 3).padStart(6),
          fmt(e.wallMs.max, 3).padStart(6),
          fmt(e.gpuMs?.median, 3).padStart(6),
          fmt(e.gbPerSecond).padStart(5),
        ].join('  '),
      );
    }
  }
  const engine = r.engineKernels ?? [];
  if (engine.length) {
    lines.push('', ['engine kernel vs tfjs kernel'.padEnd(60), 'first ms', 'median ms', 'min ms', 'max ms'].join('  '));
    for (const e of engine) {
      lines.push([e.name.padEnd(60), fmt(e.firstRunMs, 1).padStart(8), fmt(e.wallMs.median, 2).padStart(9), fmt(e.wallMs.min, 2).padStart(6), fmt(e.wallMs.max, 2).padStart(6)].join('  '));
    }
  }
  if (r.steps.length) {
    lines.push('', ['training step'.padEnd(34), 'first ms', 'median ms', 'host ms', 'images/s', 'up B/step', 'uniform B', 'down B', 'dispatches', 'submits'].join('  '));
    for (const e of r.steps) {
      lines.push(
        [
          e.name.padEnd(34),
          fmt(e.firstRunMs, 0).padStart(8),
          fmt(e.wallMs.median, 0).padStart(9),
          (e.hostMs ? fmt(e.hostMs.median, 0) : '-').padStart(7),
          fmt(e.imagesPerSecond, 1).padStart(8),
          String(e.traffic.uploadBytes).padStart(9),
          String(e.traffic.uniformBytes).padStart(9),
          String(e.traffic.downloadBytes).padStart(6),
          String(e.traffic.dispatches ?? '-').padStart(10),
          String(e.traffic.submits ?? '-').padStart(7),
        ].join('  '),
      );
    }
  }
  const iterations = r.attackIterations ?? [];
  if (iterations.length) {
    lines.push('', ['attack iteration'.padEnd(34), 'batch', 'us per image', 'x a PGD step'].join('  '));
    for (const e of iterations) lines.push([e.name.padEnd(34), String(e.batch).padStart(5), fmt(e.msPerImage * 1000, 1).padStart(12), fmt(e.perPgdStep, 2).padStart(12)].join('  '));
  }
  lines.push('', 'ratios');
  for (const q of r.ratios) lines.push(`  ${q.name.padEnd(66)} ${fmt(q.value)}`);
  return lines.join('\n');
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A horizontal bar chart as inline SVG: one bar per (label, value), a reference line at `mark`. */
function barChart(title: string, bars: { label: string; value: number }[], unit: string, mark?: number): string {
  const rowHeight = 22;
  const labelWidth = 330;
  const plotWidth = 420;
  const max = Math.max(mark ?? 0, ...bars.map((b) => b.value)) * 1.1 || 1;
  const height = bars.length * rowHeight + 30;
  const x = (v: number) => labelWidth + (v / max) * plotWidth;
  const rows = bars
    .map((b, i) => {
      const y = 10 + i * rowHeight;
      return `<text x="${labelWidth - 8}" y="${y + 14}" text-anchor="end">${escape(b.label)}</text>` +
        `<rect x="${labelWidth}" y="${y + 3}" width="${Math.max(1, x(b.value) - labelWidth)}" height="${rowHeight - 6}" fill="#4a78c2"/>` +
        `<text x="${x(b.value) + 5}" y="${y + 14}">${b.value.toFixed(2)}${unit}</text>`;
    })
    .join('');
  const line = mark === undefined ? '' : `<line x1="${x(mark)}" x2="${x(mark)}" y1="5" y2="${height - 15}" stroke="#c24a4a" stroke-dasharray="4 3"/>`;
  return `<h2>${escape(title)}</h2><svg width="${labelWidth + plotWidth + 80}" height="${height}" font-family="sans-serif" font-size="12">${rows}${line}</svg>`;
}

/** A self-contained HTML page with the charts of one results file. */
export function formatHtml(r: BenchmarkResults): string {
  const ratio = (pattern: RegExp) => r.ratios.filter((q) => pattern.test(q.name)).map((q) => ({ label: q.name, value: q.value }));
  const steps = r.steps.map((e) => ({ label: e.name, value: e.imagesPerSecond }));
  return `<!doctype html><html><head><meta charset="utf-8"><title>tfjs-adversarial benchmark (${r.runtime})</title>
<style>body{font-family:sans-serif;margin:2em;max-width:900px}</style></head><body>
<h1>tfjs-adversarial benchmark</h1>
<p>${escape(r.date)}; ${escape(r.runtime)} (${escape(r.runtimeVersion)}); adapter ${escape(`${r.adapter.vendor} ${r.adapter.architecture}`)} (${r.adapter.software ? 'software' : 'hardware'})${r.options.quick ? '; quick set' : ''}</p>
${barChart('Fused kernel over composed stock ops (speed-up; line at 1)', ratio(/fused\/composed/), 'x', 1)}
${barChart('Fraction of the copy kernel\'s bandwidth (line at 1)', ratio(/fraction of copy/), '', 1)}
${(r.engineKernels ?? []).length ? barChart('Engine kernel over the tfjs kernel it replaces (speed-up; line at 1)', ratio(/engine\/tfjs/), 'x', 1) : ''}
${steps.length ? barChart('Training steps, images per second', steps, '') : ''}
${steps.length ? barChart('This library over stock tfjs, images per second (line at 1)', ratio(/ours\/stock/), 'x', 1) : ''}
</body></html>
`;
}
