/**
 * TikTok Direct Post (Content Posting API); every rule cited here is in docs/platforms/tiktok.md.
 * 1. creator_info/query: the creator's privacy levels (no default may be chosen for the user:
 *    --privacy is required) and longest allowed video (#creator-info).
 * 2. video/init: FILE_UPLOAD with video_size, chunk_size, total_chunk_count -> publish_id +
 *    upload_url, valid one hour (#init). The publish_id is saved at once: from then on
 *    status/fetch says whether the post can still appear; nothing is re-initialised blindly.
 * 3. PUT the chunks in order with Content-Range (#chunks, ./tiktok-chunks.ts).
 * 4. status/fetch until PUBLISH_COMPLETE / SEND_TO_USER_INBOX / FAILED (#status).
 * Errors can arrive under HTTP 200 (error.code != "ok"): the body is always checked (#errors).
 */
import { hostUrl } from '../core/url.js';
import { ProviderError, type ErrorClass } from '../core/errors.js';
import type { MediaRef, PostDraft, ProviderDeps, PublishContext, PublishResult, Publisher, ReconcileResult, TokenSet, ValidationIssue } from './types.js';
import { checkMedia, isVideo, streamUpload } from './upload.js';
import { classify, isTikTokError } from './tiktok.js';
import { chunkPlan, chunkRange, chunksHeld, contentRange, MAX_VIDEO_BYTES, type ChunkPlan } from './tiktok-chunks.js';
import { backoffDelay } from '../core/backoff.js';

export { chunkPlan } from './tiktok-chunks.js';
export const PRIVACY = ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'FOLLOWER_OF_CREATOR', 'SELF_ONLY'];
/** post_info.title: at most 2200 UTF-16 runes (docs/platforms/tiktok.md#init). */
const MAX_TITLE_UTF16 = 2200;
const UPLOAD_URL_TTL = 55 * 60_000; // valid 1 h (#init); keep a margin
const STATUS_POLLS = 30;

export function validate(p: PostDraft): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  if (p.media.length !== 1 || !isVideo(p.media[0]!)) out.push({ field: 'media', message: 'TikTok needs exactly one video' });
  if (!p.privacy) out.push({ field: 'privacy', message: `TikTok needs --privacy (one of ${PRIVACY.join(', ')}); TikTok forbids choosing one by default` });
  else if (!PRIVACY.includes(p.privacy)) out.push({ field: 'privacy', message: `TikTok privacy is one of ${PRIVACY.join(', ')}` });
  // String length is in UTF-16 code units, which is what TikTok counts.
  if (p.text.length > MAX_TITLE_UTF16) out.push({ field: 'text', message: `TikTok captions are at most ${MAX_TITLE_UTF16} UTF-16 units (an emoji counts 2); this one has ${p.text.length}` });
  p.media.forEach((m, i) => out.push(...checkVideo(m, i)));
  return out;
}

function checkVideo(m: MediaRef, i: number): ValidationIssue[] {
  if (m.kind !== 'file') return [{ field: `media[${i}]`, message: 'TikTok uploads from a local file (PULL_FROM_URL needs a verified domain)' }];
  if (m.size === 0) return [{ field: `media[${i}]`, message: 'TikTok cannot post an empty file' }];
  return checkMedia(m, i, { mimes: ['video/mp4', 'video/quicktime', 'video/webm'], maxBytes: MAX_VIDEO_BYTES, maxDurationSec: 600 }, 'TikTok');
}

/** POST a JSON body to the API; returns the raw text too (post ids are int64, see fetchStatus). */
async function api(d: ProviderDeps, t: TokenSet, path: string, body: unknown, what: string): Promise<{ data: Record<string, unknown>; raw: string }> {
  const res = await d.http.fetch(hostUrl(d.hosts.api!, path), {
    method: 'POST',
    headers: { authorization: `Bearer ${t.accessToken}`, 'content-type': 'application/json; charset=UTF-8' },
    body: JSON.stringify(body),
  });
  const raw = await res.text();
  const b = parseJson(raw);
  if (!res.ok || isTikTokError(b)) throw classify(res.status, b, res.headers, { now: d.clock.now(), context: 'api', what });
  return { data: (((b ?? {}) as Record<string, unknown>).data ?? {}) as Record<string, unknown>, raw };
}

