/**
 * How the simulated LinkedIn reads a post's `commentary`: the "little" text format
 * (docs/platforms/linkedin.md#little-text), parsed strictly and independently of the publisher.
 *
 *   TextElement      any character that is not reserved, or `\` + a reserved character
 *   MentionElement   @[name](urn:li:person:… | urn:li:organization:…)
 *   HashtagElement   #word
 *   HashtagTemplate  {hashtag|\#|word}  (or the full-width sign ＃)
 *
 * A reserved character that is not escaped and does not begin one of the elements above ends the
 * text: what follows is lost, as LinkedIn cuts a post at the first such character. `readBack` is
 * the commentary LinkedIn returns on GET: plain text re-escaped, every hashtag as a template.
 */

const RESERVED = '\\|{}@[]()<>#*_~';

export interface ParsedLittle {
  /** What a reader sees on LinkedIn. */
  shown: string;
  /** The commentary as GET /rest/posts returns it. */
  readBack: string;
  /** Index in the input where reading stopped at an unescaped reserved character, if it did. */
  cutAt?: number;
}

type Element = { kind: 'text'; text: string } | { kind: 'hashtag'; sign: string; tag: string } | { kind: 'mention'; name: string; urn: string };

const TAG = /^[\p{L}\p{M}\p{N}]+/u;
const TEMPLATE = /^\{hashtag\|(\\#|＃)\|([\p{L}\p{M}\p{N}]+)\}/u;
const MENTION = /^@\[([^\\[\]{}()<>|@#*_~]+)\]\((urn:li:(?:person|organization):[A-Za-z0-9_-]+)\)/u;

/** One element at the start of `s`, with the number of input characters it used; undefined = cut here. */
function element(s: string): [Element, number] | undefined {
  const c = s[0]!;
  if (!RESERVED.includes(c)) return [{ kind: 'text', text: c }, 1];
  if (c === '\\') {
    const next = s[1];
    return next !== undefined && RESERVED.includes(next) ? [{ kind: 'text', text: next }, 2] : undefined;
  }
  if (c === '#') {
    const tag = TAG.exec(s.slice(1))?.[0];
    return tag ? [{ kind: 'hashtag', sign: '#', tag }, 1 + tag.length] : undefined;
  }
  if (c === '{') {
    const m = TEMPLATE.exec(s);
    return m ? [{ kind: 'hashtag', sign: m[1] === '＃' ? '＃' : '#', tag: m[2]! }, m[0].length] : undefined;
  }
  if (c === '@') {
    const m = MENTION.exec(s);
    return m ? [{ kind: 'mention', name: m[1]!, urn: m[2]! }, m[0].length] : undefined;
  }
  return undefined;
}

const escapeText = (t: string) => [...t].map((ch) => (RESERVED.includes(ch) ? `\\${ch}` : ch)).join('');

export function parseLittle(input: string): ParsedLittle {
  let shown = '';
  let readBack = '';
  for (let i = 0; i < input.length; ) {
    const e = element(input.slice(i));
    if (!e) return { shown, readBack, cutAt: i };
    const [el, used] = e;
    if (el.kind === 'text') ((shown += el.text), (readBack += escapeText(el.text)));
    else if (el.kind === 'hashtag') ((shown += `${el.sign}${el.tag}`), (readBack += `{hashtag|${el.sign === '#' ? '\\#' : el.sign}|${el.tag}}`));
    else ((shown += el.name), (readBack += `@[${el.name}](${el.urn})`));
    i += used;
  }
  return { shown, readBack };
}
