// DOM pieces shared by report.html and the demo page: a table element from a report table.
import type { ReportTable } from './format';

/** A titled table element for `table` (section[data-table-id]). */
export function tableElement(table: ReportTable): HTMLElement {
  const section = document.createElement('section');
  section.className = 'table';
  section.dataset.tableId = table.id;
  const heading = document.createElement('h3');
  heading.textContent = table.title;
  const element = document.createElement('table');
  const head = element.createTHead().insertRow();
  for (const c of table.columns) head.appendChild(document.createElement('th')).textContent = c;
  const body = element.createTBody();
  for (const row of table.rows) {
    const tr = body.insertRow();
    for (const cell of row) tr.insertCell().textContent = cell;
  }
  section.append(heading, element);
  return section;
}
