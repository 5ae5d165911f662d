/**
 * LinkedIn publishing (Posts, Images and Videos APIs; /rest with LinkedIn-Version).
 * Docs: https://learn.microsoft.com/linkedin/marketing/community-management/shares/posts-api
 *       https://learn.microsoft.com/linkedin/marketing/community-management/shares/images-api
 *       https://learn.microsoft.com/linkedin/marketing/community-management/shares/videos-api
 * - Image: initializeUpload -> PUT bytes to uploadUrl -> post with content.media.id.
 * - Video: initializeUpload (fileSizeBytes) -> PUT each uploadInstructions range, keeping each
 *   ETag in order -> finalizeUpload(uploadedPartIds) -> poll until AVAILABLE -> post.
 * - The post URN comes back in the `x-restli-id` header of POST /rest/posts.
 * No idempotency key: a crash after sending is reconciled by listing the author's recent posts.
 */
import { ProviderError } from '../core/errors.js';
import { readJson, type Response } from '../core/http.js';
import type { MediaRef, PostDraft, ProviderDeps, PublishContext, Publisher, ReconcileResult, TokenSet, ValidationIssue } from './types.js';
import { codePoints, isImage, notSentYet, streamUpload } from './upload.js';
import { classifyLinkedInError, restHeaders } from './linkedin.js';

const VISIBILITY = ['PUBLIC', 'CONNECTIONS', 'LOGGED_IN'];

export function validate(p: PostDraft): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  if (!p.text.trim() && !p.media.length) out.push({ field: 'text', message: 'LinkedIn needs text or media' });
  if (codePoints(p.text) > 3000) out.push({ field: 'text', message: `LinkedIn allows 3000 characters; this text has ${codePoints(p.text)}` });
  if (p.media.length > 1) out.push({ field: 'media', message: 'LinkedIn posts here take one image or one video' });
  if (p.privacy && !VISIBILITY.includes(p.privacy)) out.push({ field: 'privacy', message: `LinkedIn visibility is one of ${VISIBILITY.join(', ')}` });
  p.media.forEach((m, i) => {
    if (m.kind !== 'file') out.push({ field: `media[${i}]`, message: 'LinkedIn uploads from a local file' });
  });
  return out;
}

async function fail(res: Response, what: string): Promise<ProviderError> {
  const c = classifyLinkedInError(res.status, await readJson(res), 'api');
  return new ProviderError(`linkedin: ${what} failed: ${c.message}${c.platformCode ? ` (${c.platformCode})` : ''}`, {
    errorClass: c.errorClass,
    ...(c.reason ? { reason: c.reason } : {}),
    status: res.status,
    ...(c.platformCode ? { platformCode: c.platformCode } : {}),
  });
}

