import { describe, expect, it } from 'vitest';
import { editDistance, suggest } from './suggest.js';

describe('suggest', () => {
  it('counts a transposition as one edit', () => {
    expect(editDistance('tiktok', 'tiktko')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });
  it('suggests within two edits, scaled to short words', () => {
    expect(suggest('tiktk', ['tiktok', 'x'])).toBe('tiktok');
    expect(suggest('yuotube', ['youtube', 'x'])).toBe('youtube');
    expect(suggest('xx', ['x', 'tiktok'])).toBe('x');
    expect(suggest('ab', ['x', 'tiktok'])).toBeUndefined();
    expect(suggest('myspace', ['instagram', 'facebook', 'tiktok', 'youtube', 'x', 'linkedin'])).toBeUndefined();
  });
  it('suggests the word a prefix of three or more letters begins', () => {
    expect(suggest('insta', ['instagram', 'x'])).toBe('instagram');
  });
});
