// The report's shared vocabulary: chart and table specs (rendered by report/render.ts and report/dom.ts)
// and the one percentage format, used by the report views and the robustness tables alike.

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
