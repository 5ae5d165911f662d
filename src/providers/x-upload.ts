/**
 * X media: the documented limits and the chunked upload of API v2
 * (docs/platforms/x.md#media): POST /2/media/upload/initialize (JSON), POST
 * /2/media/upload/{id}/append (multipart, one segment each), POST
 * /2/media/upload/{id}/finalize, then GET /2/media/upload?command=STATUS while
 * `processing_info` says so. These are the endpoints documented for OAuth 2.0 user
 * tokens (scope media.write); v1.1 upload.twitter.com is OAuth 1.0a only.
 */
import { hostUrl } from '../core/url.js';
import { ProviderError } from '../core/errors.js';
import { readJson } from '../core/http.js';
import type { MediaRef, ProviderDeps, PublishContext, TokenSet, ValidationIssue } from './types.js';
import { classify } from './x.js';
import { checkMedia, chunkRanges, httpError, isVideo, multipart, withFileRange, withRenewal, type MediaRule, type RenewableToken } from './upload.js';

const MiB = 1024 * 1024;
/**
 * Bytes per APPEND. X's v1.1 reference caps a segment at 5 MB (X's own errors count
 * 5 MB as 5,242,880 bytes); the v2 reference gives no number, so we stay under both
 * readings with X's own sample's 4 MiB (docs/platforms/x.md#segments).
 */
export const SEGMENT_BYTES = 4 * MiB;
/** segment_index runs 0–999 (docs/platforms/x.md#segments). */
const MAX_SEGMENTS = 1000;

/** Size limits per category (docs/platforms/x.md#media-limits). */
const MEDIA_RULES: Record<'image' | 'gif' | 'video', MediaRule> = {
  image: { mimes: ['image/jpeg', 'image/png', 'image/webp'], maxBytes: 5 * MiB },
  gif: { mimes: ['image/gif'], maxBytes: 15 * MiB },
  // 16 GB is what initialize accepts (the Premium cap); the account's own cap and the duration
  // (0.5 s to 20 min, 125 min with Premium) are checked from the probe (./x-media.ts).
  video: { mimes: ['video/mp4', 'video/quicktime'], maxBytes: 16 * 1024 * MiB },
};

const kindOf = (m: MediaRef): keyof typeof MEDIA_RULES => (m.mime === 'image/gif' ? 'gif' : isVideo(m) ? 'video' : 'image');
/** The media_category for a post's media (docs/platforms/x.md#media). */
const categoryOf = (m: MediaRef) => ({ image: 'tweet_image', gif: 'tweet_gif', video: 'tweet_video' })[kindOf(m)];

/** Up to 4 images, or 1 GIF, or 1 video, each within its limits (docs/platforms/x.md#media-limits). */
export function mediaIssues(media: MediaRef[]): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const single = media.filter((m) => kindOf(m) !== 'image').length;
  if (media.length > 4) out.push({ field: 'media', message: 'X allows at most 4 images per post' });
  if (single && media.length > 1) out.push({ field: 'media', message: 'X allows one video or one GIF per post, without other media' });
  media.forEach((m, i) => {
    if (m.kind !== 'file') out.push({ field: `media[${i}]`, message: 'X uploads media from a local file; pass a file path' });
    const rule = MEDIA_RULES[kindOf(m)];
    out.push(...checkMedia(m, i, rule, 'X'));
  });
  return out;
}

const auth = (t: TokenSet) => ({ authorization: `Bearer ${t.accessToken}` });

async function initialize(m: MediaRef, t: TokenSet, d: ProviderDeps): Promise<string> {
  const res = await d.http.fetch(hostUrl(d.hosts.api!, '/2/media/upload/initialize'), {
    method: 'POST',
    headers: { ...auth(t), 'content-type': 'application/json' },
    body: JSON.stringify({ media_type: m.mime, total_bytes: m.size, media_category: categoryOf(m) }),
  });
  if (!res.ok) throw await httpError('media initialize', res, d.clock.now(), classify);
  const id = ((await readJson(res)) as { data?: { id?: string } })?.data?.id;
  if (!id) throw new ProviderError('x: media initialize returned no id', { errorClass: 'transient' });
  return id;
}

