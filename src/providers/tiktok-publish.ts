/**
 * TikTok Direct Post (Content Posting API).
 * Docs: https://developers.tiktok.com/doc/content-posting-api-reference-direct-post
 *       https://developers.tiktok.com/doc/content-posting-api-media-transfer-guide
 * 1. creator_info/query: the creator's allowed privacy levels (no default may be chosen for
 *    the user: --privacy is required) and max video duration.
 * 2. video/init: FILE_UPLOAD with video_size, chunk_size, total_chunk_count -> publish_id + upload_url
 *    (valid 1 h). The publish_id is saved at once: from then on reconcile asks status/fetch,
 *    which says definitively whether the post exists; nothing is ever re-initialised blindly.
 * 3. PUT chunks in order with Content-Range (5–64 MB; the last up to 128 MB; < 5 MB in one chunk;
 *    total_chunk_count = floor(size / chunk_size)).
 * 4. status/fetch until PUBLISH_COMPLETE / SEND_TO_USER_INBOX / FAILED.
 * Errors can arrive under HTTP 200 (error.code != "ok"): always check the body.
 */
import { ProviderError } from '../core/errors.js';
import { readJson } from '../core/http.js';
import type { PostDraft, ProviderDeps, PublishContext, PublishResult, Publisher, ReconcileResult, TokenSet, ValidationIssue } from './types.js';
import { isVideo, streamUpload } from './upload.js';
import { classify, isTikTokError } from './tiktok.js';

export const PRIVACY = ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'FOLLOWER_OF_CREATOR', 'SELF_ONLY'];
const MB = 1024 * 1024;
const CHUNK = 10 * MB;
const UPLOAD_URL_TTL = 55 * 60_000; // valid 1 h; keep a margin
const STATUS_POLLS = 30;

export function validate(p: PostDraft): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  if (p.media.length !== 1 || !isVideo(p.media[0]!)) out.push({ field: 'media', message: 'TikTok needs exactly one video' });
  if (!p.privacy) out.push({ field: 'privacy', message: `TikTok needs --privacy (one of ${PRIVACY.join(', ')}); TikTok forbids choosing one by default` });
  else if (!PRIVACY.includes(p.privacy)) out.push({ field: 'privacy', message: `TikTok privacy is one of ${PRIVACY.join(', ')}` });
  // TikTok counts UTF-16 code units.
  if (p.text.length > 2200) out.push({ field: 'text', message: `TikTok captions are at most 2200 characters; this one has ${p.text.length}` });
  p.media.forEach((m, i) => {
    if (m.kind !== 'file') out.push({ field: `media[${i}]`, message: 'TikTok uploads from a local file (PULL_FROM_URL needs a verified domain)' });
  });
  return out;
}

async function api(d: ProviderDeps, t: TokenSet, path: string, body: unknown, what: string): Promise<Record<string, unknown>> {
  const res = await d.http.fetch(new URL(path, d.hosts.api!), {
    method: 'POST',
    headers: { authorization: `Bearer ${t.accessToken}`, 'content-type': 'application/json; charset=UTF-8' },
    body: JSON.stringify(body),
  });
  const b = await readJson(res);
  if (!res.ok || isTikTokError(b)) throw classify(res.status, b, res.headers, { now: d.clock.now(), context: 'api', what });
  return (((b ?? {}) as Record<string, unknown>).data ?? {}) as Record<string, unknown>;
}

/** Chunk plan per the media transfer guide. */
export function chunkPlan(size: number): { chunkSize: number; count: number } {
  if (size < 5 * MB) return { chunkSize: size, count: 1 };
  const count = Math.max(1, Math.floor(size / CHUNK));
  return { chunkSize: CHUNK, count };
}

type Status = { status: string; failReason?: string; postId?: string };

async function fetchStatus(d: ProviderDeps, t: TokenSet, publishId: string): Promise<Status> {
  const data = await api(d, t, '/v2/post/publish/status/fetch/', { publish_id: publishId }, 'status fetch');
  const ids = (data.publicaly_available_post_id ?? data.publicly_available_post_id) as unknown[] | undefined;
  return { status: String(data.status ?? ''), ...(data.fail_reason ? { failReason: String(data.fail_reason) } : {}), ...(ids?.length ? { postId: String(ids[0]) } : {}) };
}

function done(s: Status, publishId: string, cp: Record<string, string>): PublishResult {
  const note = cp.selfOnly ? 'unaudited TikTok app: posted as SELF_ONLY (visible only to the creator)' : s.status === 'SEND_TO_USER_INBOX' ? 'sent to the TikTok inbox for the creator to finish' : undefined;
  return { remoteId: s.postId ?? publishId, ...(s.postId ? { url: `https://www.tiktok.com/video/${s.postId}` } : {}), ...(note ? { note } : {}) };
}

const FINAL_OK = new Set(['PUBLISH_COMPLETE', 'SEND_TO_USER_INBOX']);

