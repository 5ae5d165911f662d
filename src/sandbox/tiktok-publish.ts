/**
 * TikTok Direct Post, simulated from TikTok's own documentation (docs/platforms/tiktok.md;
 * this file reads the pages independently of src/providers/, so a misreading on one side
 * fails a test): creator_info, video/init (body and chunk plan checked), PUT chunks in order
 * with Content-Range to the upload URL (streamed; 206 / 201 / 400 / 403 / 404 / 416 as the
 * Media Transfer Guide lists them), and status/fetch staying PROCESSING_UPLOAD until
 * PUBLISH_COMPLETE. Post ids are int64 numbers in the JSON, as TikTok sends them, and only
 * public posts get one. Per-token rate limits: init 6, creator_info 20, status 30 a minute.
 * Account "bob" behaves like an unaudited app's user: only SELF_ONLY is offered.
 * The daily cap answers spam_risk_too_many_posts (HTTP 200 on creator_info, 403 on init).
 */
import { json, type PlatformContext, type Route, type SandboxRequest, type SandboxResponse } from './common.js';
import { apiError, requireToken } from './tiktok.js';
import { controlRoutes, drain, maybeDrop, newId, publishState, recordPost } from './publish-common.js';
import type { Family } from './families.js';

interface Upload {
  account: string;
  size: number;
  chunkSize: number;
  count: number;
  /** Chunks received, in order. */
  received: number;
  createdAt: number;
  title: string;
  privacy: string;
  polls: number;
  status: 'PROCESSING_UPLOAD' | 'PUBLISH_COMPLETE' | 'FAILED';
  postId?: string;
  failReason?: string;
}

const MIB = 1024 * 1024;
const UPLOAD_URL_TTL = 60 * 60_000;
const MIMES = ['video/mp4', 'video/quicktime', 'video/webm'];
const LIMITS = { init: 6, creator: 20, status: 30 } as const;
const ok = (data: unknown) => json(200, { data, error: { code: 'ok', message: '', log_id: 'sandbox' } });

/**
 * Why TikTok refuses a FILE_UPLOAD plan, or undefined when the Media Transfer Guide
 * allows it. `mb` is the guide's unit: its "4 MB" whole-upload example is 4,194,304 bytes, so a
 * MiB (tests also pass 1,000,000 to check our plans against the other reading). 4 GB = 4096 MB.
 */
export function planProblem(size: number, chunk: number, count: number, mb = MIB): string | undefined {
  if (![size, chunk, count].every(Number.isSafeInteger) || size < 1) return 'video_size, chunk_size and total_chunk_count must be positive integers';
  if (size < 5 * mb) return chunk === size && count === 1 ? undefined : 'a video under 5 MB must be sent whole: chunk_size = video_size, total_chunk_count = 1';
  if (count < 1 || count > 1000) return 'total_chunk_count must be between 1 and 1000';
  if (count !== Math.floor(size / chunk)) return `total_chunk_count must be floor(video_size / chunk_size) = ${Math.floor(size / chunk)}`;
  if (chunk < 5 * mb || chunk > 64 * mb) return 'chunk_size must be between 5 MB and 64 MB';
  if (size > 64 * mb && count < 2) return 'a video over 64 MB must be sent in several chunks';
  if (size - (count - 1) * chunk > 128 * mb) return 'the final chunk would be over 128 MB';
  return undefined;
}

/** "Maximum of 4GB" (video restrictions), in the guide's MiB-based unit. */
export function sizeProblem(size: number): string | undefined {
  return size > 4096 * MIB ? 'video_size is over the 4 GB limit' : undefined;
}

/** Why an init body is refused (400 invalid_param), or undefined. */
function initBodyProblem(b: InitBody): string | undefined {
  const si = b.source_info ?? {};
  const pi = b.post_info ?? {};
  if (si.source !== 'FILE_UPLOAD') return 'source_info.source must be FILE_UPLOAD in the sandbox';
  if (typeof pi.brand_content_toggle !== 'boolean') return 'post_info.brand_content_toggle is required';
  if (typeof pi.title === 'string' && pi.title.length > 2200) return 'post_info.title is over 2200 UTF-16 runes';
  for (const k of ['disable_comment', 'disable_duet', 'disable_stitch', 'brand_organic_toggle', 'is_aigc'] as const) {
    if (pi[k] !== undefined && typeof pi[k] !== 'boolean') return `post_info.${k} must be a boolean`;
  }
  return sizeProblem(Number(si.video_size)) ?? planProblem(Number(si.video_size), Number(si.chunk_size), Number(si.total_chunk_count));
}

