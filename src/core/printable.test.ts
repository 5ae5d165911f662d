import { describe, expect, it } from 'vitest';
import { printable } from './printable.js';

describe('printable', () => {
  it('removes escape sequences and control characters, keeps text, newlines and tabs', () => {
    expect(printable('a\x1b[2J\x1b[31mred\x1b[0m b')).toBe('ared b');
    expect(printable('title\x1b]0;pwned\x07 ok')).toBe('title ok');
    expect(printable('bell\x07 nul\x00 del\x7f c1\x9b')).toBe('bell nul del c1');
    expect(printable('line1\nline2\tx')).toBe('line1\nline2\tx');
    expect(printable('evil\u202eexe.txt')).toBe('evilexe.txt');
    expect(printable('Ünïcödé 中文 🙂 (ok) #tag')).toBe('Ünïcödé 中文 🙂 (ok) #tag');
  });
});
