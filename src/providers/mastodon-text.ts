/**
 * How a Mastodon server counts a status against its limit (docs/platforms/mastodon.md#text-length):
 * the content warning and the text together, in grapheme clusters (an emoji is one character);
 * every http(s) URL counts as `characters_reserved_per_url` characters whatever its length; a
 * mention of a remote account (`@alice@example.social`) counts as its local part (`@alice`).
 * URLs are found as the server finds them (twitter-text's extractor, scheme required).
 */
import twitterText from 'twitter-text';

/** `@user` or `@user@domain`, not inside a word, a path or after `=` (Mastodon's mention pattern). */
const MENTION = /(?<![=/\p{L}\p{N}_])@([a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?)(?:@[\p{L}\p{N}_.-]+[\p{L}\p{N}_])?/giu;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function graphemeLength(s: string): number {
  let n = 0;
  for (const _ of graphemes.segment(s)) n++;
  return n;
}

interface Span {
  start: number;
  end: number;
  replacement: string;
}

/** The text with each URL replaced by `reservedPerUrl` characters and each mention by its local part. */
export function countableText(text: string, reservedPerUrl: number): string {
  const urls: Span[] = twitterText.extractUrlsWithIndices(text, { extractUrlsWithoutProtocol: false })
    .filter((u) => /^https?:\/\//i.test(u.url))
    .map((u) => ({ start: u.indices[0], end: u.indices[1], replacement: 'x'.repeat(reservedPerUrl) }));
  const mentions: Span[] = [...text.matchAll(MENTION)].map((m) => ({ start: m.index!, end: m.index! + m[0].length, replacement: `@${m[1]}` }));
  // A mention-like part of a URL (https://example.com/@alice) belongs to the URL.
  const spans = [...urls, ...mentions.filter((m) => !urls.some((u) => m.start < u.end && m.end > u.start))].sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start) + s.replacement;
    at = s.end;
  }
  return out + text.slice(at);
}

/** The length the server compares with `max_characters`. */
export function statusLength(text: string, spoiler: string, reservedPerUrl: number): number {
  return graphemeLength(spoiler + countableText(text, reservedPerUrl));
}