type InitBody = {
  post_info?: { title?: unknown; privacy_level?: string; brand_content_toggle?: unknown; disable_comment?: unknown; disable_duet?: unknown; disable_stitch?: unknown; brand_organic_toggle?: unknown; is_aigc?: unknown };
  source_info?: { source?: string; video_size?: number; chunk_size?: number; total_chunk_count?: number };
};

/** Sliding one-minute window per access token and endpoint. */
function rateLimiter(ctx: PlatformContext) {
  const hits = new Map<string, number[]>();
  return (req: SandboxRequest, what: keyof typeof LIMITS): SandboxResponse | undefined => {
    if (ctx.options.rateLimits === false) return undefined;
    const key = `${what}:${req.bearer() ?? ''}`;
    const now = ctx.now();
    const recent = (hits.get(key) ?? []).filter((t) => now - t < 60_000);
    if (recent.length >= LIMITS[what]) return apiError(ctx, 429, 'rate_limit_exceeded', 'Your request is blocked due to exceeding the API rate limit.');
    hits.set(key, [...recent, now]);
    return undefined;
  };
}

/** Post ids are int64 in TikTok's JSON: written as bare numbers, beyond 2^53. */
function statusBody(u: Upload): SandboxResponse {
  const data = { status: u.status, uploaded_bytes: rangeEnd(u) + 1, ...(u.failReason ? { fail_reason: u.failReason } : {}), publicaly_available_post_id: '@IDS@' };
  const body = JSON.stringify({ data, error: { code: 'ok', message: '', log_id: 'sandbox' } }).replace('"@IDS@"', `[${u.postId && u.privacy === 'PUBLIC_TO_EVERYONE' ? u.postId : ''}]`);
  return { status: 200, body, headers: { 'content-type': 'application/json; charset=utf-8' } };
}

