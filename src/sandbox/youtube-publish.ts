/**
 * YouTube videos.insert with a resumable upload, simulated as documented
 * (docs/platforms/youtube.md): POST starts a session (Location), PUT chunks with Content-Range
 * (streamed, never buffered), every non-final chunk a multiple of 256 KiB and the same size as the
 * others, a chunk that does not start at the server's offset stores nothing, `bytes *\/TOTAL`
 * status queries answer 308 (+ Range once something is stored), completion answers 201 with the
 * video (and so does every later status query), an expired session answers 404. The metadata
 * rules (title, description, tags, privacyStatus) are refused with Google's reasons; the per-
 * channel daily cap (`dailyLimit`) answers 400 uploadLimitExceeded.
 *
 * Extra control route (tests script the faults a long upload meets):
 *   POST /__youtube/v1/config {expireTokenAfterChunks?, sessionTtlMs?, expireSessions?, insertQuota?}
 *     expireTokenAfterChunks: N — each time N more chunks were stored, the uploading account's
 *       access tokens expire (an upload that outlives its token); null turns it off
 *     sessionTtlMs: sessions older than this answer 404 (null: sessions never expire)
 *     expireSessions: true — every open session expires now
 *     insertQuota: videos.insert calls the project may start (all accounts) before 403 quotaExceeded
 *   GET  /__youtube/v1/stats -> {sessions, chunks, rejectedChunks, statusQueries, tokenExpiries}
 */
import { createHash, type Hash } from 'node:crypto';
import { json, type PlatformContext, type Route, type SandboxRequest, type SandboxResponse } from './common.js';
import { authorize, controlRoutes, drain, maybeDrop, newId, publishState, recordPost } from './publish-common.js';

const UNIT = 256 * 1024;
const PRIVACY = ['public', 'unlisted', 'private'];

interface Session {
  account: string;
  total: number;
  received: number;
  createdAt: number;
  expired?: boolean;
  /** Size of the first non-final chunk: every later non-final chunk must match it. */
  chunkSize?: number;
  mime: string;
  meta: { snippet?: { title?: string; description?: string; tags?: string[] }; status?: { privacyStatus?: string } };
  video?: Record<string, unknown>;
  /** SHA-256 of the bytes received so far, in order (lets tests check the upload is intact). */
  hash?: Hash;
}

interface YoutubeConfig {
  expireTokenAfterChunks?: number;
  sessionTtlMs?: number;
  insertQuota?: number;
  chunksSinceExpiry: number;
  stats: { sessions: number; chunks: number; rejectedChunks: number; statusQueries: number; tokenExpiries: number };
}

function youtubeState(ctx: PlatformContext): YoutubeConfig {
  let s = ctx.data.get('youtube-publish') as YoutubeConfig | undefined;
  if (!s) ctx.data.set('youtube-publish', (s = { chunksSinceExpiry: 0, stats: { sessions: 0, chunks: 0, rejectedChunks: 0, statusQueries: 0, tokenExpiries: 0 } }));
  return s;
}

const STATUS_TEXT: Record<number, string> = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND' };
const googleError = (status: number, reason: string, message: string): SandboxResponse =>
  json(status, { error: { code: status, message, status: STATUS_TEXT[status] ?? 'UNKNOWN', errors: [{ message, domain: 'youtube.video', reason }] } });

const PATH = '/upload/youtube/v3/videos';
const codePoints = (s: string) => [...s].length;

/** Tags against the 500-character limit: commas between tags count, a tag with a space is quoted. */
export function tagsLength(tags: string[]): number {
  return tags.length ? tags.reduce((n, t) => n + codePoints(t) + (/\s/.test(t) ? 2 : 0), 0) + tags.length - 1 : 0;
}

