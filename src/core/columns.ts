/**
 * Borderless aligned columns for long terminal lists (as gh prints its lists): one pass to
 * measure, one to print, so 10,000 rows take milliseconds (a bordered cli-table3 table grows
 * quadratically with the row count). A cell may hold several lines; `paint` colours a cell's
 * text after it is padded, so colour never shifts the columns. The last column is not padded.
 * Widths are terminal columns (text-width.ts): CJK and emoji take two, combining marks none.
 */
import { padEnd, width as columnsOf } from './text-width.js';

export type Cell = string | string[];

/** The columns left for the last column when the others take their natural widths. */
export function lastColumnRoom(head: string[], rows: Cell[][], total: number, gap = 2): number {
  const width = head.slice(0, -1).map(columnsOf);
  for (const row of rows) width.forEach((w, i) => (width[i] = Math.max(w, ...lines(row[i] ?? '').map(columnsOf))));
  return total - width.reduce((a, b) => a + b + gap, 0);
}

const lines = (c: Cell) => (Array.isArray(c) ? (c.length ? c : ['']) : [c]);

export function columns(head: string[], rows: Cell[][], paint: (column: number, text: string, padded: string) => string = (_c, _t, p) => p, gap = 2): string {
  const width = head.map(columnsOf);
  for (const row of rows) row.forEach((c, i) => lines(c).forEach((l) => (width[i] = Math.max(width[i] ?? 0, columnsOf(l)))));
  const last = head.length - 1;
  const pad = (text: string, i: number) => (i === last ? text : padEnd(text, width[i]! + gap));
  const out: string[] = [head.map((h, i) => paint(-1, h, pad(h, i))).join('').trimEnd()];
  for (const row of rows) {
    const cells = row.map(lines);
    const height = Math.max(...cells.map((c) => c.length));
    for (let k = 0; k < height; k++) {
      out.push(cells.map((c, i) => (c[k] === undefined ? pad('', i) : paint(i, c[k]!, pad(c[k]!, i)))).join('').trimEnd());
    }
  }
  return out.join('\n');
}
