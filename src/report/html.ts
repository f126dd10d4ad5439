// report.html: one self-contained file (no server, no network) holding the report as JSON and the
// viewer script (Chart.js included), with a content security policy that forbids every fetch.
import type { AnyReport } from './schema';

export const REPORT_STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:20px}p{margin:4px 0}.charts{display:flex;flex-wrap:wrap;gap:16px;margin:16px 0}
figure{margin:0;border:1px solid #ddd;padding:8px;background:#fff}
table{border-collapse:collapse;margin:8px 0 16px}th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}`;

/** JSON safe inside a script element (no `</script>`, no HTML comment openers). */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * The HTML of a report page: `report` embedded as JSON, `viewerScript` (dist/report-view.js) inlined.
 *
 * @example
 * writeFileSync('out/report.html', reportHtml(report, readFileSync('dist/report-view.js', 'utf8')));
 */
export function reportHtml(report: AnyReport, viewerScript: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>tfjs-adversarial report</title>
<link rel="icon" href="data:,">
<style>${REPORT_STYLE}</style>
</head>
<body>
<main id="report"></main>
<script type="application/json" id="report-data">${scriptSafeJson(report)}</script>
<script>${viewerScript.replace(/<\/script/gi, '<\\/script')}</script>
</body>
</html>
`;
}
