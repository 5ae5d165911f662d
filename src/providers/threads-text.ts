/**
 * Threads post text (docs/platforms/threads.md#text):
 * - at most 500 characters, where an emoji counts as many characters as its UTF-8 bytes (the doc
 *   links a grapheme splitter: a character is a grapheme cluster; an emoji cluster such as 👍🏽 or a
 *   flag counts its whole UTF-8 length, every other cluster counts 1);
 * - at most 5 links: every distinct URL in the text counts; a post with more fails when its container
 *   is created (THREADS_API__LINK_LIMIT_EXCEEDED), so it is refused at schedule time.
 */
import type { ValidationIssue } from './types.js';

export const THREADS_TEXT_LIMIT = 500;
export const THREADS_LINK_LIMIT = 5;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
/** A cluster that shows as an emoji: a pictographic code point, a flag's regional indicators or a keycap. */
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20E3/u;

/** Threads' length of `text`: grapheme clusters, an emoji cluster counting its UTF-8 bytes. */
export function threadsLength(text: string): number {
  let n = 0;
  for (const { segment } of segmenter.segment(text)) n += EMOJI.test(segment) ? Buffer.byteLength(segment, 'utf8') : 1;
  return n;
}

/** The distinct links of a text as Threads counts them (with a scheme or starting www.). */
export function threadsLinks(text: string): string[] {
  const found = text.match(/\b(?:https?:\/\/|www\.)[^\s<>"]+/giu) ?? [];
  return [...new Set(found.map((u) => u.replace(/[.,;:!?)\]}'"]+$/u, '')))];
}

export function textIssues(text: string): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const length = threadsLength(text);
  if (length > THREADS_TEXT_LIMIT) {
    out.push({ field: 'text', message: `Threads posts are at most ${THREADS_TEXT_LIMIT} characters (an emoji counts its UTF-8 bytes, e.g. 👍 counts 4); this text counts ${length}` });
  }
  const links = threadsLinks(text).length;
  if (links > THREADS_LINK_LIMIT) out.push({ field: 'text', message: `Threads allows at most ${THREADS_LINK_LIMIT} links in a post; this text has ${links}` });
  return out;
}