function parseJson(raw: string): unknown {
  try {
    return raw ? JSON.parse(raw) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * publicaly_available_post_id is a list of int64 numbers (docs/platforms/tiktok.md#status):
 * real ids exceed 2^53, so they are read from the raw text, digit for digit.
 */
function postIdsFromRaw(raw: string): string[] {
  const m = /"publicaly_available_post_id"\s*:\s*\[([^\]]*)\]/.exec(raw) ?? /"publicly_available_post_id"\s*:\s*\[([^\]]*)\]/.exec(raw);
  return m ? m[1]!.split(',').map((s) => s.trim().replace(/^"|"$/g, '')).filter((s) => /^\d+$/.test(s)) : [];
}

type Status = { status: string; failReason?: string; postId?: string; uploadedBytes: number };

async function fetchStatus(d: ProviderDeps, t: TokenSet, publishId: string): Promise<Status> {
  const { data, raw } = await api(d, t, '/v2/post/publish/status/fetch/', { publish_id: publishId }, 'status fetch');
  const ids = postIdsFromRaw(raw);
  return {
    status: String(data.status ?? ''),
    uploadedBytes: Number(data.uploaded_bytes ?? 0),
    ...(data.fail_reason ? { failReason: String(data.fail_reason) } : {}),
    ...(ids.length ? { postId: ids[0] } : {}),
  };
}

/** The class of a FAILED status's fail_reason (docs/platforms/tiktok.md#fail-reasons). */
export function failReasonClass(reason: string | undefined): ErrorClass {
  if (reason === 'internal') return 'transient';
  if (reason === 'spam_risk_too_many_posts') return 'rate_limited';
  if (reason === 'auth_removed') return 'reconnect_needed';
  if (reason === 'spam_risk_user_banned_from_posting') return 'permission';
  return 'invalid_request';
}

function done(s: Status, publishId: string, cp: Record<string, string>): PublishResult {
  const note = cp.selfOnly ? 'unaudited TikTok app: posted as SELF_ONLY (visible only to the creator)' : s.status === 'SEND_TO_USER_INBOX' ? 'sent to the TikTok inbox for the creator to finish' : undefined;
  return { remoteId: s.postId ?? publishId, ...(s.postId ? { url: `https://www.tiktok.com/video/${s.postId}` } : {}), ...(note ? { note } : {}) };
}

const FINAL_OK = new Set(['PUBLISH_COMPLETE', 'SEND_TO_USER_INBOX']);

/** The plan an upload was announced with (kept in the checkpoint, so a resumed upload never changes it). */
function planOf(cp: Record<string, string>, size: number): ChunkPlan {
  return cp.chunk_size && cp.chunks ? { chunkSize: Number(cp.chunk_size), count: Number(cp.chunks) } : chunkPlan(size);
}

const uploadsDone = (cp: Record<string, string>, plan: ChunkPlan) => Boolean(cp.publish_id) && Number(cp.uploaded ?? 0) >= plan.count;
const urlAlive = (cp: Record<string, string>, d: ProviderDeps) => Boolean(cp.publish_id && cp.upload_url) && d.clock.now() - Number(cp.initAt) < UPLOAD_URL_TTL;

/** Checkpoint without the upload: the next publish starts a new one. */
function withoutUpload(cp: Record<string, string>): Record<string, string> {
  const { publish_id: _a, upload_url: _b, initAt: _c, uploaded: _d, chunk_size: _e, chunks: _f, ...rest } = cp;
  void _a, void _b, void _c, void _d, void _e, void _f;
  return rest;
}

/**
 * Before giving up an earlier upload (its URL expired), ask TikTok: when it holds every
 * byte the post may still appear, so we only poll. Returns the checkpoint to go on with.
 */
async function settleEarlierUpload(cp: Record<string, string>, size: number, t: TokenSet, d: ProviderDeps, ctx: PublishContext): Promise<Record<string, string>> {
  const s = await fetchStatus(d, t, cp.publish_id!);
  const next = FINAL_OK.has(s.status) || (s.status !== 'FAILED' && s.uploadedBytes >= size) ? { ...cp, uploaded: String(planOf(cp, size).count) } : withoutUpload(cp);
  await ctx.saveCheckpoint(next);
  return next;
}

async function checkCreator(p: PostDraft, t: TokenSet, d: ProviderDeps): Promise<string[]> {
  const { data: info } = await api(d, t, '/v2/post/publish/creator_info/query/', {}, 'creator info');
  const options = (info.privacy_level_options as string[] | undefined) ?? [];
  if (!options.includes(p.privacy!)) {
    throw new ProviderError(`tiktok: this account allows only ${options.join(', ')} (privacy_level_option_mismatch)`, { errorClass: 'permission', platformCode: 'privacy_level_option_mismatch' });
  }
  const maxDur = Number(info.max_video_post_duration_sec ?? 0);
  const dur = p.media[0]!.durationSec;
  if (maxDur && dur && dur > maxDur) throw new ProviderError(`tiktok: this account posts videos up to ${maxDur} s`, { errorClass: 'invalid_request' });
  return options;
}

/** The documented post_info fields (docs/platforms/tiktok.md#init); brand_content_toggle is required. */
function postInfo(p: PostDraft): Record<string, unknown> {
  const flag = (k: string) => p.options[k] === 'true';
  return {
    ...(p.text ? { title: p.text } : {}),
    privacy_level: p.privacy,
    disable_comment: flag('disableComment'),
    disable_duet: flag('disableDuet'),
    disable_stitch: flag('disableStitch'),
    brand_content_toggle: flag('brandContent'),
    brand_organic_toggle: flag('brandOrganic'),
  };
}

async function initUpload(p: PostDraft, size: number, t: TokenSet, d: ProviderDeps, ctx: PublishContext): Promise<Record<string, string>> {
  const options = await checkCreator(p, t, d);
  const plan = chunkPlan(size);
  const { data } = await api(d, t, '/v2/post/publish/video/init/', {
    post_info: postInfo(p),
    source_info: { source: 'FILE_UPLOAD', video_size: size, chunk_size: plan.chunkSize, total_chunk_count: plan.count },
  }, 'video init');
  if (!data.publish_id || !data.upload_url) throw new ProviderError('tiktok: video init returned no publish_id', { errorClass: 'transient' });
  const now = String(d.clock.now());
  const selfOnly: Record<string, string> = options.length === 1 && options[0] === 'SELF_ONLY' ? { selfOnly: '1' } : {};
  const cp: Record<string, string> = { ...withoutUpload(ctx.checkpoint), publish_id: String(data.publish_id), upload_url: String(data.upload_url), initAt: now, uploaded: '0', chunk_size: String(plan.chunkSize), chunks: String(plan.count), sent: now, ...selfOnly };
  await ctx.saveCheckpoint(cp);
  return cp;
}

/** PUTs the chunks not sent yet, in order; a 416 tells how far TikTok got, and we go on from there. */
async function sendChunks(cp: Record<string, string>, m: MediaRef, d: ProviderDeps, ctx: PublishContext): Promise<Record<string, string>> {
  const size = m.size!;
  const plan = planOf(cp, size);
  for (let i = Number(cp.uploaded ?? 0); i < plan.count; ) {
    const [start, end] = chunkRange(size, plan, i);
    const res = await streamUpload(d.http, cp.upload_url!, {
      method: 'PUT',
      headers: { 'content-type': m.mime, 'content-range': contentRange(size, plan, i) },
      path: m.path!,
      start,
      end,
      done: start,
      total: size,
      ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
    });
    const held = res.status === 416 ? chunksHeld(res.headers.get('content-range'), size, plan) : undefined;
    const raw = await res.text();
    const resync = held !== undefined && held !== i;
    if (!resync && (!res.ok || isTikTokError(parseJson(raw)))) throw classify(res.status, parseJson(raw), res.headers, { now: d.clock.now(), context: 'api', what: 'chunk upload' });
    i = resync ? held : i + 1;
    cp = { ...cp, uploaded: String(i) };
    await ctx.saveCheckpoint(cp);
  }
  return cp;
}

/** Polls status/fetch at a pace far below its 30 requests a minute (docs/platforms/tiktok.md#rate-limits). */
export const statusDelayMs = (n: number) => backoffDelay(n + 1, { baseMs: 500, maxMs: 8_000 });

async function awaitPublished(cp: Record<string, string>, t: TokenSet, d: ProviderDeps): Promise<PublishResult> {
  for (let n = 0; ; n++) {
    const s = await fetchStatus(d, t, cp.publish_id!);
    if (FINAL_OK.has(s.status)) return done(s, cp.publish_id!, cp);
    if (s.status === 'FAILED') throw new ProviderError(`tiktok: publishing failed (${s.failReason ?? 'no reason given'})`, { errorClass: failReasonClass(s.failReason), ...(s.failReason ? { platformCode: s.failReason } : {}) });
    // Still processing after our patience: the post is in flight; leave it to reconcile.
    if (n >= STATUS_POLLS) throw new ProviderError('tiktok: still processing; will check again', { errorClass: 'transient' });
    await d.clock.sleep(statusDelayMs(n));
  }
}

export const publisher: Publisher = {
  validate,
  async publish(p, t, d, ctx) {
    const m = p.media[0]!;
    const size = m.size!;
    let cp = ctx.checkpoint;
    if (cp.publish_id && !uploadsDone(cp, planOf(cp, size)) && !urlAlive(cp, d)) cp = await settleEarlierUpload(cp, size, t, d, ctx);
    if (!cp.publish_id) cp = await initUpload(p, size, t, d, ctx);
    cp = await sendChunks(cp, m, d, ctx);
    return awaitPublished(cp, t, d);
  },
  async reconcile(p, t, d, ctx): Promise<ReconcileResult> {
    const cp = ctx.checkpoint;
    if (!cp.publish_id) return { status: 'not_posted' };
    const size = p.media[0]?.size ?? 0;
    const s = await fetchStatus(d, t, cp.publish_id);
    if (FINAL_OK.has(s.status)) return { status: 'published', result: done(s, cp.publish_id, cp) };
    if (s.status === 'FAILED') {
      await ctx.saveCheckpoint(withoutUpload(cp));
      return { status: 'not_posted' };
    }
    // Every byte arrived: TikTok is processing it and the post may still appear; publish only polls.
    if (size && s.uploadedBytes >= size) await ctx.saveCheckpoint({ ...cp, uploaded: String(planOf(cp, size).count) });
    // Otherwise publish resumes the chunks, or (URL expired) asks once more before a new init.
    return { status: 'not_posted' };
  },
};
