import { describe, expect, it } from 'vitest';
import { columns, lastColumnRoom } from './columns.js';
import { width } from './text-width.js';

describe('columns (aligned terminal lists)', () => {
  it('aligns every column to its widest line, continues multi-line cells, and does not pad the last column', () => {
    const text = columns(['ID', 'STATUS', 'TARGETS', 'TEXT'], [
      ['1', 'published', ['x published', 'linkedin published'], 'Hello'],
      ['12', 'failed', ['tiktok failed'], 'Longer text here'],
    ]);
    expect(text.split('\n')).toEqual([
      'ID  STATUS     TARGETS             TEXT',
      '1   published  x published         Hello',
      '               linkedin published',
      '12  failed     tiktok failed       Longer text here',
    ]);
  });

  it('colours after padding, so escape codes never shift a column', () => {
    const red = (s: string) => `\u001b[31m${s}\u001b[39m`;
    const text = columns(['A', 'B'], [['x', 'y'], ['long', 'z']], (col, t, padded) => (col === 0 && t === 'x' ? red(padded) : padded));
    const plain = text.replace(/\u001b\[\d+m/g, '');
    expect(plain.split('\n')).toEqual(['A     B', 'x     y', 'long  z']);
    expect(text).toContain(red('x     '));
  });

  it('renders 10,000 rows of two-line cells', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => [String(i), ['a scheduled', 'b failed'], `post ${i}`]);
    const out = columns(['ID', 'TARGETS', 'TEXT'], rows);
    expect(out.split('\n')).toHaveLength(20_001);
  });

  it('aligns by terminal columns: CJK and emoji take two, combining marks none', () => {
    const family = '👩‍👩‍👧‍👦';
    const text = columns(['NAME', 'STATE', 'NOTE'], [
      ['東京アカウント', 'ok', 'a'],
      [`${family}team`, 'failed', 'b'],
      ['cafe\u0301', ['ok', '東京'], 'c'],
    ]);
    const lines = text.split('\n');
    // STATE and NOTE start at the same terminal column on every line.
    const at = (l: string, word: string) => width(l.slice(0, l.lastIndexOf(word)));
    expect(lines.map((l, i) => at(l, ['STATE', 'ok', 'failed', 'ok', '東京'][i]!))).toEqual([16, 16, 16, 16, 16]);
    expect(lines.slice(0, 4).map((l, i) => at(l, ['NOTE', 'a', 'b', 'c'][i]!))).toEqual([24, 24, 24, 24]);
    expect(lines[2]).toBe(`${family}team${' '.repeat(10)}failed  b`); // 6 columns padded to 16
  });

  it('lastColumnRoom: what the other columns leave of the window', () => {
    expect(lastColumnRoom(['ID', 'WHEN', 'TEXT'], [['1', '東京'], ['22', 'x']], 80)).toBe(80 - (2 + 2) - (4 + 2));
    expect(lastColumnRoom(['ID', 'TEXT'], [['1', 'x']], 10, 3)).toBe(10 - 5);
  });
});
