import { describe, expect, it } from 'vitest';
import { fitTable, wrap } from './fit.js';
import { truncate } from './text-width.js';

describe('fitTable (tables that fit the terminal)', () => {
  const head = ['NAME', 'STATE', 'NOTE'];
  const rows = [{ cells: ['a-rather-long-account-name', 'ok', 'refreshed 2h ago'], detail: ['a message long enough to need wrapping at a narrow width, word by word'] }];

  it('keeps natural widths when they fit', () => {
    expect(fitTable(head, rows, { width: 120, shrink: 0 })).toEqual([
      'NAME                        STATE  NOTE',
      'a-rather-long-account-name  ok     refreshed 2h ago',
      '  a message long enough to need wrapping at a narrow width, word by word',
    ]);
  });

  it('cuts the shrink column first, then the last, and wraps detail lines at word boundaries', () => {
    const lines = fitTable(head, rows, { width: 40, shrink: 0 });
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(40);
    expect(lines[1]).toBe('a-rather-long-…  ok     refreshed 2h ago');
    expect(lines.slice(2)).toEqual(['  a message long enough to need wrapping', '  at a narrow width, word by word']);
    const narrow = fitTable(head, rows, { width: 30, shrink: 0 });
    for (const l of narrow) expect(l.length).toBeLessThanOrEqual(30);
    expect(narrow[1]).toBe('a-rathe…  ok     refreshed 2h…');
  });

  it('truncate and wrap', () => {
    expect(truncate('abcdef', 6)).toBe('abcdef');
    expect(truncate('abcdefg', 6)).toBe('abcde…');
    expect(wrap('one two three', 7)).toEqual(['one two', 'three']);
    expect(wrap('averyveryverylongword x', 8)).toEqual(['averyver', 'yverylon', 'gword x']);
  });

  it('measures, cuts and wraps by terminal columns, never inside a grapheme', () => {
    const rows = [{ cells: ['東京アカウント', 'ok', 'x'] }, { cells: ['👩‍👩‍👧‍👦team', 'ok', 'y'] }];
    expect(fitTable(head, rows, { width: 80, shrink: 0 })).toEqual(['NAME            STATE  NOTE', '東京アカウント  ok     x', '👩‍👩‍👧‍👦team          ok     y']);
    // Too narrow: NAME gives up columns; a 2-column character that does not fit whole is left out.
    expect(fitTable(head, rows, { width: 20, shrink: 0, minShrink: 4 }).slice(1)).toEqual(['東京ア…  ok     x', '👩‍👩‍👧‍👦team   ok     y']);
    // One column short for カ: it is left out, the cell padded to its width.
    expect(fitTable(head, rows, { width: 19, shrink: 0, minShrink: 4 }).slice(1)).toEqual(['東京…   ok     x', '👩‍👩‍👧‍👦team  ok     y']);
    expect(fitTable(head, rows, { width: 18, shrink: 0, minShrink: 4 }).slice(1)).toEqual(['東京…  ok     x', '👩‍👩‍👧‍👦te…  ok     y']);
    expect(wrap('東京アカウント 東京', 6)).toEqual(['東京ア', 'カウン', 'ト', '東京']);
    expect(wrap('ab👩‍👩‍👧‍👦cd', 3)).toEqual(['ab', '👩‍👩‍👧‍👦c', 'd']);
  });
});
