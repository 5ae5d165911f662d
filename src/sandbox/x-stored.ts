/**
 * How the X sandbox stores and returns a post, as X does (docs/platforms/x.md#stored-text):
 * text NFC-normalized, every link found by twitter-text replaced by a t.co link and
 * described in `entities.urls` (url, expanded_url, display_url, start/end in code points),
 * `&`, `<`, `>` HTML-encoded, a t.co link appended for attached media, and a post over 280
 * weighted characters shortened in `text` with the whole in `note_tweet`.
 */
import { createHash } from 'node:crypto';
import twitterText from 'twitter-text';

export interface StoredUrl {
  start: number;
  end: number;
  url: string;
  expanded_url: string;
  display_url: string;
  media_key?: string;
}

export interface StoredText {
  text: string;
  urls: StoredUrl[];
}

export interface StoredPost {
  id: string;
  text: string;
  entities?: { urls: StoredUrl[] };
  note_tweet?: { text: string; entities: { urls: StoredUrl[] } };
}

const encode = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const cpLength = (s: string) => [...s].length;

/** A stable t.co link for link `n` of post `id`. */
function tco(id: string, n: number): string {
  return `https://t.co/${createHash('sha256').update(`${id}:${n}`).digest('base64url').replace(/[-_]/g, 'x').slice(0, 10)}`;
}

/** display_url: the link without its scheme, cut with "…" past 23 characters (as X shows it). */
function displayOf(u: string): string {
  const bare = u.replace(/^https?:\/\//i, '');
  return bare.length > 23 ? `${bare.slice(0, 22)}…` : bare;
}

/** The stored form of `text` for post `id`, with `media` describing its attachments. */
export function storeText(id: string, text: string, media: { key: string; kind: 'photo' | 'video'; user: string }[]): StoredText {
  const t = text.normalize('NFC');
  let out = '';
  let at = 0;
  const urls: StoredUrl[] = [];
  const add = (url: string, expanded: string, display: string, extra: Partial<StoredUrl> = {}) => {
    const start = cpLength(out);
    out += url;
    urls.push({ start, end: start + cpLength(url), url, expanded_url: expanded, display_url: display, ...extra });
  };
  for (const u of twitterText.extractUrlsWithIndices(t)) {
    out += encode(t.slice(at, u.indices[0]));
    add(tco(id, urls.length), /^[a-z][a-z0-9+.-]*:\/\//i.test(u.url) ? u.url : `http://${u.url}`, displayOf(u.url));
    at = u.indices[1];
  }
  out += encode(t.slice(at));
  if (media.length) {
    if (out) out += ' ';
    const m = media[0]!;
    const link = tco(id, urls.length);
    add(link, `https://x.com/${m.user}/status/${id}/${m.kind}/1`, `pic.x.com/${link.slice(-10)}`, { media_key: m.key });
  }
  return { text: out, urls };
}

/** What GET /2/users/:id/tweets returns for one post, given the requested tweet.fields. */
export function storedPost(id: string, stored: StoredText, weighted: number, fields: Set<string>): StoredPost {
  const long = weighted > 280;
  // A long post's `text` is its beginning and "…"; the whole is in note_tweet (docs/platforms/x.md#stored-text).
  const text = long ? `${[...stored.text].slice(0, 270).join('')}…` : stored.text;
  const urls = long ? stored.urls.filter((u) => u.end <= 270) : stored.urls;
  return {
    id,
    text,
    ...(fields.has('entities') && urls.length ? { entities: { urls } } : {}),
    ...(fields.has('note_tweet') && long ? { note_tweet: { text: stored.text, entities: { urls: stored.urls } } } : {}),
  };
}

/** X's weighted length (twitter-text), the sandbox's check on POST /2/tweets. */
export function weighted(text: string): number {
  return twitterText.parseTweet(text).weightedLength;
}
