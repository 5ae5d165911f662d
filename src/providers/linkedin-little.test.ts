import { describe, expect, it } from 'vitest';
import { fromLittle, toLittle, LITTLE_RESERVED } from './linkedin-little.js';
import { parseLittle } from '../sandbox/linkedin-little.js';

describe('little text (docs/platforms/linkedin.md#little-text)', () => {
  it('escapes every reserved character the guide lists', () => {
    expect([...LITTLE_RESERVED].sort().join('')).toBe([...'|{}@[]()<>#*_~\\'].sort().join(''));
    for (const c of LITTLE_RESERVED) expect(toLittle(`a${c} b`, 'text')).toBe(`a\\${c} b`);
  });

  it.each([
    ['#launch day', '{hashtag|\\#|launch} day'],
    ['go #café!', 'go {hashtag|\\#|café}!'],
    ['#my_tag', '{hashtag|\\#|my}\\_tag'],
    ['C# and ##x', 'C\\# and \\#\\#x'],
    ['#', '\\#'],
    ['# x', '\\# x'],
    ['(#tag)', '\\({hashtag|\\#|tag}\\)'],
    ['🎉#tag', '🎉{hashtag|\\#|tag}'],
  ])('%j -> %j', (typed, little) => {
    expect(toLittle(typed)).toBe(little);
  });

  it.each([
    'plain text',
    'a (b) [c] {d} <e> @f #g *h* _i_ ~j~ k|l m\\n \\',
    '#tag #日本 C# ## #1',
    '{hashtag|\\#|typed} @[Eddy](urn:li:person:1234)',
    '🎉 emoji 👩‍👩‍👧 and ＃fullwidth',
  ])('what LinkedIn stores and returns for %j reads back as typed', (typed) => {
    for (const mode of ['link', 'text'] as const) {
      const parsed = parseLittle(toLittle(typed, mode));
      expect(parsed.cutAt).toBeUndefined();
      expect(parsed.shown).toBe(typed);
      expect(fromLittle(parsed.readBack)).toBe(typed);
    }
  });

  it('reads hashtag elements, templates (both signs) and mentions as a reader sees them', () => {
    expect(fromLittle('Hi #there {hashtag|＃|wide} @[Acme Corp](urn:li:organization:1) \\(x\\)')).toBe('Hi #there ＃wide Acme Corp (x)');
  });
});
