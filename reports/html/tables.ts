// Server-rendered tables: readable without JavaScript.

import { escapeHtml } from "./escape.js";

/** Markup that is already escaped, for cells that need more than text. */
export interface Markup {
  readonly html: string;
}

export function markup(html: string): Markup {
  return { html };
}

/** A cell: plain text (escaped here) or markup; `text` cells are left-aligned, others are figures. */
export type Cell = string | Markup | { text: Markup | string };

function cellContent(cell: string | Markup): string {
  return typeof cell === "string" ? escapeHtml(cell) : cell.html;
}

/** A heading row across the table, starting a group of rows. */
export interface Section {
  section: string;
}

function isText(cell: Cell | undefined): cell is { text: Markup | string } {
  return typeof cell === "object" && "text" in cell;
}

function cellHtml(cell: Cell, column: number): string {
  const content = isText(cell) ? cellContent(cell.text) : cellContent(cell);
  if (column === 0) return `<th scope="row">${content}</th>`;
  return isText(cell) ? `<td class="text">${content}</td>` : `<td>${content}</td>`;
}

/** A table whose first column names each row; `className` styles it. */
export function table(head: (string | Markup)[], rows: (Cell[] | Section)[], className?: string): string {
  const textColumn = (i: number) => rows.some((row) => !("section" in row) && isText(row[i]));
  const headHtml = head
    .map((h, i) => `<th scope="col"${textColumn(i) ? ' class="text"' : ""}>${cellContent(h)}</th>`)
    .join("");
  const body = rows.map((row) =>
    "section" in row
      ? `<tr class="section"><th colspan="${head.length}" scope="colgroup">${escapeHtml(row.section)}</th></tr>`
      : `<tr>${row.map(cellHtml).join("")}</tr>`,
  );
  const attribute = className === undefined ? "" : ` class="${escapeHtml(className)}"`;
  return `<div class="table-wrap"><table${attribute}>
<thead><tr>${headHtml}</tr></thead>
<tbody>
${body.join("\n")}
</tbody>
</table></div>`;
}

/** A check verdict (true, false or "unknown"), colored. */
export function verdict(value: string): Markup {
  const known = ["true", "false", "unknown"].includes(value);
  return markup(known ? `<span class="verdict-${value}">${value}</span>` : escapeHtml(value));
}