/**
 * One APPEND per segment, each with the current token. A segment refused with 401 (the access token
 * expired during a long upload) stored nothing: after a renewal the same segment_index is sent again,
 * then the next (docs/platforms/x.md#token-expiry).
 */
async function appendAll(m: MediaRef, id: string, token: RenewableToken, d: ProviderDeps, ctx: PublishContext): Promise<void> {
  const size = m.size!;
  const ranges = chunkRanges(size, SEGMENT_BYTES);
  if (ranges.length > MAX_SEGMENTS) throw new ProviderError(`x: ${size} bytes need more than ${MAX_SEGMENTS} segments`, { errorClass: 'invalid_request' });
  let sent = 0;
  for (const [index, [start, end]] of ranges.entries()) {
    const length = await withFileRange(m.path!, start, end - start + 1, async (data) => {
      await withRenewal(token, (t) => appendSegment(id, index, data, t, d));
      return data.length;
    });
    ctx.onProgress?.((sent += length), size);
  }
}

async function appendSegment(id: string, index: number, data: Buffer, t: TokenSet, d: ProviderDeps): Promise<void> {
  const mp = multipart([['segment_index', String(index)], ['media', { data, filename: 'blob' }]], `socialync${index}x${id}`);
  const r = await d.http.fetch(hostUrl(d.hosts.api!, `/2/media/upload/${id}/append`), { method: 'POST', headers: { ...auth(t), 'content-type': mp.contentType }, body: mp.body, timeoutMs: 120_000 });
  if (!r.ok) throw await httpError('media append', r, d.clock.now(), classify);
  await r.arrayBuffer();
}

type Processing = { state: string; check_after_secs?: number };
const processingOf = async (r: Awaited<ReturnType<ProviderDeps['http']['fetch']>>) => ((await readJson(r)) as { data?: { processing_info?: Processing } })?.data?.processing_info;

/** FINALIZE, then STATUS every check_after_secs until succeeded (video and GIF processing is asynchronous). */
async function finalize(id: string, token: RenewableToken, d: ProviderDeps): Promise<void> {
  let info = await withRenewal(token, async (t) => {
    const fin = await d.http.fetch(hostUrl(d.hosts.api!, `/2/media/upload/${id}/finalize`), { method: 'POST', headers: auth(t) });
    if (!fin.ok) throw await httpError('media finalize', fin, d.clock.now(), classify);
    return processingOf(fin);
  });
  for (let n = 0; info && info.state !== 'succeeded'; n++) {
    if (info.state === 'failed') throw new ProviderError('x: media processing failed', { errorClass: 'invalid_request' });
    if (n >= 120) throw new ProviderError('x: media still processing after 120 checks', { errorClass: 'transient' });
    await d.clock.sleep((info.check_after_secs ?? 1) * 1000);
    info = await withRenewal(token, (t) => status(id, t, d));
  }
}

async function status(id: string, t: TokenSet, d: ProviderDeps): Promise<Processing | undefined> {
  const u = hostUrl(d.hosts.api!, '/2/media/upload');
  u.searchParams.set('command', 'STATUS');
  u.searchParams.set('media_id', id);
  const s = await d.http.fetch(u, { headers: auth(t) });
  if (!s.ok) throw await httpError('media status', s, d.clock.now(), classify);
  return processingOf(s);
}

/**
 * Uploads one file (or reuses the media id a previous attempt checkpointed). Every request reads the
 * token afresh from `token`, which renews it when X answers 401 part-way (docs/platforms/x.md#token-expiry).
 */
export async function uploadMedia(m: MediaRef, i: number, token: RenewableToken, d: ProviderDeps, ctx: PublishContext): Promise<string> {
  const key = `media${i}`;
  if (ctx.checkpoint[key]) return ctx.checkpoint[key]!;
  const id = await withRenewal(token, (t) => initialize(m, t, d));
  await appendAll(m, id, token, d, ctx);
  await finalize(id, token, d);
  await ctx.saveCheckpoint({ ...ctx.checkpoint, [key]: id });
  return id;
}