/** The metadata rules of the video resource (docs/platforms/youtube.md#metadata). */
function metadataError(meta: Session['meta']): SandboxResponse | undefined {
  const title = meta.snippet?.title;
  if (typeof title !== 'string' || !title.trim() || codePoints(title) > 100 || /[<>]/.test(title)) {
    return googleError(400, 'invalidTitle', 'The request metadata specifies an invalid or empty video title.');
  }
  const description = meta.snippet?.description ?? '';
  if (typeof description !== 'string' || Buffer.byteLength(description) > 5000 || /[<>]/.test(description)) {
    return googleError(400, 'invalidDescription', 'The request metadata specifies an invalid video description.');
  }
  const tags = meta.snippet?.tags ?? [];
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string' || /[<>]/.test(t)) || tagsLength(tags) > 500) {
    return googleError(400, 'invalidTags', 'The request metadata specifies invalid video keywords.');
  }
  const privacy = meta.status?.privacyStatus;
  if (privacy !== undefined && !PRIVACY.includes(privacy)) return googleError(400, 'invalidVideoMetadata', 'The request metadata is invalid.');
  return undefined;
}

export function createRoutes(ctx: PlatformContext): Route[] {
  const st = publishState(ctx);
  const yt = youtubeState(ctx);
  const who = (req: SandboxRequest) => authorize(ctx, req, () => googleError(401, 'authError', 'Request had invalid authentication credentials.'));
  const session = (id: string | null): Session | undefined => {
    const s = id ? (st.uploads.get(`yt:${id}`) as Session | undefined) : undefined;
    if (s && yt.sessionTtlMs !== undefined && ctx.now() - s.createdAt >= yt.sessionTtlMs) s.expired = true;
    return s && !s.expired ? s : undefined;
  };
  const incomplete = (s: Session): SandboxResponse => ({ status: 308, headers: s.received > 0 ? { range: `bytes=0-${s.received - 1}` } : {}, body: '' });
  /** A stored chunk; every `expireTokenAfterChunks` of them the account's access tokens expire. */
  const chunkStored = (account: string) => {
    yt.stats.chunks++;
    if (yt.expireTokenAfterChunks && ++yt.chunksSinceExpiry >= yt.expireTokenAfterChunks) {
      yt.chunksSinceExpiry = 0;
      ctx.families.expire(account, 'access');
      yt.stats.tokenExpiries++;
    }
  };
  const refuse = async (req: SandboxRequest, res: SandboxResponse) => {
    await drain(req.raw);
    yt.stats.rejectedChunks++;
    return res;
  };
  return [
    ...controlRoutes(ctx),
    {
      method: 'POST',
      path: '/__youtube/v1/config',
      handler: (req) => {
        const b = (req.json ?? {}) as Record<string, unknown>;
        for (const k of ['expireTokenAfterChunks', 'sessionTtlMs', 'insertQuota'] as const) {
          if (typeof b[k] === 'number') yt[k] = b[k];
          if (b[k] === null) delete yt[k];
        }
        yt.chunksSinceExpiry = 0;
        if (b['expireSessions'] === true) for (const [k, v] of st.uploads) if (k.startsWith('yt:')) (v as unknown as Session).expired = true;
        return json(200, { ok: true });
      },
    },
    { method: 'GET', path: '/__youtube/v1/stats', handler: () => json(200, yt.stats) },
    {
      method: 'POST',
      path: PATH,
      handler: (req) => {
        const a = who(req);
        if ('error' in a) return a.error;
        if (req.query.get('uploadType') !== 'resumable') return googleError(400, 'badRequest', 'uploadType=resumable is required');
        const total = Number(req.headers['x-upload-content-length']);
        if (!Number.isSafeInteger(total) || total <= 0) return googleError(400, 'badRequest', 'X-Upload-Content-Length is required');
        const mime = String(req.headers['x-upload-content-type'] ?? '');
        if (!mime.startsWith('video/') && mime !== 'application/octet-stream') return googleError(400, 'badRequest', 'X-Upload-Content-Type must be video/* or application/octet-stream');
        const meta = (req.json ?? {}) as Session['meta'];
        const bad = metadataError(meta);
        if (bad) return bad;
        if (yt.insertQuota !== undefined) {
          if (yt.insertQuota <= 0) return googleError(403, 'quotaExceeded', 'The request cannot be completed because you have exceeded your quota.');
          yt.insertQuota--;
        }
        const limit = st.config.dailyLimit;
        if (limit !== undefined && st.posts.filter((p) => p.account === a.family.account.name).length >= limit) {
          return googleError(400, 'uploadLimitExceeded', 'The user has exceeded the number of videos they may upload.');
        }
        const id = ctx.random(18);
        yt.stats.sessions++;
        st.uploads.set(`yt:${id}`, { account: a.family.account.name, total, received: 0, createdAt: ctx.now(), mime, meta, ...(st.config.hashUploads ? { hash: createHash('sha256') } : {}) } satisfies Session);
        const host = String(req.headers.host ?? '127.0.0.1');
        return { status: 200, headers: { location: `http://${host}${PATH}?uploadType=resumable&upload_id=${id}` }, body: '' };
      },
    },
    {
      method: 'PUT',
      path: PATH,
      rawStream: true,
      handler: async (req) => {
        const s = session(req.query.get('upload_id'));
        if (!s) return refuse(req, googleError(404, 'notFound', 'Upload session not found or expired'));
        const a = who(req);
        if ('error' in a) return refuse(req, a.error);
        const cr = String(req.headers['content-range'] ?? '');
        if (/^bytes \*\/(\d+)$/.test(cr)) {
          await drain(req.raw);
          yt.stats.statusQueries++;
          return s.video ? json(201, s.video) : incomplete(s);
        }
        const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(cr);
        if (!m || Number(m[3]) !== s.total || Number(m[2]) >= s.total || Number(m[1]) > Number(m[2])) return refuse(req, googleError(400, 'badContent', `bad Content-Range "${cr}"`));
        const start = Number(m[1]);
        const end = Number(m[2]);
        // "You cannot upload a noncontinuous block": overlapping or skipping bytes stores nothing.
        if (s.video || start !== s.received) return refuse(req, s.video ? json(201, s.video) : incomplete(s));
        const size = end - start + 1;
        const last = end + 1 === s.total;
        if (!last && size % UNIT !== 0) return refuse(req, googleError(400, 'badContent', 'chunks must be multiples of 256 KiB except the last'));
        if (!last && s.chunkSize !== undefined && size !== s.chunkSize) return refuse(req, googleError(400, 'badContent', 'every chunk but the last must have the same size'));
        if (!last) s.chunkSize ??= size;
        let pos = start;
        await drain(req.raw, (c) => {
          const keep = c.subarray(0, Math.max(0, end + 1 - pos));
          s.hash?.update(keep);
          pos += c.length;
          s.received = Math.min(end + 1, pos);
        });
        ctx.stats['uploadedBytes'] = (ctx.stats['uploadedBytes'] ?? 0) + (pos - start);
        chunkStored(s.account);
        if (s.received < s.total) return incomplete(s);
        const id = newId(ctx, 'yt').replace(/\d{6}$/, (x) => Buffer.from(x).toString('base64url'));
        const privacy = s.meta.status?.privacyStatus ?? 'private';
        const post = recordPost(ctx, a.family, { text: s.meta.snippet?.description ?? '', title: s.meta.snippet?.title ?? '', kind: 'video', media: [{ bytes: s.total, ...(s.hash ? { sha256: s.hash.digest('hex') } : {}) }], privacy }, id);
        if (!post) return googleError(400, 'uploadLimitExceeded', 'The user has exceeded the number of videos they may upload.');
        s.video = { kind: 'youtube#video', id, snippet: s.meta.snippet, status: { uploadStatus: 'uploaded', privacyStatus: privacy } };
        return maybeDrop(ctx, req, json(201, s.video));
      },
    },
  ];
}
