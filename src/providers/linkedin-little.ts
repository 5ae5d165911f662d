/**
 * LinkedIn `commentary` is "little" text, not plain text (see docs/platforms/linkedin.md#little-text).
 * Every reserved character must be backslash-escaped to be read as plain text; an unescaped one
 * starts a mention/hashtag/template or, when it starts nothing valid, cuts the post there.
 *
 * - `toLittle(text)`: what we send, so that LinkedIn shows exactly `text`. A `#word` at the start of
 *   a word goes as the hashtag template `{hashtag|\#|word}` (a clickable hashtag, shown as `#word`);
 *   every other reserved character is escaped. With `hashtags: 'text'` every `#` is escaped too.
 * - `fromLittle(little)`: the text a reader sees for a commentary read back from LinkedIn (escapes
 *   removed, hashtag templates and elements as `#word`, mentions as their name). Reconcile compares
 *   `fromLittle(readBack) === text`, so both hashtag spellings and any escaping LinkedIn chooses on
 *   read-back match the same typed text.
 */

/** The reserved characters the little text format lists. */
export const LITTLE_RESERVED = new Set(['\\', '|', '{', '}', '@', '[', ']', '(', ')', '<', '>', '#', '*', '_', '~']);

export type HashtagMode = 'link' | 'text';

/** Hashtag value characters: letters, combining marks and digits (no reserved `_`). */
const HASHTAG_BODY = /^[\p{L}\p{M}\p{N}]+/u;
const WORDISH = /[\p{L}\p{M}\p{N}_]/u;

const escapeChar = (c: string) => (LITTLE_RESERVED.has(c) ? `\\${c}` : c);

/** A `#` that begins a word (start of text or after a non-word character) and is followed by a hashtag body. */
function hashtagAt(text: string, i: number): string | undefined {
  if (text[i] !== '#') return undefined;
  const before = i > 0 ? [...text.slice(Math.max(0, i - 2), i)].pop() : undefined;
  if (before !== undefined && (WORDISH.test(before) || before === '#')) return undefined;
  return HASHTAG_BODY.exec(text.slice(i + 1))?.[0];
}

/** Typed text -> little text that LinkedIn displays as exactly the typed text. */
export function toLittle(text: string, hashtags: HashtagMode = 'link'): string {
  let out = '';
  for (let i = 0; i < text.length; ) {
    const tag = hashtags === 'link' ? hashtagAt(text, i) : undefined;
    if (tag) {
      out += `{hashtag|\\#|${tag}}`;
      i += 1 + tag.length;
      continue;
    }
    const c = String.fromCodePoint(text.codePointAt(i)!);
    out += escapeChar(c);
    i += c.length;
  }
  return out;
}

const TEMPLATE = /^\{hashtag\|\\?(#|＃)\|((?:\\.|[^}\\])*)\}/u;
const MENTION = /^@\[((?:\\.|[^\]\\])*)\]\(([^)]*)\)/u;
const unescape = (s: string) => s.replace(/\\(.)/gsu, '$1');

/** Little text (as read back) -> the text a reader sees. Lenient: unknown markup is kept as text. */
export function fromLittle(little: string): string {
  let out = '';
  for (let i = 0; i < little.length; ) {
    const rest = little.slice(i);
    const tpl = rest[0] === '{' ? TEMPLATE.exec(rest) : null;
    if (tpl) {
      out += `${tpl[1]}${unescape(tpl[2]!)}`;
      i += tpl[0].length;
      continue;
    }
    const mention = rest[0] === '@' ? MENTION.exec(rest) : null;
    if (mention) {
      out += unescape(mention[1]!);
      i += mention[0].length;
      continue;
    }
    if (rest[0] === '\\' && rest.length > 1) {
      const c = String.fromCodePoint(rest.codePointAt(1)!);
      out += c;
      i += 1 + c.length;
      continue;
    }
    out += rest[0];
    i += 1;
  }
  return out;
}

/** Length as LinkedIn counts commentary: UTF-16 code units of the text shown (see #text-length). */
export const shownLength = (text: string): number => text.length;
