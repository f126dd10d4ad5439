// The script inlined in report.html: reads the report embedded in the page (#report-data), lays out its
// summary, charts and tables, and marks the page ready (html[data-ready]) once every chart is drawn.
import { chartValues, drawChart } from './render';
import { tableElement } from './dom';
import type { AnyReport } from './schema';
import { reportView } from './specs';

declare global {
  interface Window {
    /** The values each drawn chart holds (for tests and for people poking at the page). */
    reportChartValues(): ReturnType<typeof chartValues>[];
  }
}

function main(): void {
  const report = JSON.parse(document.getElementById('report-data')!.textContent!) as AnyReport;
  const view = reportView(report);
  document.title = view.title;
  const root = document.getElementById('report')!;
  root.appendChild(document.createElement('h1')).textContent = view.title;
  for (const line of view.lines) root.appendChild(document.createElement('p')).textContent = line;
  const charts = root.appendChild(document.createElement('div'));
  charts.className = 'charts';
  const canvases = view.charts.map((spec) => {
    const figure = charts.appendChild(document.createElement('figure'));
    const canvas = figure.appendChild(document.createElement('canvas'));
    drawChart(canvas, spec);
    return canvas;
  });
  for (const table of view.tables) root.appendChild(tableElement(table));
  window.reportChartValues = () => canvases.map(chartValues);
  document.documentElement.dataset.charts = String(canvases.length);
  document.documentElement.dataset.ready = 'true';
}

main();
