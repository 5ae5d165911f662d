/**
 * LinkedIn publishing (Posts, Images and Videos APIs; /rest with LinkedIn-Version). Every rule used
 * here, with its official page: docs/platforms/linkedin.md.
 * - Text: `commentary` is little text; the typed text is escaped by ./linkedin-little.ts (#little-text).
 * - Image: initializeUpload -> PUT bytes to uploadUrl -> post with content.media.id (#images).
 * - Video: initializeUpload (fileSizeBytes) -> PUT each uploadInstructions range (parts of
 *   4,194,304 bytes, #video-parts), keeping each ETag in order -> finalizeUpload(uploadedPartIds)
 *   -> poll until AVAILABLE -> post.
 * - The post URN comes back in the `x-restli-id` header of POST /rest/posts.
 * - Every request that carries the member's token reads it from a RenewableToken: an access token
 *   that expires during a long upload is renewed once and the refused request sent again
 *   (#token-expiry). The video part URLs are pre-signed and carry no token.
 * No idempotency key: a lost answer is reconciled by listing the author's recent posts, which
 * needs r_member_social for a member (not granted to ordinary apps) or r_organization_social for
 * an organization (#reconcile).
 */
import { hostUrl } from '../core/url.js';
import { ProviderError } from '../core/errors.js';
import { readJson, type Response } from '../core/http.js';
import type { MediaRef, PostDraft, ProviderDeps, PublishContext, Publisher, ReconcileResult, TokenSet, ValidationIssue } from './types.js';
import { checkMedia, fmtBytes, isImage, isVideo, notSentYet, RenewableToken, streamUpload, withRenewal } from './upload.js';
import { classifyLinkedInError, restHeaders } from './linkedin.js';
import { fromLittle, shownLength, toLittle, type HashtagMode } from './linkedin-little.js';
import { backoffDelay } from '../core/backoff.js';

const VISIBILITY = ['PUBLIC', 'CONNECTIONS', 'LOGGED_IN'];
/** docs/platforms/linkedin.md#text-length: characters shown, counted in UTF-16 units. */
export const COMMENTARY_MAX = 3000;
/** docs/platforms/linkedin.md#video-limits: "75 KB to 500 MB", read the strict way at both ends. */
export const VIDEO_MIN_BYTES = 75 * 1024;
export const VIDEO_MAX_BYTES = 500_000_000;
const VIDEO_MIN_SEC = 3;
const VIDEO_MAX_SEC = 30 * 60;
const HASHTAG_MODES: HashtagMode[] = ['link', 'text'];

const hashtagMode = (p: PostDraft): HashtagMode => (p.options.hashtags === 'text' ? 'text' : 'link');

function validateMedia(m: MediaRef, i: number): ValidationIssue[] {
  const field = `media[${i}]`;
  const out: ValidationIssue[] = m.kind !== 'file' ? [{ field, message: 'LinkedIn uploads from a local file' }] : [];
  if (!isVideo(m)) {
    // The Images API limits pixels (36,152,320), not bytes: nothing to check from the size (#images).
    return [...out, ...checkMedia(m, i, { mimes: ['image/jpeg', 'image/png', 'image/gif'], maxBytes: Number.POSITIVE_INFINITY }, 'LinkedIn')];
  }
  out.push(...checkMedia(m, i, { mimes: ['video/mp4'], maxBytes: VIDEO_MAX_BYTES, maxDurationSec: VIDEO_MAX_SEC }, 'LinkedIn'));
  if (m.size !== undefined && m.size < VIDEO_MIN_BYTES) out.push({ field, message: `LinkedIn needs a video of at least ${fmtBytes(VIDEO_MIN_BYTES)} (${VIDEO_MIN_BYTES} bytes); this file is ${m.size} bytes` });
  if (m.durationSec !== undefined && m.durationSec < VIDEO_MIN_SEC) out.push({ field, message: `LinkedIn needs a video of at least ${VIDEO_MIN_SEC} s; this one is ${m.durationSec} s` });
  return out;
}

export function validate(p: PostDraft): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  if (!p.text.trim() && !p.media.length) out.push({ field: 'text', message: 'LinkedIn needs text or media' });
  if (shownLength(p.text) > COMMENTARY_MAX) out.push({ field: 'text', message: `LinkedIn allows ${COMMENTARY_MAX} characters; this text has ${shownLength(p.text)} (emoji count 2)` });
  if (p.options.hashtags !== undefined && !(HASHTAG_MODES as string[]).includes(p.options.hashtags)) {
    out.push({ field: 'options.hashtags', message: 'linkedin.hashtags is link (the default: #word becomes a LinkedIn hashtag) or text (# stays plain text)' });
  }
  if (p.media.length > 1) out.push({ field: 'media', message: 'LinkedIn posts here take one image or one video' });
  if (p.privacy && !VISIBILITY.includes(p.privacy)) out.push({ field: 'privacy', message: `LinkedIn visibility is one of ${VISIBILITY.join(', ')}` });
  p.media.forEach((m, i) => out.push(...validateMedia(m, i)));
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
  const res = await d.http.fetch(hostUrl(d.hosts.api!, path), { method: 'POST', headers: { ...restHeaders(t, d), 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw await fail(res, what);
  return { res, json: ((await readJson(res)) ?? {}) as Record<string, unknown> };
}

/** A POST to /rest with the current token; refused with 401 (nothing done), sent again once renewed. */
const restRenewing = (d: ProviderDeps, token: RenewableToken, path: string, body: unknown, what: string) => withRenewal(token, (t) => rest(d, t, path, body, what));

const author = (ctx: PublishContext) => ctx.account.meta.authorUrn ?? `urn:li:person:${ctx.account.id}`;
const isOrganization = (urn: string) => urn.startsWith('urn:li:organization:');

async function uploadImage(m: MediaRef, token: RenewableToken, d: ProviderDeps, ctx: PublishContext): Promise<string> {
  const { json } = await restRenewing(d, token, '/rest/images?action=initializeUpload', { initializeUploadRequest: { owner: author(ctx) } }, 'image upload init');
  const v = (json.value ?? {}) as { uploadUrl?: string; image?: string };
  if (!v.uploadUrl || !v.image) throw new ProviderError('linkedin: image init returned no upload URL', { errorClass: 'transient' });
  const url = v.uploadUrl;
  // The image upload URL takes the member's token (#images): one PUT, sent whole again after a renewal.
  await withRenewal(token, async (t) => {
    const put = await streamUpload(d.http, url, { method: 'PUT', headers: { authorization: `Bearer ${t.accessToken}`, 'content-type': m.mime }, path: m.path!, start: 0, end: m.size! - 1, ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}) });
    if (!put.ok) throw await fail(put, 'image upload');
    await put.arrayBuffer();
  });
  return v.image;
}

