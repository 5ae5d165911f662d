/**
 * TikTok Direct Post, simulated: creator_info, video/init (chunk rules checked),
 * PUT chunks in order with Content-Range to the upload URL (streamed), and
 * status/fetch moving PROCESSING_UPLOAD -> PROCESSING_DOWNLOAD -> PUBLISH_COMPLETE.
 * Account "bob" behaves like an unaudited app's user: only SELF_ONLY is offered.
 * The daily cap answers 403 spam_risk_too_many_posts.
 */
import { json, type PlatformContext, type Route, type SandboxRequest } from './common.js';
import { apiError, requireToken } from './tiktok.js';
import { controlRoutes, drain, maybeDrop, newId, publishState, recordPost } from './publish-common.js';

interface Upload {
  account: string;
  familyId: string;
  size: number;
  chunkSize: number;
  count: number;
  /** Chunks received, in order. */
  received: number;
  title: string;
  privacy: string;
  polls: number;
  status: 'PROCESSING_UPLOAD' | 'PROCESSING_DOWNLOAD' | 'PUBLISH_COMPLETE' | 'FAILED';
  postId?: string;
  failReason?: string;
}

const MB = 1024 * 1024;
const ok = (data: unknown) => json(200, { data, error: { code: 'ok', message: '', log_id: 'sandbox' } });

export function createRoutes(ctx: PlatformContext): Route[] {
  const st = publishState(ctx);
  const auth = (req: SandboxRequest) => requireToken(ctx, req, 'video.publish');
  const get = (id: string) => st.uploads.get(`tt:${id}`) as Upload | undefined;
  const privacyOptions = (account: string) => (account === 'bob' ? ['SELF_ONLY'] : ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'FOLLOWER_OF_CREATOR', 'SELF_ONLY']);
  return [
    ...controlRoutes(ctx),
    {
      method: 'POST',
      path: '/v2/post/publish/creator_info/query/',
      handler: (req) => {
        const a = auth(req);
        if (!('family' in a)) return a;
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
        const b = (req.json ?? {}) as { post_info?: { title?: string; privacy_level?: string }; source_info?: { source?: string; video_size?: number; chunk_size?: number; total_chunk_count?: number } };
        const si = b.source_info ?? {};
        const pi = b.post_info ?? {};
        if (si.source !== 'FILE_UPLOAD') return apiError(ctx, 400, 'invalid_param', 'source_info.source must be FILE_UPLOAD in the sandbox');
        const size = Number(si.video_size);
        const chunk = Number(si.chunk_size);
        const count = Number(si.total_chunk_count);
        const small = size < 5 * MB;
        const chunkOk = small ? chunk === size && count === 1 : chunk >= 5 * MB && chunk <= 64 * MB && count === Math.floor(size / chunk) && count >= 1 && count <= 1000;
        if (!size || !chunkOk) return apiError(ctx, 400, 'invalid_param', 'video_size, chunk_size and total_chunk_count do not follow the chunk rules');
        if (!pi.privacy_level || !privacyOptions(a.family.account.name).includes(pi.privacy_level)) {
          return apiError(ctx, 403, 'privacy_level_option_mismatch', 'privacy_level is not among the creator\'s options');
        }
        const limit = st.config.dailyLimit;
        if (limit !== undefined && st.posts.filter((p) => p.account === a.family.account.name).length >= limit) {
          return apiError(ctx, 403, 'spam_risk_too_many_posts', 'The user has reached the daily post cap');
        }
        const id = `v_pub_file~v2-1.${newId(ctx)}`;
        st.uploads.set(`tt:${id}`, { account: a.family.account.name, familyId: a.family.id, size, chunkSize: chunk, count, received: 0, title: pi.title ?? '', privacy: pi.privacy_level, polls: 0, status: 'PROCESSING_UPLOAD' } satisfies Upload);
        const host = String(req.headers.host ?? '127.0.0.1');
        return maybeDrop(ctx, req, ok({ publish_id: id, upload_url: `http://${host}/video/upload/${encodeURIComponent(id)}` }));
      },
    },
    {
      method: 'PUT',
      path: '/video/upload/:id',
      rawStream: true,
      handler: async (req) => {
        const u = get(req.params.id!);
        if (!u || u.status !== 'PROCESSING_UPLOAD') return (await drain(req.raw), json(404, { error: 'upload_url_expired' }));
        const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(req.headers['content-range'] ?? ''));
        if (!m || Number(m[3]) !== u.size) return (await drain(req.raw), json(400, { error: 'bad Content-Range' }));
        const start = Number(m[1]);
        const index = Math.floor(start / u.chunkSize);
        const last = index === u.count - 1;
        const expectEnd = last ? u.size - 1 : start + u.chunkSize - 1;
        // Chunks go in order; the chunk just received may be sent again (a resumed upload).
        if (start % u.chunkSize !== 0 || Number(m[2]) !== expectEnd || index > u.received || index < u.received - 1) {
          return (await drain(req.raw), json(400, { error: 'chunks must be uploaded in order' }));
        }
        const n = await drain(req.raw);
        if (n !== expectEnd - start + 1) return json(400, { error: 'incomplete chunk' });
        ctx.stats['uploadedBytes'] = (ctx.stats['uploadedBytes'] ?? 0) + n;
        u.received = Math.max(u.received, index + 1);
        if (u.received === u.count) u.status = 'PROCESSING_DOWNLOAD';
        return { status: last ? 201 : 206, body: '' };
      },
    },
    {
      method: 'POST',
      path: '/v2/post/publish/status/fetch/',
      handler: (req) => {
        const a = auth(req);
        if (!('family' in a)) return a;
        const id = req.param('publish_id') ?? '';
        const u = get(id);
        if (!u || u.account !== a.family.account.name) return apiError(ctx, 400, 'invalid_param', 'unknown publish_id');
        if (u.status === 'PROCESSING_DOWNLOAD' && ++u.polls >= st.config.processingPolls) {
          const post = recordPost(ctx, a.family, { text: u.title, kind: 'video', media: [{ bytes: u.size }], privacy: u.privacy });
          if (post) ((u.status = 'PUBLISH_COMPLETE'), (u.postId = post.id));
          else ((u.status = 'FAILED'), (u.failReason = 'spam_risk_too_many_posts'));
        }
        return ok({ status: u.status, uploaded_bytes: Math.min(u.size, u.received * u.chunkSize), ...(u.failReason ? { fail_reason: u.failReason } : {}), ...(u.postId ? { publicaly_available_post_id: [u.postId] } : {}) });
      },
    },
  ];
}
