// Draws chart specs with Chart.js (registered piece by piece, so the bundle holds only line, scatter and
// bar charts) on canvases of a fixed size, without animation, so that a screenshot or PNG shows the final
// chart at once. Shared by report.html and the demo page.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Title,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import type { ChartSpec } from './format';

Chart.register(BarController, BarElement, CategoryScale, Legend, LinearScale, LineController, LineElement, PointElement, ScatterController, Title, Tooltip);

/** Series colours, in order (colour-blind-safe palette of Okabe and Ito). */
export const SERIES_COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000', '#f0e442'];

/** Width and height of a chart in CSS pixels; PNGs are drawn at twice that. */
export const CHART_SIZE = { width: 640, height: 360 };

/** Paints the canvas white under the chart, so that PNGs are not transparent. */
const whiteBackground = {
  id: 'whiteBackground',
  beforeDraw(chart: Chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

function config(spec: ChartSpec, pixelRatio: number): ChartConfiguration {
  const scale = spec.y.percent ? 100 : 1;
  const datasets = spec.series.map((s, i) => {
    const colour = SERIES_COLOURS[(s.colourIndex ?? i) % SERIES_COLOURS.length];
    return {
      label: s.label,
      data: spec.kind === 'bar' ? s.points.map((p) => p.y * scale) : s.points.map((p) => ({ x: p.x, y: p.y * scale })),
      borderColor: colour,
      backgroundColor: spec.kind === 'bar' ? `${colour}cc` : colour,
      borderDash: s.dashed ? [6, 4] : undefined,
      pointRadius: spec.kind === 'scatter' ? 6 : 3,
      showLine: spec.kind !== 'scatter',
    };
  });
  return {
    type: spec.kind,
    data: { labels: spec.x.categories, datasets },
    plugins: [whiteBackground],
    options: {
      animation: false,
      responsive: false,
      devicePixelRatio: pixelRatio,
      plugins: {
        title: { display: true, text: spec.title },
        legend: { display: true, position: 'bottom' },
      },
      scales: {
        x:
          spec.kind === 'bar'
            ? { type: 'category', title: { display: true, text: spec.x.title } }
            : {
                type: 'linear',
                title: { display: true, text: spec.x.title },
                ticks: spec.x.integer ? { stepSize: 1, precision: 0 } : {},
                // The trade-off scatter keeps 0 (no cost, no gain) in view.
                ...(spec.kind === 'scatter' ? { suggestedMin: 0, suggestedMax: 0 } : {}),
              },
        y: {
          type: 'linear',
          ...(spec.kind === 'scatter' ? { suggestedMin: 0, suggestedMax: 0 } : {}),
          title: { display: true, text: spec.y.percent ? `${spec.y.title} (%)` : spec.y.title },
          min: spec.y.min !== undefined ? spec.y.min * scale : undefined,
          max: spec.y.max !== undefined ? spec.y.max * scale : undefined,
        },
      },
    } as ChartConfiguration['options'],
  } as ChartConfiguration;
}

/**
 * Draws `spec` on `canvas` (sized to CHART_SIZE), replacing a chart already there.
 *
 * @example
 * const chart = drawChart(document.querySelector('canvas')!, trainReportView(report).charts[0]);
 */
export function drawChart(canvas: HTMLCanvasElement, spec: ChartSpec, pixelRatio = 2): Chart {
  Chart.getChart(canvas)?.destroy();
  canvas.style.width = `${CHART_SIZE.width}px`;
  canvas.style.height = `${CHART_SIZE.height}px`;
  canvas.width = CHART_SIZE.width;
  canvas.height = CHART_SIZE.height;
  canvas.dataset.chartId = spec.id;
  canvas.dataset.percent = String(spec.y.percent === true);
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `${spec.title} (the numbers are in the table)`);
  return new Chart(canvas, config(spec, pixelRatio));
}

/** Replaces the data of a drawn chart with `spec`'s (a live chart growing by epochs). */
export function updateChart(chart: Chart, spec: ChartSpec): void {
  const next = config(spec, chart.options.devicePixelRatio ?? 2);
  chart.data.labels = next.data.labels;
  chart.data.datasets = next.data.datasets;
  chart.update();
}

/** The values a drawn chart holds, per series, in the spec's units (fractions for percent charts). */
export function chartValues(canvas: HTMLCanvasElement): { id: string; series: { label: string; points: { x: number; y: number }[] }[] } | null {
  const chart = Chart.getChart(canvas);
  if (!chart) return null;
  const percent = canvas.dataset.percent === 'true';
  return {
    id: canvas.dataset.chartId ?? '',
    series: chart.data.datasets.map((d) => ({
      label: String(d.label),
      points: (d.data as (number | { x: number; y: number })[]).map((p, i) => (typeof p === 'number' ? { x: i, y: percent ? p / 100 : p } : { x: p.x, y: percent ? p.y / 100 : p.y })),
    })),
  };
}

export { Chart };