export const publisher: Publisher = {
  validate,
  async publish(p, t, d, ctx: PublishContext) {
    const m = p.media[0]!;
    const size = m.size!;
    const plan = chunkPlan(size);
    let cp = ctx.checkpoint;
    // Resume an earlier init when its chunks are all sent (then only poll) or its upload URL still works.
    const uploadsDone = cp.publish_id && Number(cp.uploaded ?? 0) >= plan.count;
    const canResume = cp.publish_id && cp.upload_url && d.clock.now() - Number(cp.initAt) < UPLOAD_URL_TTL;
    if (!uploadsDone && !canResume) {
      const info = await api(d, t, '/v2/post/publish/creator_info/query/', {}, 'creator info');
      const options = (info.privacy_level_options as string[] | undefined) ?? [];
      if (!options.includes(p.privacy!)) {
        throw new ProviderError(`tiktok: this account allows only ${options.join(', ')} (privacy_level_option_mismatch)`, { errorClass: 'permission', platformCode: 'privacy_level_option_mismatch' });
      }
      const maxDur = Number(info.max_video_post_duration_sec ?? 0);
      if (maxDur && m.durationSec && m.durationSec > maxDur) throw new ProviderError(`tiktok: this account posts videos up to ${maxDur} s`, { errorClass: 'invalid_request' });
      const data = await api(d, t, '/v2/post/publish/video/init/', {
        post_info: { title: p.text, privacy_level: p.privacy, disable_comment: p.options.disableComment === 'true', disable_duet: p.options.disableDuet === 'true', disable_stitch: p.options.disableStitch === 'true' },
        source_info: { source: 'FILE_UPLOAD', video_size: size, chunk_size: plan.chunkSize, total_chunk_count: plan.count },
      }, 'video init');
      if (!data.publish_id || !data.upload_url) throw new ProviderError('tiktok: video init returned no publish_id', { errorClass: 'transient' });
      cp = { publish_id: String(data.publish_id), upload_url: String(data.upload_url), initAt: String(d.clock.now()), uploaded: '0', sent: String(d.clock.now()), ...(options.length === 1 && options[0] === 'SELF_ONLY' ? { selfOnly: '1' } : {}) };
      await ctx.saveCheckpoint(cp);
    }
    for (let i = Number(cp.uploaded ?? 0); i < plan.count; i++) {
      const start = i * plan.chunkSize;
      const end = i === plan.count - 1 ? size - 1 : start + plan.chunkSize - 1;
      const res = await streamUpload(d.http, cp.upload_url!, {
        method: 'PUT',
        headers: { 'content-type': m.mime, 'content-range': `bytes ${start}-${end}/${size}` },
        path: m.path!,
        start,
        end,
        done: start,
        total: size,
        ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
      });
      const b = await readJson(res);
      if (!res.ok || isTikTokError(b)) throw classify(res.status, b, res.headers, { now: d.clock.now(), context: 'api', what: 'chunk upload' });
      cp = { ...cp, uploaded: String(i + 1) };
      await ctx.saveCheckpoint(cp);
    }
    for (let n = 0; ; n++) {
      const s = await fetchStatus(d, t, cp.publish_id!);
      if (FINAL_OK.has(s.status)) return done(s, cp.publish_id!, cp);
      if (s.status === 'FAILED') throw new ProviderError(`tiktok: publishing failed (${s.failReason ?? 'no reason given'})`, { errorClass: 'invalid_request', ...(s.failReason ? { platformCode: s.failReason } : {}) });
      // Still processing after our patience: the post is in flight; leave it to reconcile.
      if (n >= STATUS_POLLS) throw new ProviderError('tiktok: still processing; will check again', { errorClass: 'transient' });
      await d.clock.sleep(Math.min(10_000, 500 * 2 ** Math.min(n, 4)));
    }
  },
  async reconcile(_p, t, d, ctx): Promise<ReconcileResult> {
    const cp = ctx.checkpoint;
    if (!cp.publish_id) return { status: 'not_posted' };
    const s = await fetchStatus(d, t, cp.publish_id);
    if (FINAL_OK.has(s.status)) return { status: 'published', result: done(s, cp.publish_id, cp) };
    if (s.status === 'FAILED' || (s.status === 'PROCESSING_UPLOAD' && d.clock.now() - Number(cp.initAt) >= UPLOAD_URL_TTL)) {
      // Definitively not posted: start over with a new init.
      const { publish_id: _a, upload_url: _b, initAt: _c, uploaded: _d, ...rest } = cp;
      void _a, void _b, void _c, void _d;
      await ctx.saveCheckpoint(rest);
      return { status: 'not_posted' };
    }
    // PROCESSING_UPLOAD within the hour: publish resumes the chunks; PROCESSING_DOWNLOAD: publish polls.
    return { status: 'not_posted' };
  },
};
