/**
 * X post text, both ways, with X's own twitter-text library:
 * - the weighted length X limits (docs/platforms/x.md#length): CJK and emoji count 2, every
 *   link counts 23, after NFC normalization; 280 by default, more for accounts with longer
 *   posts (config `textLimits.x`);
 * - the form X stores and returns (docs/platforms/x.md#stored-text): links wrapped as t.co
 *   (the typed link is in `entities.urls[].expanded_url`), `&`, `<`, `>` HTML-encoded, a t.co
 *   link appended for attached media, long posts in full only in `note_tweet`. Reconcile
 *   compares what we sent with that form, or an unconfirmed post would be sent twice.
 */
import twitterText from 'twitter-text';
import type { PublishSettings, ValidationIssue } from './types.js';

/** X's limit for an ordinary account, in weighted characters (docs/platforms/x.md#length). */
const DEFAULT_TEXT_LIMIT = 280;
/** The setting that raises it (X Premium allows 25,000); README "X: longer posts". */
const TEXT_LIMIT_SETTING = 'textLimits.x';

/** The configured limit, or the issue that explains why the setting is unusable. */
export function textLimit(settings?: PublishSettings): number | ValidationIssue {
  const v = settings?.get<unknown>(TEXT_LIMIT_SETTING);
  if (v === undefined || v === null) return DEFAULT_TEXT_LIMIT;
  if (typeof v === 'number' && Number.isInteger(v) && v >= DEFAULT_TEXT_LIMIT) return v;
  return { field: 'text', message: `config ${TEXT_LIMIT_SETTING} must be a whole number of at least ${DEFAULT_TEXT_LIMIT} (25000 for X Premium); it is ${JSON.stringify(v)}` };
}

/** X's weighted length of `text` (twitter-text parseTweet with the current weights). */
export function weightedLength(text: string, limit = DEFAULT_TEXT_LIMIT): { length: number; valid: boolean } {
  const p = twitterText.parseTweet(text, { ...twitterText.configs.defaults, maxWeightedTweetLength: limit });
  return { length: p.weightedLength, valid: p.valid };
}

/** Length and character problems of a post's text (empty text is checked with the media). */
export function textIssues(text: string, settings?: PublishSettings): ValidationIssue[] {
  if (!text) return [];
  const limit = textLimit(settings);
  if (typeof limit !== 'number') return [limit];
  const { length, valid } = weightedLength(text, limit);
  if (length > limit) {
    const raise = limit === DEFAULT_TEXT_LIMIT ? `; for an account with longer posts (X Premium) set ${TEXT_LIMIT_SETTING} in the config file` : ` (config ${TEXT_LIMIT_SETTING})`;
    return [{ field: 'text', message: `X counts this text as ${length} characters (CJK and emoji count 2, every link 23); the limit is ${limit}${raise}` }];
  }
  if (!valid) return [{ field: 'text', message: 'X refuses text with the characters U+FFFE, U+FEFF or U+FFFF; remove them' }];
  return [];
}

/** A URL entity as X returns it (docs/platforms/x.md#stored-text). */
export interface XUrlEntity {
  start?: number;
  end?: number;
  url?: string;
  expanded_url?: string;
  display_url?: string;
  media_key?: string;
}

interface XText {
  text?: string;
  entities?: { urls?: XUrlEntity[] };
}

/** A post as GET /2/users/:id/tweets returns it with tweet.fields=entities,note_tweet. */
export interface XStoredPost extends XText {
  id: string;
  note_tweet?: XText;
  /** The same, under the name the newest OpenAPI description uses. */
  note_post?: XText;
}

/** Text with every link replaced by LINK, and the links in order. */
interface Shape {
  skeleton: string;
  links: string[];
}

