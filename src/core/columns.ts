/**
 * Borderless aligned columns for long terminal lists (as gh prints its lists): one pass to
 * measure, one to print, so 10,000 rows take milliseconds (a bordered cli-table3 table grows
 * quadratically with the row count). A cell may hold several lines; `paint` colours a cell's
 * text after it is padded, so colour never shifts the columns. The last column is not padded.
 */
export type Cell = string | string[];

export function columns(head: string[], rows: Cell[][], paint: (column: number, text: string, padded: string) => string = (_c, _t, p) => p, gap = 2): string {
  const lines = (c: Cell) => (Array.isArray(c) ? (c.length ? c : ['']) : [c]);
  const width = head.map((h) => h.length);
  for (const row of rows) row.forEach((c, i) => lines(c).forEach((l) => (width[i] = Math.max(width[i] ?? 0, l.length))));
  const last = head.length - 1;
  const pad = (text: string, i: number) => (i === last ? text : text.padEnd(width[i]! + gap));
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