async function uploadVideo(m: MediaRef, token: RenewableToken, d: ProviderDeps, ctx: PublishContext): Promise<string> {
  const init = await restRenewing(d, token, '/rest/videos?action=initializeUpload', { initializeUploadRequest: { owner: author(ctx), fileSizeBytes: m.size, uploadCaptions: false, uploadThumbnail: false } }, 'video upload init');
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
  // The parts may take longer than the token lives: finalize and the status checks renew it (#token-expiry).
  await restRenewing(d, token, '/rest/videos?action=finalizeUpload', { finalizeUploadRequest: { video: v.video, uploadToken: v.uploadToken ?? '', uploadedPartIds: etags } }, 'video finalize');
  const video = v.video;
  for (let n = 0; ; n++) {
    const status = await withRenewal(token, (t) => videoStatus(video, t, d));
    if (status === 'AVAILABLE') return v.video;
    if (status === 'PROCESSING_FAILED') throw new ProviderError('linkedin: video processing failed', { errorClass: 'invalid_request' });
    if (n >= 60) throw new ProviderError('linkedin: video still processing', { errorClass: 'transient' });
    await d.clock.sleep(backoffDelay(n + 1, { baseMs: 500, maxMs: 8_000 }));
  }
}

async function videoStatus(video: string, t: TokenSet, d: ProviderDeps): Promise<string> {
  const res = await d.http.fetch(hostUrl(d.hosts.api!, `/rest/videos/${encodeURIComponent(video)}`), { headers: restHeaders(t, d) });
  if (!res.ok) throw await fail(res, 'video status');
  return String(((await readJson(res)) as { status?: string })?.status ?? '');
}

const postUrl = (urn: string) => `https://www.linkedin.com/feed/update/${urn}`;

export const publisher: Publisher = {
  validate,
  async publish(p, t, d, ctx) {
    const token = new RenewableToken(t, ctx.tokens);
    let mediaUrn = ctx.checkpoint.media;
    const m = p.media[0];
    if (m && !mediaUrn) {
      mediaUrn = isImage(m) ? await uploadImage(m, token, d, ctx) : await uploadVideo(m, token, d, ctx);
      await ctx.saveCheckpoint({ ...ctx.checkpoint, media: mediaUrn });
    }
    await ctx.saveCheckpoint({ ...ctx.checkpoint, sent: String(d.clock.now()) });
    // A 401 creates nothing, so the post is sent again once with a renewed token.
    const { res } = await restRenewing(d, token, '/rest/posts', {
      author: author(ctx),
      commentary: toLittle(p.text, hashtagMode(p)),
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
    const who = author(ctx);
    const res = await findPostsByAuthor(who, t, d);
    if (res.status === 403) {
      await res.arrayBuffer();
      return { status: 'unknown', reason: cannotReadPosts(who) };
    }
    if (!res.ok) return { status: 'unknown', reason: `linkedin: listing the author's posts failed (HTTP ${res.status})` };
    const since = Number(ctx.checkpoint.sent) - 60_000;
    const rows = (((await readJson(res)) as { elements?: { id: string; commentary?: string; createdAt?: number }[] })?.elements ?? []);
    // LinkedIn returns commentary as little text: compare what a reader sees with what was typed.
    const hit = rows.find((r) => fromLittle(r.commentary ?? '') === p.text && (r.createdAt ?? 0) >= since);
    return hit ? { status: 'published', result: { remoteId: hit.id, url: postUrl(hit.id) } } : { status: 'not_posted' };
  },
};

/** GET /rest/posts?q=author (FINDER), newest first (docs/platforms/linkedin.md#reconcile). */
function findPostsByAuthor(who: string, t: TokenSet, d: ProviderDeps): Promise<Response> {
  const u = hostUrl(d.hosts.api!, '/rest/posts');
  u.searchParams.set('q', 'author');
  u.searchParams.set('author', who);
  u.searchParams.set('count', '50');
  u.searchParams.set('sortBy', 'CREATED');
  return d.http.fetch(u, { headers: { ...restHeaders(t, d), 'x-restli-method': 'FINDER' } });
}

/** Why the author's posts cannot be read, precisely enough to act on. */
function cannotReadPosts(who: string): string {
  if (isOrganization(who)) {
    return `LinkedIn refused to list ${who}'s posts: reading an organization's posts needs r_organization_social and an ADMINISTRATOR, CONTENT_ADMIN or DIRECT_SPONSORED_CONTENT_POSTER role on its page`;
  }
  return "LinkedIn cannot be asked whether the post exists: reading a member's own posts needs the r_member_social permission, which LinkedIn grants only to approved partner apps, not to ordinary apps";
}