export function createRoutes(ctx: PlatformContext): Route[] {
  const st = publishState(ctx);
  const limited = rateLimiter(ctx);
  const auth = (req: SandboxRequest) => requireToken(ctx, req, 'video.publish');
  const get = (id: string) => st.uploads.get(`tt:${id}`) as Upload | undefined;
  // creator_info: a public account offers these three; "bob" (unaudited app) only SELF_ONLY.
  const privacyOptions = (account: string) => (account === 'bob' ? ['SELF_ONLY'] : ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY']);
  const capped = (f: Family) => st.config.dailyLimit !== undefined && st.posts.filter((p) => p.account === f.account.name).length >= st.config.dailyLimit;
  return [
    ...controlRoutes(ctx),
    {
      method: 'POST',
      path: '/v2/post/publish/creator_info/query/',
      handler: (req) => {
        const a = auth(req);
        if (!('family' in a)) return a;
        const slow = limited(req, 'creator');
        if (slow) return slow;
        // Documented as intentionally answered with HTTP 200.
        if (capped(a.family)) return apiError(ctx, 200, 'spam_risk_too_many_posts', 'The daily post cap from the API is reached for the current user.');
        const acct = a.family.account;
        return ok({ creator_avatar_url: '', creator_username: acct.name, creator_nickname: acct.displayName, privacy_level_options: privacyOptions(acct.name), comment_disabled: false, duet_disabled: false, stitch_disabled: false, max_video_post_duration_sec: 600 });
      },
    },
    {
      method: 'POST',
      path: '/v2/post/publish/video/init/',
      handler: (req) => {
        const a = auth(req);
        if (!('family' in a)) return a;
        const slow = limited(req, 'init');
        if (slow) return slow;
        const b = (req.json ?? {}) as InitBody;
        const problem = initBodyProblem(b);
        if (problem) return apiError(ctx, 400, 'invalid_param', problem);
        const pi = b.post_info!;
        const si = b.source_info!;
        if (!pi.privacy_level || !privacyOptions(a.family.account.name).includes(pi.privacy_level)) {
          return apiError(ctx, 403, 'privacy_level_option_mismatch', 'privacy_level is not specified or not among the options from the privacy_level_options returned in /publish/creator_info/query/ API.');
        }
        if (capped(a.family)) return apiError(ctx, 403, 'spam_risk_too_many_posts', 'The daily post cap from the API is reached for the current user.');
        const id = `v_pub_file~v2-1.${newId(ctx)}`;
        const upload: Upload = { account: a.family.account.name, size: Number(si.video_size), chunkSize: Number(si.chunk_size), count: Number(si.total_chunk_count), received: 0, createdAt: ctx.now(), title: typeof pi.title === 'string' ? pi.title : '', privacy: pi.privacy_level, polls: 0, status: 'PROCESSING_UPLOAD' };
        st.uploads.set(`tt:${id}`, upload as unknown as Record<string, unknown>);
        const host = String(req.headers.host ?? '127.0.0.1');
        return maybeDrop(ctx, req, ok({ publish_id: id, upload_url: `http://${host}/video/upload/${encodeURIComponent(id)}` }));
      },
    },
    { method: 'PUT', path: '/video/upload/:id', rawStream: true, handler: (req) => receiveChunk(ctx, req, get(req.params.id!)) },
    {
      method: 'POST',
      path: '/v2/post/publish/status/fetch/',
      handler: (req) => {
        const a = auth(req);
        if (!('family' in a)) return a;
        const slow = limited(req, 'status');
        if (slow) return slow;
        const u = get(req.param('publish_id') ?? '');
        if (!u || u.account !== a.family.account.name) return apiError(ctx, 400, 'invalid_publish_id', 'The publish_id does not exist');
        if (u.status === 'PROCESSING_UPLOAD' && u.received === u.count && ++u.polls >= st.config.processingPolls) publishNow(ctx, a.family, u);
        return statusBody(u);
      },
    },
  ];
}

function publishNow(ctx: PlatformContext, f: Family, u: Upload): void {
  const id = String(7_300_000_000_000_000_000n + BigInt(newId(ctx)));
  const post = recordPost(ctx, f, { text: u.title, kind: 'video', media: [{ bytes: u.size }], privacy: u.privacy }, id);
  if (post) ((u.status = 'PUBLISH_COMPLETE'), (u.postId = post.id));
  else ((u.status = 'FAILED'), (u.failReason = 'spam_risk_too_many_posts'));
}

const uploadError = (status: number, error: string, headers: Record<string, string> = {}) => json(status, { error }, headers);

/** One chunk PUT to the upload URL, checked against the plan announced at init. */
async function receiveChunk(ctx: PlatformContext, req: SandboxRequest, u: Upload | undefined): Promise<SandboxResponse> {
  const refuse = async (r: SandboxResponse) => (await drain(req.raw), r);
  if (!u) return refuse(uploadError(404, 'no upload task for this upload_url'));
  if (ctx.now() - u.createdAt >= UPLOAD_URL_TTL) return refuse(uploadError(403, 'the upload_url has expired'));
  const progress: Record<string, string> = u.received ? { 'content-range': `bytes 0-${rangeEnd(u)}/${u.size}` } : {};
  if (u.received >= u.count) return refuse(uploadError(416, 'every chunk was already received', progress));
  if (!MIMES.includes(String(req.headers['content-type'] ?? '').split(';')[0]!.trim())) return refuse(uploadError(400, 'Content-Type must be video/mp4, video/quicktime or video/webm'));
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(req.headers['content-range'] ?? ''));
  if (!m || Number(m[3]) !== u.size) return refuse(uploadError(400, 'malformed Content-Range'));
  const first = u.received * u.chunkSize;
  const last = u.received === u.count - 1 ? u.size - 1 : first + u.chunkSize - 1;
  // Chunks go in order, each exactly as planned; anything else does not reflect the progress.
  if (Number(m[1]) !== first || Number(m[2]) !== last) return refuse(uploadError(416, 'Content-Range does not reflect the actual upload progress', progress));
  if (Number(req.headers['content-length']) !== last - first + 1) return refuse(uploadError(400, 'Content-Length is not the size of this chunk'));
  const n = await drain(req.raw);
  if (n !== last - first + 1) return uploadError(400, 'the body is not the size given in Content-Length');
  ctx.stats['uploadedBytes'] = (ctx.stats['uploadedBytes'] ?? 0) + n;
  u.received++;
  return maybeDrop(ctx, req, { status: u.received === u.count ? 201 : 206, body: '', headers: { 'content-range': `bytes 0-${last}/${u.size}` } });
}

/** Last byte index received so far (-1 before the first chunk). */
function rangeEnd(u: Upload): number {
  return u.received === 0 ? -1 : u.received === u.count ? u.size - 1 : u.received * u.chunkSize - 1;
}