async function rest(d: ProviderDeps, t: TokenSet, path: string, body: unknown, what: string): Promise<{ res: Response; json: Record<string, unknown> }> {
  const res = await d.http.fetch(new URL(path, d.hosts.api!), { method: 'POST', headers: { ...restHeaders(t, d), 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw await fail(res, what);
  return { res, json: ((await readJson(res)) ?? {}) as Record<string, unknown> };
}

const author = (ctx: PublishContext) => ctx.account.meta.authorUrn ?? `urn:li:person:${ctx.account.id}`;

async function uploadImage(m: MediaRef, t: TokenSet, d: ProviderDeps, ctx: PublishContext): Promise<string> {
  const { json } = await rest(d, t, '/rest/images?action=initializeUpload', { initializeUploadRequest: { owner: author(ctx) } }, 'image upload init');
  const v = (json.value ?? {}) as { uploadUrl?: string; image?: string };
  if (!v.uploadUrl || !v.image) throw new ProviderError('linkedin: image init returned no upload URL', { errorClass: 'transient' });
  const put = await streamUpload(d.http, v.uploadUrl, { method: 'PUT', headers: { authorization: `Bearer ${t.accessToken}`, 'content-type': m.mime }, path: m.path!, start: 0, end: m.size! - 1, ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}) });
  if (!put.ok) throw await fail(put, 'image upload');
  await put.arrayBuffer();
  return v.image;
}

async function uploadVideo(m: MediaRef, t: TokenSet, d: ProviderDeps, ctx: PublishContext): Promise<string> {
  const init = await rest(d, t, '/rest/videos?action=initializeUpload', { initializeUploadRequest: { owner: author(ctx), fileSizeBytes: m.size, uploadCaptions: false, uploadThumbnail: false } }, 'video upload init');
  const v = (init.json.value ?? {}) as { video?: string; uploadToken?: string; uploadInstructions?: { uploadUrl: string; firstByte: number; lastByte: number }[] };
  if (!v.video || !v.uploadInstructions?.length) throw new ProviderError('linkedin: video init returned no upload instructions', { errorClass: 'transient' });
  const etags: string[] = [];
  for (const part of v.uploadInstructions) {
    // Pre-signed part URLs: no Authorization header; keep each ETag, in order.
    const res = await streamUpload(d.http, part.uploadUrl, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      path: m.path!,
      start: part.firstByte,
      end: part.lastByte,
      done: part.firstByte,
      total: m.size!,
      ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
    });
    if (!res.ok) throw await fail(res, 'video part upload');
    await res.arrayBuffer();
    const etag = res.headers.get('etag');
    if (!etag) throw new ProviderError('linkedin: a video part upload returned no ETag', { errorClass: 'transient' });
    etags.push(etag);
  }
  await rest(d, t, '/rest/videos?action=finalizeUpload', { finalizeUploadRequest: { video: v.video, uploadToken: v.uploadToken ?? '', uploadedPartIds: etags } }, 'video finalize');
  for (let n = 0; ; n++) {
    const res = await d.http.fetch(new URL(`/rest/videos/${encodeURIComponent(v.video)}`, d.hosts.api!), { headers: restHeaders(t, d) });
    if (!res.ok) throw await fail(res, 'video status');
    const status = String(((await readJson(res)) as { status?: string })?.status ?? '');
    if (status === 'AVAILABLE') return v.video;
    if (status === 'PROCESSING_FAILED') throw new ProviderError('linkedin: video processing failed', { errorClass: 'invalid_request' });
    if (n >= 60) throw new ProviderError('linkedin: video still processing', { errorClass: 'transient' });
    await d.clock.sleep(Math.min(10_000, 500 * 2 ** Math.min(n, 4)));
  }
}

const postUrl = (urn: string) => `https://www.linkedin.com/feed/update/${urn}`;

export const publisher: Publisher = {
  validate,
  async publish(p, t, d, ctx) {
    let mediaUrn = ctx.checkpoint.media;
    const m = p.media[0];
    if (m && !mediaUrn) {
      mediaUrn = isImage(m) ? await uploadImage(m, t, d, ctx) : await uploadVideo(m, t, d, ctx);
      await ctx.saveCheckpoint({ ...ctx.checkpoint, media: mediaUrn });
    }
    await ctx.saveCheckpoint({ ...ctx.checkpoint, sent: String(d.clock.now()) });
    const { res } = await rest(d, t, '/rest/posts', {
      author: author(ctx),
      commentary: p.text,
      visibility: p.privacy ?? 'PUBLIC',
      distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
      ...(mediaUrn ? { content: { media: { id: mediaUrn, ...(p.title ? { title: p.title } : {}) } } } : {}),
      lifecycleState: 'PUBLISHED',
      isReshareDisabledByAuthor: false,
    }, 'create post');
    const urn = res.headers.get('x-restli-id');
    if (!urn) throw new ProviderError('linkedin: create post returned no x-restli-id', { errorClass: 'transient' });
    return { remoteId: urn, url: postUrl(urn) };
  },
  async reconcile(p, t, d, ctx): Promise<ReconcileResult> {
    const early = notSentYet(ctx);
    if (early) return early;
    const u = new URL('/rest/posts', d.hosts.api!);
    u.searchParams.set('q', 'author');
    u.searchParams.set('author', author(ctx));
    u.searchParams.set('count', '50');
    const res = await d.http.fetch(u, { headers: { ...restHeaders(t, d), 'x-restli-method': 'FINDER' } });
    if (!res.ok) return { status: 'unknown' };
    const since = Number(ctx.checkpoint.sent) - 60_000;
    const rows = (((await readJson(res)) as { elements?: { id: string; commentary?: string; createdAt?: number }[] })?.elements ?? []);
    const hit = rows.find((r) => r.commentary === p.text && (r.createdAt ?? 0) >= since);
    return hit ? { status: 'published', result: { remoteId: hit.id, url: postUrl(hit.id) } } : { status: 'not_posted' };
  },
};
