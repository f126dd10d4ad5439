// The real-architecture table: the rows of runRealBench (bench/real/measure.ts) beside the PyTorch peer's
// (bench/peer/torch_real.py), as text, and the ours/stock ratios bench:check compares.
import type { RealResults, RealRow } from './measure';

/** The PyTorch peer's images per second, keyed by realKey(model, size, batch, step). */
export type TorchReal = { torch: string; torchvision: string; threads: number; imagesPerSecond: Record<string, number> } | null;

export const realKey = (model: string, size: number, batch: number, step: string): string => `${model} ${size} [${batch}] ${step}`;

/** The ratio names bench:check stores: `real MODEL SIZE STEP ours/stock [BATCH]`. */
export function realRatios(results: RealResults): { name: string; value: number; definition: string }[] {
  return results.rows
    .filter((r) => r.stock)
    .map((r) => ({
      name: `real ${r.model} ${r.size} ${r.step} ours/stock [${r.batch}]`,
      value: r.ours.imagesPerSecond / r.stock!.imagesPerSecond,
      definition: 'images per second of a real architecture step, this library / stock tfjs-webgpu (bench/real/measure.ts)',
    }));
}

const fixed = (v: number | null | undefined, digits: number, width: number) => (v == null || !Number.isFinite(v) ? '-' : v.toFixed(digits)).padStart(width);
const mib = (b: number | null) => (b === null ? '-' : (b / 2 ** 20).toFixed(0));

/** One line per row: images per second of each side, the ratios, ours' GFLOP/s and its share of the matmul peak and of the adapter's multiply-add ceiling, the peak bytes. */
export function formatRealTable(results: RealResults, torch: TorchReal): string {
  const peak = results.matmul?.gflops ?? null;
  const ceiling = results.fma?.gflops ?? null;
  const head = ['model', 'step', 'batch', 'ours img/s', 'stock img/s', 'PyTorch img/s', 'ours/stock', 'ours/PyTorch', 'ours GFLOP/s', '% matmul', '% fma', 'peak MiB ours', 'stock'];
  const widths = [24, 15, 5, 10, 11, 13, 10, 12, 12, 8, 5, 13, 6];
  const lines = [
    `real architectures on ${results.adapter.architecture || results.adapter.vendor} (${results.runtime}), ${results.date}`,
    peak !== null ? `engine BatchMatMul [${results.matmul!.n}x${results.matmul!.n}]x[${results.matmul!.n}x${results.matmul!.n}]: ${peak.toFixed(2)} GFLOP/s${results.matmul!.onEngine ? '' : ' (tfjs kernel: the engine did not take it)'}` : 'no matmul peak measured',
    ceiling !== null ? `multiply-add ceiling of the adapter (${results.fma!.chains} vec4 chains per invocation, registers only): ${ceiling.toFixed(2)} GFLOP/s` : 'no multiply-add ceiling measured',
    torch ? `PyTorch ${torch.torch} (torchvision ${torch.torchvision}) on ${torch.threads} threads, bench/peer/torch_real.py` : 'PyTorch: not run',
    'FLOPs per image: input gradient and PGD step 2F, FGSM-AT 8F (FGSM 2F, then a training step on clean + adversarial, 3F each); F = conv, depthwise and dense multiply-adds x 2',
    '',
    head.map((h, i) => (i < 2 ? h.padEnd(widths[i]) : h.padStart(widths[i]))).join('  '),
  ];
  let last = '';
  for (const r of results.rows) {
    const modelCell = `${r.model} ${r.size}`;
    const t = torch?.imagesPerSecond[realKey(r.model, r.size, r.batch, r.step)];
    const cells = [
      (modelCell === last ? '' : modelCell).padEnd(widths[0]),
      r.step.padEnd(widths[1]),
      String(r.batch).padStart(widths[2]),
      fixed(r.ours.imagesPerSecond, 2, widths[3]),
      fixed(r.stock?.imagesPerSecond, 2, widths[4]),
      fixed(t, 2, widths[5]),
      fixed(r.stock ? r.ours.imagesPerSecond / r.stock.imagesPerSecond : null, 2, widths[6]),
      fixed(t ? r.ours.imagesPerSecond / t : null, 3, widths[7]),
      fixed(r.ours.gflops, 2, widths[8]),
      fixed(peak ? (100 * r.ours.gflops) / peak : null, 0, widths[9]),
      fixed(ceiling ? (100 * r.ours.gflops) / ceiling : null, 0, widths[10]),
      mib(r.ours.peakBytes).padStart(widths[11]),
      mib(r.stock?.peakBytes ?? null).padStart(widths[12]),
    ];
    last = modelCell;
    lines.push(cells.join('  '));
  }
  const forwards = [...new Map(results.rows.map((r: RealRow) => [`${r.model} ${r.size}`, r])).values()];
  lines.push('', ...forwards.map((r) => `${r.title}: F = ${(r.forwardFlopsPerImage / 1e9).toFixed(3)} GFLOP per image, ${(r.parameters / 1e6).toFixed(2)}M weights`));
  return lines.join('\n');
}
