import { describe, expect, it } from 'vitest';
import stringWidth from 'string-width';
import { fitStart, padEnd, truncate, width } from './text-width.js';

const FAMILY = '👩‍👩‍👧‍👦'; // four people joined by ZWJ: 11 code units, one grapheme
const FLAG = '🇯🇵'; // two regional indicators
const E_ACUTE = 'e\u0301'; // e + combining acute accent

describe('width (terminal columns)', () => {
  it('plain ASCII is its length', () => {
    expect(width('')).toBe(0);
    expect(width('brand-account')).toBe(13);
  });

  it('the marks our tables draw, measured without the library, are as wide as string-width says', () => {
    for (const mark of ['·', '…', '─', '█', '░', '✓', '✗', '»']) expect(width(mark), mark).toBe(stringWidth(mark));
    expect(width('█████ 12 days')).toBe(13);
  });

  it('CJK characters take two columns each', () => {
    expect(width('東京アカウント')).toBe(14);
    expect(width('한국어')).toBe(6);
    expect(width('ｶﾀｶﾅ')).toBe(4); // halfwidth katakana: one each
  });

  it('an emoji takes two columns however many code points it has', () => {
    expect(width('🎉')).toBe(2);
    expect(FAMILY.length).toBe(11);
    expect(width(FAMILY)).toBe(2);
    expect(width(`${FAMILY}team`)).toBe(6);
    expect(width(FLAG)).toBe(2);
    expect(width('❤️')).toBe(2); // heart + variation selector 16
  });

  it('combining marks take none', () => {
    expect(width(E_ACUTE)).toBe(1);
    expect(width(`caf${E_ACUTE}`)).toBe(4);
    expect(width('Ä\u0308\u0308')).toBe(1);
  });

  it('colour escape codes take none', () => {
    expect(width('\u001b[31mred\u001b[39m')).toBe(3);
    expect(width('\u001b[1m東京\u001b[22m')).toBe(4);
  });
});

describe('truncate (cut to columns, never inside a grapheme)', () => {
  it('leaves text that fits alone, even at the exact boundary', () => {
    expect(truncate('東京アカウント', 14)).toBe('東京アカウント');
    expect(truncate(`${FAMILY}team`, 6)).toBe(`${FAMILY}team`);
    expect(truncate('abcdef', 6)).toBe('abcdef');
  });

  it('cuts to the columns with "…", dropping a 2-column character that does not fit whole', () => {
    expect(truncate('東京アカウント', 13)).toBe('東京アカウン…'); // 12 + 1: exactly 13
    expect(truncate('東京アカウント', 12)).toBe('東京アカウ…'); // ン would need 2 of the 1 left after 10
    expect(width(truncate('東京アカウント', 12))).toBe(11);
    expect(truncate('東京アカウント', 11)).toBe('東京アカウ…');
    expect(truncate('東京アカウント', 10)).toBe('東京アカ…');
    expect(truncate('abcdefg', 6)).toBe('abcde…');
    expect(truncate('abc', 0)).toBe('');
    expect(truncate('東京 の写真', 5)).toBe('東京…'); // no space before the "…"
  });

  it('keeps a ZWJ family, a flag and an accented letter whole or leaves them out', () => {
    expect(truncate(`${FAMILY}team`, 5)).toBe(`${FAMILY}te…`);
    expect(truncate(`${FAMILY}team`, 2)).toBe('…');
    expect(truncate(`a${FAMILY}b`, 3)).toBe('a…');
    expect(truncate(`${FLAG}${FLAG}x`, 4)).toBe(`${FLAG}…`);
    expect(truncate(`caf${E_ACUTE}s`, 5)).toBe(`caf${E_ACUTE}s`);
    expect(truncate(`caf${E_ACUTE}!!`, 5)).toBe(`caf${E_ACUTE}…`);
    for (const cut of [truncate(`${FAMILY}${FAMILY}`, 3), fitStart(`${FLAG}${FAMILY}`, 3)]) {
      expect([...new Intl.Segmenter().segment(cut)].every((g) => g.segment === FAMILY || g.segment === FLAG || g.segment === '…')).toBe(true);
    }
  });

  it('fitStart returns the longest whole-grapheme start within the columns', () => {
    expect(fitStart('東京', 3)).toBe('東');
    expect(fitStart('東京', 4)).toBe('東京');
    expect(fitStart(`${FAMILY}x`, 1)).toBe('');
    expect(fitStart('plain', 3)).toBe('pla');
    expect(fitStart(`${FAMILY}x`, 1, true)).toBe(FAMILY); // at least one grapheme, when asked
    expect(fitStart('東京', 0, true)).toBe('東');
  });
});

describe('padEnd (pad to columns)', () => {
  it('pads by columns, not code units', () => {
    expect(padEnd('東京', 6)).toBe('東京  ');
    expect(padEnd(FAMILY, 4)).toBe(`${FAMILY}  `);
    expect(padEnd(E_ACUTE, 3)).toBe(`${E_ACUTE}  `);
    expect(padEnd('abc', 5)).toBe('abc  ');
    expect(padEnd('abcdef', 3)).toBe('abcdef');
  });
});
