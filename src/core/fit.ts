/**
 * A terminal table that fits the window, as `gh auth status` and gh's lists do: borderless
 * aligned columns; when the window is too narrow, one chosen column gives up width first
 * (cut with "…"), then the last one. A row may carry detail lines (a platform's message, the
 * command that fixes it), printed indented under it and wrapped at word boundaries, so the
 * table itself stays one line per row. `paint` colours a cell after it is padded, so escape
 * codes never shift a column.
 */
import { fitStart, truncate, width } from './text-width.js';

export interface FitRow {
  cells: string[];
  /** Lines printed under the row, indented; each wraps at word boundaries to the width. */
  detail?: string[];
}

export interface FitOptions {
  /** Terminal width in columns. */
  width: number;
  /** The column that gives up width first when the table is too wide. */
  shrink: number;
  /** The narrowest the shrinking column may get (never below its heading). */
  minShrink?: number;
  /** Colours a cell after padding (row -1: the heading). */
  paint?: (column: number, text: string, padded: string, row: number) => string;
  /** Colours a detail line (after wrapping). */
  paintDetail?: (line: string, rowIndex: number, detailIndex: number) => string;
  gap?: number;
  indent?: number;
}

/** Word-wrapped lines of at most `max` columns; a word longer than a line is cut into pieces. */
export function wrap(text: string, max: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let w = word;
    while (width(w) > max) {
      if (line) out.push(line), (line = '');
      const piece = fitStart(w, max, true);
      out.push(piece);
      w = w.slice(piece.length);
    }
    if (!w) continue;
    if (!line) line = w;
    else if (width(line) + 1 + width(w) <= max) line += ` ${w}`;
    else out.push(line), (line = w);
  }
  if (line || !out.length) out.push(line);
  return out;
}

/** Column widths that fit `o.width`: natural widths, then the shrink column, then the last one. */
function fitWidths(head: string[], rows: FitRow[], o: Pick<FitOptions, 'width' | 'shrink' | 'minShrink' | 'gap'>): number[] {
  const gap = o.gap ?? 2;
  const widths = head.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r.cells[i] ?? ''))));
  const last = widths.length - 1;
  const total = () => widths.reduce((a, b) => a + b, 0) + gap * last;
  const give = (i: number, floor: number) => {
    const over = total() - o.width;
    if (over > 0) widths[i] = Math.max(floor, widths[i]! - over);
  };
  give(o.shrink, Math.max(width(head[o.shrink] ?? ''), o.minShrink ?? 8));
  give(last, width(head[last] ?? ''));
  return widths;
}

/** The table's lines, none wider than `o.width` (unless even the headings are). */
export function fitTable(head: string[], rows: FitRow[], o: FitOptions): string[] {
  const gap = o.gap ?? 2;
  const indent = ' '.repeat(o.indent ?? 2);
  const paint = o.paint ?? ((_c: number, _t: string, p: string) => p);
  const widths = fitWidths(head, rows, o);
  const last = widths.length - 1;
  const line = (cells: string[], row: number) =>
    cells
      .map((c, i) => {
        const text = truncate(c, widths[i]!);
        const padded = i === last ? text : text + ' '.repeat(widths[i]! - width(text) + gap);
        return paint(i, text, padded, row);
      })
      .join('')
      .trimEnd();
  const out = [line(head, -1)];
  const room = Math.max(20, o.width - indent.length);
  rows.forEach((r, ri) => {
    out.push(line(r.cells, ri));
    let k = 0;
    for (const d of r.detail ?? []) {
      for (const l of wrap(d, room)) out.push(indent + (o.paintDetail ? o.paintDetail(l, ri, k) : l));
      k++;
    }
  });
  return out;
}
