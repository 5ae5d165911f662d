/**
 * How many terminal columns text takes, for every aligned table and every cut to a width: a
 * CJK character takes two, an emoji two however many code points it is made of (a ZWJ family,
 * a flag), a combining mark none, colour escape codes none. `string-width` knows the Unicode
 * tables; plain printable ASCII (almost every cell) is measured by its length without it.
 * Cuts never split a grapheme (Intl.Segmenter), so an emoji or an accent is kept whole or left out.
 */
import type StringWidth from 'string-width';

/**
 * Text measured by its length, without the library: printable ASCII and the narrow marks our
 * own tables draw (· … ─ █ ░ ✓ ✗ », one column each; text-width.test.ts checks them against
 * string-width), so an all-ASCII table with bars and marks never loads it. Measured on a
 * terminal, `status` with 50 ASCII connections: 109 ms median with this path, 138 ms with every
 * cell through string-width (2026-12-06, 15 interleaved runs each).
 */
const PLAIN = /^[\x20-\x7e\u00b7\u2026\u2500\u2588\u2591\u2713\u2717\u00bb]*$/;

let library: typeof StringWidth | undefined;
/**
 * string-width, evaluated on the first text that is not plain ASCII: loading it builds an
 * Intl.Segmenter, whose Unicode data costs about 10 ms in a process that has used no Intl yet
 * (every `status` table). The bundles keep it inside (esbuild turns this require into a lazy
 * module init), so it is never resolved at run time; under vitest it is Node's require.
 */
const stringWidth = (s: string): number => (library ??= (require('string-width') as { default: typeof StringWidth }).default)(s);

let graphemes: Intl.Segmenter | undefined;
const segments = (s: string) => (graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' })).segment(s);

/** The columns `s` takes in a terminal (escape codes count none). */
export function width(s: string): number {
  return PLAIN.test(s) ? s.length : stringWidth(s);
}

/**
 * The longest start of `s` that fits `cols` columns, never ending inside a grapheme; with
 * `atLeastOne`, the first grapheme even when it is wider (so a line-by-line cut always moves on).
 */
export function fitStart(s: string, cols: number, atLeastOne = false): string {
  if (PLAIN.test(s)) return s.slice(0, Math.max(atLeastOne ? 1 : 0, cols));
  let used = 0;
  let end = 0;
  for (const { segment, index } of segments(s)) {
    used += stringWidth(segment);
    if (used > cols && (end > 0 || !atLeastOne)) break;
    end = index + segment.length;
  }
  return s.slice(0, end);
}

/** `s` cut to `cols` columns, ending in "…" (no space before it) when it was longer; plain text, no escape codes. */
export function truncate(s: string, cols: number): string {
  if (width(s) <= cols) return s;
  return cols <= 0 ? '' : fitStart(s, cols - 1).trimEnd() + '…';
}

/** `s` followed by spaces up to `cols` columns (unchanged when it is already as wide). */
export function padEnd(s: string, cols: number): string {
  return s + ' '.repeat(Math.max(0, cols - width(s)));
}
