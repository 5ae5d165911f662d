/**
 * Facebook Page publishing (Graph API, with the Page access token).
 * Docs: https://developers.facebook.com/docs/pages-api/posts
 *       https://developers.facebook.com/docs/video-api/guides/publishing (chunked upload phases)
 * - Text/link: POST /{page}/feed (message, link).
 * - Photo: POST /{page}/photos with `url` (public URL) or a multipart `source` (local file).
 * - Video: POST /{page}/videos with `file_url`, or for a local file the chunked upload
 *   (upload_phase=start -> transfer chunks at the offsets Graph names -> finish).
 * No idempotency: Graph answers 506 to an exact duplicate; a crash after sending is reconciled
 * by reading the Page feed for the same message.
 */
import { ProviderError } from '../core/errors.js';
import { readJson } from '../core/http.js';
import type { MediaRef, PostDraft, ProviderDeps, PublishContext, PublishResult, Publisher, ReconcileResult, TokenSet, ValidationIssue } from './types.js';
import { graphProviderError, str } from './graph.js';
import { codePoints, graphJson, isVideo, multipart, notSentYet, readRange } from './upload.js';

export function validate(p: PostDraft): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  if (!p.text.trim() && !p.media.length) out.push({ field: 'text', message: 'Facebook needs text or media' });
  if (codePoints(p.text) > 63_206) out.push({ field: 'text', message: 'Facebook posts are at most 63,206 characters' });
  if (p.media.length > 1) out.push({ field: 'media', message: 'Facebook posts here take one photo or one video' });
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

const url = (d: ProviderDeps, path: string) => new URL(`/${d.apiVersion ?? 'v25.0'}${path}`, d.hosts.graph!);
const form = (fields: Record<string, string | undefined>) => {
  const f = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) f.set(k, v);
  return f;
};

async function post(d: ProviderDeps, pg: Page, path: string, fields: Record<string, string | undefined>, what: string): Promise<Record<string, unknown>> {
  return graphJson('facebook', what, d.http, url(d, path), { method: 'POST', body: form(fields), headers: { authorization: `Bearer ${pg.token}` } }, d.clock.now());
}

async function postMultipart(d: ProviderDeps, pg: Page, path: string, fields: Parameters<typeof multipart>[0], what: string): Promise<Record<string, unknown>> {
  const mp = multipart(fields, `socialync${d.clock.now()}`);
  const res = await d.http.fetch(url(d, path), { method: 'POST', headers: { authorization: `Bearer ${pg.token}`, 'content-type': mp.contentType }, body: mp.body, timeoutMs: 10 * 60_000 });
  const body = await readJson(res);
  if (!res.ok || (body as { error?: unknown })?.error) throw graphProviderError('facebook', what, res.status, body, d.clock.now());
  return (body ?? {}) as Record<string, unknown>;
}

/** Chunked upload of a local video; returns the session, finishing is the "send" step. */
async function transfer(m: MediaRef, d: ProviderDeps, pg: Page, ctx: PublishContext): Promise<{ session: string; videoId: string }> {
  const start = await post(d, pg, `/${pg.id}/videos`, { upload_phase: 'start', file_size: String(m.size) }, 'video upload start');
  const session = str(start.upload_session_id);
  const videoId = str(start.video_id);
  if (!session || !videoId) throw new ProviderError('facebook: video upload start returned no session', { errorClass: 'transient' });
  let from = Number(start.start_offset ?? 0);
  let to = Number(start.end_offset ?? 0);
  while (from < to) {
    const r = await postMultipart(d, pg, `/${pg.id}/videos`, [
      ['upload_phase', 'transfer'],
      ['upload_session_id', session],
      ['start_offset', String(from)],
      ['video_file_chunk', { data: await readRange(m.path!, from, to - from), filename: 'chunk' }],
    ], 'video upload transfer');
    ctx.onProgress?.(to, m.size!);
    from = Number(r.start_offset);
    to = Number(r.end_offset);
  }
  return { session, videoId };
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
      const fields: Parameters<typeof multipart>[0] = [['caption', p.text], ['published', 'true'], ['source', { data: await readRange(m.path!, 0, m.size!), filename: 'photo', type: m.mime }]];
      await send();
      const r = await postMultipart(d, pg, `/${pg.id}/photos`, fields, 'photo post');
      const id = String(r.post_id ?? r.id);
      return { remoteId: id, url: permalink(id) };
    }
    if (m.kind === 'url') {
      await send();
      const r = await post(d, pg, `/${pg.id}/videos`, { file_url: m.url, description: p.text, title: p.title, published: 'true' }, 'video post');
      return { remoteId: String(r.id), url: `https://www.facebook.com/${pg.id}/videos/${String(r.id)}` };
    }
    const { session, videoId } = await transfer(m, d, pg, ctx);
    await send();
    await post(d, pg, `/${pg.id}/videos`, { upload_phase: 'finish', upload_session_id: session, description: p.text, title: p.title, published: 'true' }, 'video upload finish');
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

