import { describe, expect, it } from 'vitest';
import { columns } from './columns.js';

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
});
