/**
 * Facebook Page publishing (Graph API, with the Page access token).
 * Docs: https://developers.facebook.com/docs/pages-api/posts
 *       https://developers.facebook.com/docs/video-api/guides/publishing
 * - Text/link: POST /{page}/feed (message, link).
 * - Photo: POST /{page}/photos with `url` (public URL) or a multipart `source` (local file).
 * - Video: POST /{page}/videos with `file_url`, or for a local file the Resumable Upload API and a
 *   file handle published on graph-video.facebook.com (facebook-video.ts, docs/platforms/facebook.md#video).
 * No idempotency: Graph answers 506 to an exact duplicate; a crash after sending is reconciled
 * by reading the Page feed for the same message.
 */
import { hostUrl } from '../core/url.js';
import { ProviderError } from '../core/errors.js';
import { readJson } from '../core/http.js';
import type { MediaRef, PostDraft, ProviderDeps, PublishContext, PublishResult, Publisher, ReconcileResult, TokenSet, ValidationIssue } from './types.js';
import { graphProviderError } from './graph.js';
import { checkMedia, codePoints, graphJson, isVideo, multipartEnvelope, notSentYet, streamUpload } from './upload.js';
import { publishVideoHandle, RESUMABLE_VIDEO_TYPE, uploadVideoFile } from './facebook-video.js';

export function validate(p: PostDraft): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  if (!p.text.trim() && !p.media.length) out.push({ field: 'text', message: 'Facebook needs text or media' });
  if (codePoints(p.text) > 63_206) out.push({ field: 'text', message: 'Facebook posts are at most 63,206 characters' });
  if (p.media.length > 1) out.push({ field: 'media', message: 'Facebook posts here take one photo or one video' });
  p.media.forEach((m, i) => {
    const rule = isVideo(m) ? { mimes: ['video/mp4', 'video/quicktime'], maxBytes: 10 * 1024 ** 3, maxDurationSec: 240 * 60 } : { mimes: ['image/jpeg', 'image/png', 'image/gif', 'image/webp'], maxBytes: 10 * 1024 ** 2 };
    out.push(...checkMedia(m, i, rule, 'Facebook'));
    // The Resumable Upload API takes only MP4 (docs/platforms/facebook.md#video); other videos go by URL.
    if (isVideo(m) && m.kind === 'file' && m.mime !== RESUMABLE_VIDEO_TYPE) out.push({ field: `media[${i}]`, message: `Facebook uploads local videos as MP4 only; pass a public URL for ${m.mime}` });
  });
  return out;
}

interface Page {
  id: string;
  token: string;
}

function page(t: TokenSet, ctx: PublishContext): Page {
  const id = ctx.account.meta.pageId ?? t.extra?.pageId;
  const token = t.extra?.pageAccessToken;
  if (!id || !token) throw new ProviderError('facebook: no Page selected for this connection', { errorClass: 'reconnect_needed', reason: 'scope_missing' });
  return { id, token };
}

const url = (d: ProviderDeps, path: string) => hostUrl(d.hosts.graph!, `/${d.apiVersion ?? 'v25.0'}${path}`);
const form = (fields: Record<string, string | undefined>) => {
  const f = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) f.set(k, v);
  return f;
};

async function post(d: ProviderDeps, pg: Page, path: string, fields: Record<string, string | undefined>, what: string): Promise<Record<string, unknown>> {
  return graphJson('facebook', what, d.http, url(d, path), { method: 'POST', body: form(fields), headers: { authorization: `Bearer ${pg.token}` } }, d.clock.now());
}

/** A local photo as one multipart request, streamed from the file (a burst of large photos never sits in memory whole). */
async function postPhotoFile(d: ProviderDeps, pg: Page, m: MediaRef, caption: string): Promise<Record<string, unknown>> {
  const mp = multipartEnvelope([['caption', caption], ['published', 'true']], { name: 'source', filename: 'photo', type: m.mime }, `socialync${d.clock.now()}`);
  const headers = { authorization: `Bearer ${pg.token}`, 'content-type': mp.contentType };
  const res = await streamUpload(d.http, url(d, `/${pg.id}/photos`).toString(), { method: 'POST', headers, path: m.path!, start: 0, end: m.size! - 1, envelope: { head: mp.head, tail: mp.tail }, timeoutMs: 10 * 60_000 });
  const body = await readJson(res);
  if (!res.ok || (body as { error?: unknown })?.error) throw graphProviderError('facebook', 'photo post', res.status, body, d.clock.now());
  return (body ?? {}) as Record<string, unknown>;
}

const permalink = (id: string) => `https://www.facebook.com/${id}`;

export const publisher: Publisher = {
  validate,
  async publish(p, t, d, ctx): Promise<PublishResult> {
    const pg = page(t, ctx);
    const m = p.media[0];
    const send = () => ctx.saveCheckpoint({ ...ctx.checkpoint, sent: String(d.clock.now()) });
    if (!m) {
      await send();
      const r = await post(d, pg, `/${pg.id}/feed`, { message: p.text, link: p.options.link }, 'create post');
      return { remoteId: String(r.id), url: permalink(String(r.id)) };
    }
    if (!isVideo(m)) {
      if (m.kind === 'url') {
        await send();
        const r = await post(d, pg, `/${pg.id}/photos`, { url: m.url, caption: p.text, published: 'true' }, 'photo post');
        const id = String(r.post_id ?? r.id);
        return { remoteId: id, url: permalink(id) };
      }
      await send();
      const r = await postPhotoFile(d, pg, m, p.text);
      const id = String(r.post_id ?? r.id);
      return { remoteId: id, url: permalink(id) };
    }
    if (m.kind === 'url') {
      await send();
      const r = await post(d, pg, `/${pg.id}/videos`, { file_url: m.url, description: p.text, title: p.title, published: 'true' }, 'video post');
      return { remoteId: String(r.id), url: `https://www.facebook.com/${pg.id}/videos/${String(r.id)}` };
    }
    const handle = await uploadVideoFile(m, t, d, ctx);
    await send();
    const videoId = await publishVideoHandle(handle, pg.id, pg.token, { description: p.text, ...(p.title ? { title: p.title } : {}) }, d);
    return { remoteId: videoId, url: `https://www.facebook.com/${pg.id}/videos/${videoId}` };
  },
  async reconcile(p, t, d, ctx): Promise<ReconcileResult> {
    const early = notSentYet(ctx);
    if (early) return early;
    const pg = page(t, ctx);
    const u = url(d, `/${pg.id}/feed`);
    u.searchParams.set('fields', 'id,message,created_time');
    u.searchParams.set('since', String(Math.floor(Number(ctx.checkpoint.sent) / 1000) - 60));
    let body: Record<string, unknown>;
    try {
      body = await graphJson('facebook', 'page feed', d.http, u, { headers: { authorization: `Bearer ${pg.token}` } }, d.clock.now());
    } catch {
      return { status: 'unknown' };
    }
    const hit = ((body.data ?? []) as { id: string; message?: string }[]).find((r) => (r.message ?? '') === p.text);
    return hit ? { status: 'published', result: { remoteId: hit.id, url: permalink(hit.id) } } : { status: 'not_posted' };
  },
};

