/**
 * X (API v2) publishing: chunked media upload then POST /2/tweets.
 * Docs: https://docs.x.com/x-api/media/quickstart/media-upload-chunked (endpoints dated 2025-04-30)
 *       https://docs.x.com/x-api/posts/creation-of-a-post
 * Errors are RFC 7807 problem details ({title, detail, type, status}); 429 carries x-rate-limit-reset.
 * X has no idempotency key: the post id is recorded the moment /2/tweets answers, and a crash
 * after sending is reconciled by reading the user's recent posts (GET /2/users/:id/tweets).
 */
import { ProviderError } from '../core/errors.js';
import { readJson } from '../core/http.js';
import type { MediaRef, PostDraft, ProviderDeps, PublishContext, Publisher, ReconcileResult, TokenSet, ValidationIssue } from './types.js';
import { classify } from './x.js';
import { chunkRanges, codePoints, httpError, isVideo, multipart, notSentYet, readRange } from './upload.js';

const MAX_TEXT = 280;
/** Segment size for APPEND; X allows up to 5 MB per segment and indexes 0–999. */
const SEGMENT = 4 * 1024 * 1024;

const auth = (t: TokenSet) => ({ authorization: `Bearer ${t.accessToken}` });

function category(m: MediaRef): string {
  if (m.mime === 'image/gif') return 'tweet_gif';
  return isVideo(m) ? 'tweet_video' : 'tweet_image';
}

export function validate(p: PostDraft): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  if (!p.text.trim() && !p.media.length) out.push({ field: 'text', message: 'X needs text or media' });
  if (codePoints(p.text) > MAX_TEXT) out.push({ field: 'text', message: `X allows ${MAX_TEXT} characters; this text has ${codePoints(p.text)}` });
  const videos = p.media.filter(isVideo).length;
  if (p.media.length > 4) out.push({ field: 'media', message: 'X allows at most 4 images per post' });
  if (videos && p.media.length > 1) out.push({ field: 'media', message: 'X allows one video per post, without images' });
  p.media.forEach((m, i) => {
    if (m.kind !== 'file') out.push({ field: `media[${i}]`, message: 'X uploads media from a local file; pass a file path' });
  });
  return out;
}

async function uploadMedia(m: MediaRef, i: number, t: TokenSet, d: ProviderDeps, ctx: PublishContext): Promise<string> {
  const key = `media${i}`;
  if (ctx.checkpoint[key]) return ctx.checkpoint[key]!;
  const api = d.hosts.api!;
  const size = m.size!;
  const init = await d.http.fetch(new URL('/2/media/upload/initialize', api), {
    method: 'POST',
    headers: { ...auth(t), 'content-type': 'application/json' },
    body: JSON.stringify({ media_type: m.mime, total_bytes: size, media_category: category(m) }),
  });
  if (!init.ok) throw await httpError('media initialize', init, d.clock.now(), classify);
  const id = ((await readJson(init)) as { data?: { id?: string } })?.data?.id;
  if (!id) throw new ProviderError('x: media initialize returned no id', { errorClass: 'transient' });
  let sent = 0;
  for (const [index, [start, end]] of chunkRanges(size, SEGMENT).entries()) {
    const mp = multipart([['segment_index', String(index)], ['media', { data: await readRange(m.path!, start, end - start + 1), filename: 'blob' }]], `socialync${index}x${id}`);
    const r = await d.http.fetch(new URL(`/2/media/upload/${id}/append`, api), { method: 'POST', headers: { ...auth(t), 'content-type': mp.contentType }, body: mp.body, timeoutMs: 120_000 });
    if (!r.ok) throw await httpError('media append', r, d.clock.now(), classify);
    await r.arrayBuffer();
    ctx.onProgress?.((sent += end - start + 1), size);
  }
  const fin = await d.http.fetch(new URL(`/2/media/upload/${id}/finalize`, api), { method: 'POST', headers: auth(t) });
  if (!fin.ok) throw await httpError('media finalize', fin, d.clock.now(), classify);
  type Info = { state: string; check_after_secs?: number };
  let info = ((await readJson(fin)) as { data?: { processing_info?: Info } })?.data?.processing_info;
  // Video/GIF processing is asynchronous: wait check_after_secs between STATUS polls.
  for (let n = 0; info && info.state !== 'succeeded'; n++) {
    if (info.state === 'failed') throw new ProviderError('x: media processing failed', { errorClass: 'invalid_request' });
    if (n >= 120) throw new ProviderError('x: media still processing after 120 checks', { errorClass: 'transient' });
    await d.clock.sleep((info.check_after_secs ?? 1) * 1000);
    const u = new URL('/2/media/upload', api);
    u.searchParams.set('command', 'STATUS');
    u.searchParams.set('media_id', id);
    const s = await d.http.fetch(u, { headers: auth(t) });
    if (!s.ok) throw await httpError('media status', s, d.clock.now(), classify);
    info = ((await readJson(s)) as { data?: { processing_info?: Info } })?.data?.processing_info;
  }
  await ctx.saveCheckpoint({ ...ctx.checkpoint, [key]: id });
  return id;
}

const postUrl = (id: string) => `https://x.com/i/web/status/${id}`;

export const publisher: Publisher = {
  validate,
  async publish(p, t, d, ctx) {
    const mediaIds: string[] = [];
    for (const [i, m] of p.media.entries()) mediaIds.push(await uploadMedia(m, i, t, d, ctx));
    await ctx.saveCheckpoint({ ...ctx.checkpoint, sent: String(d.clock.now()) });
    const res = await d.http.fetch(new URL('/2/tweets', d.hosts.api!), {
      method: 'POST',
      headers: { ...auth(t), 'content-type': 'application/json' },
      body: JSON.stringify({ text: p.text, ...(mediaIds.length ? { media: { media_ids: mediaIds } } : {}) }),
    });
    if (res.status !== 201 && res.status !== 200) throw await httpError('create post', res, d.clock.now(), classify);
    const id = ((await readJson(res)) as { data?: { id?: string } })?.data?.id;
    if (!id) throw new ProviderError('x: create post returned no id', { errorClass: 'transient' });
    return { remoteId: id, url: postUrl(id) };
  },
  async reconcile(p, t, d, ctx): Promise<ReconcileResult> {
    const early = notSentYet(ctx);
    if (early) return early;
    // Look for a post with the same text created since just before we sent it.
    const since = Number(ctx.checkpoint['sent']) - 60_000;
    const u = new URL(`/2/users/${encodeURIComponent(ctx.account.id)}/tweets`, d.hosts.api!);
    u.searchParams.set('max_results', '100');
    u.searchParams.set('start_time', new Date(since).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    u.searchParams.set('tweet.fields', 'created_at');
    const res = await d.http.fetch(u, { headers: auth(t) });
    if (!res.ok) return { status: 'unknown' };
    const rows = ((await readJson(res)) as { data?: { id: string; text: string }[] })?.data ?? [];
    const hit = rows.find((r) => r.text === p.text);
    return hit ? { status: 'published', result: { remoteId: hit.id, url: postUrl(hit.id) } } : { status: 'not_posted' };
  },
};