const LINK = '\u0000';
const normalize = (s: string) => s.normalize('NFC').replace(/\r\n?/g, '\n');
/** X encodes only these three (docs/platforms/x.md#stored-text); &amp; last, so "&amp;lt;" stays "&lt;". */
const decodeEntities = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const MEDIA_LINK = /\/(photo|video)\/\d+$/;
const TRAILING_TCO = /\s*https:\/\/t\.co\/[A-Za-z0-9]+$/;

/** What we sent, in the comparable shape: links found the way X finds them (twitter-text). */
function sentShape(text: string): Shape {
  const t = normalize(text);
  let skeleton = '';
  let at = 0;
  const links: string[] = [];
  for (const u of twitterText.extractUrlsWithIndices(t)) {
    skeleton += t.slice(at, u.indices[0]) + LINK;
    links.push(u.url);
    at = u.indices[1];
  }
  return { skeleton: (skeleton + t.slice(at)).trim(), links };
}

/** Where each entity's t.co link is in `text` (UTF-16): by its code-point start/end when they fit, else by search. */
function locate(text: string, urls: XUrlEntity[]): { from: number; to: number; e: XUrlEntity }[] {
  const cps = [...text];
  const utf16At = (cp: number) => cps.slice(0, cp).join('').length;
  const out: { from: number; to: number; e: XUrlEntity }[] = [];
  let cursor = 0;
  for (const e of [...urls].sort((a, b) => (a.start ?? 0) - (b.start ?? 0))) {
    if (!e.url) continue;
    let from = e.start !== undefined && e.end !== undefined && cps.slice(e.start, e.end).join('') === e.url ? utf16At(e.start) : -1;
    if (from < cursor) from = text.indexOf(e.url, cursor);
    if (from < 0) continue;
    out.push({ from, to: from + e.url.length, e });
    cursor = from + e.url.length;
  }
  return out;
}

/** X's stored form back in the comparable shape: t.co links expanded, entities decoded, the media link dropped. */
function storedShape(p: XStoredPost, hasMedia: boolean): Shape {
  const full = [p.note_tweet, p.note_post].find((n) => n?.text) ?? p;
  const text = full.text ?? '';
  let skeleton = '';
  let at = 0;
  let mediaDropped = false;
  const links: string[] = [];
  for (const { from, to, e } of locate(text, full.entities?.urls ?? [])) {
    const before = decodeEntities(text.slice(at, from));
    at = to;
    if (e.media_key || MEDIA_LINK.test(e.expanded_url ?? '')) {
      skeleton += before.replace(/\s+$/, '');
      mediaDropped = true;
      continue;
    }
    skeleton += before + LINK;
    links.push(e.expanded_url ?? e.url!);
  }
  let tail = decodeEntities(text.slice(at));
  if (hasMedia && !mediaDropped) tail = tail.replace(TRAILING_TCO, '');
  return { skeleton: normalize(skeleton + tail).trim(), links };
}

/** A link compared without its scheme, host case or trailing slash (X adds http:// to bare domains). */
const canonLink = (u: string) => {
  const m = /^(?:[a-z][a-z0-9+.-]*:\/\/)?([^/?#]*)(.*)$/i.exec(u.trim())!;
  return `${m[1]!.toLowerCase()}${m[2]}`.replace(/\/$/, '');
};

/** Whether X's stored post is the text we sent (docs/platforms/x.md#reconcile). */
export function matchesStored(sent: string, stored: XStoredPost, hasMedia: boolean): boolean {
  const a = sentShape(sent);
  const b = storedShape(stored, hasMedia);
  return a.skeleton === b.skeleton && a.links.length === b.links.length && a.links.every((l, i) => canonLink(l) === canonLink(b.links[i]!));
}

/** A post whose `text` X shortened (a long post) and whose full text did not come back: it cannot be compared. */
export function truncatedWithoutNote(stored: XStoredPost): boolean {
  return !stored.note_tweet?.text && !stored.note_post?.text && /…(\s*https:\/\/t\.co\/[A-Za-z0-9]+)?$/.test(stored.text ?? '');
}
