// The report's shared vocabulary: chart and table specs (rendered by report/render.ts and report/dom.ts)
// and the one percentage format, used by the report views and the robustness tables alike; the memory line.
import type { ReportMemory } from './schema';

export interface ChartPoint {
  x: number;
  y: number;
}

export interface ChartSeries {
  label: string;
  points: ChartPoint[];
  dashed?: boolean;
  /** Colour by this index instead of the series' position (one model, one colour across charts). */
  colourIndex?: number;
}

/** One chart: `line` and `scatter` over numeric x, `bar` over `x.categories` (point x = category index). */
export interface ChartSpec {
  id: string;
  title: string;
  kind: 'line' | 'scatter' | 'bar';
  /** `integer`: ticks at whole numbers only (epochs). */
  x: { title: string; categories?: string[]; integer?: boolean };
  /** `percent`: values are fractions, drawn as percentages. */
  y: { title: string; percent?: boolean; min?: number; max?: number };
  series: ChartSeries[];
}

export interface ReportTable {
  id: string;
  title: string;
  columns: string[];
  rows: string[][];
}

/** A fraction as a percentage with one decimal ('-' where there is none). */
export const pct = (v: number | null | undefined): string => (v === null || v === undefined || Number.isNaN(v) ? '-' : `${(100 * v).toFixed(1)}%`);

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/**
 * report.memory as one line for the page and the terminal ([] for reports before it).
 *
 * @example
 * memoryLines(report.memory); // ['peak memory: GPU 412 MiB held by tfjs (buffer pool), 380 MiB in use; tensors 95 MiB between batches']
 */
export function memoryLines(m: ReportMemory | undefined): string[] {
  if (!m) return [];
  const gpu = m.peak_gpu_bytes_allocated !== null ? `GPU ${mib(m.peak_gpu_bytes_allocated)} held by tfjs (buffer pool)${m.peak_gpu_bytes_in_use !== null ? `, ${mib(m.peak_gpu_bytes_in_use)} in use` : ''}; ` : '';
  return [`peak memory: ${gpu}tensors ${mib(m.peak_tensor_bytes)} between batches`];
}
