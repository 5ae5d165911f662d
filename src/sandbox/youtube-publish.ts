/**
 * YouTube resumable upload, simulated: POST starts a session (Location), PUT
 * chunks with Content-Range (streamed, never buffered), `bytes *\/TOTAL`
 * probes answer 308 + Range, completion creates the video. Google error bodies.
 */
import { createHash, type Hash } from 'node:crypto';
import { json, type PlatformContext, type Route, type SandboxResponse } from './common.js';
import { authorize, controlRoutes, drain, maybeDrop, newId, publishState, recordPost } from './publish-common.js';

interface Session {
  account: string;
  total: number;
  received: number;
  mime: string;
  meta: { snippet?: { title?: string; description?: string }; status?: { privacyStatus?: string } };
  video?: Record<string, unknown>;
  /** SHA-256 of the bytes received so far, in order (lets tests check the upload is intact). */
  hash?: Hash;
}

const googleError = (status: number, reason: string, message: string): SandboxResponse =>
  json(status, { error: { code: status, message, status: status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'PERMISSION_DENIED' : 'INVALID_ARGUMENT', errors: [{ message, domain: 'youtube', reason }] } });

const PATH = '/upload/youtube/v3/videos';

export function createRoutes(ctx: PlatformContext): Route[] {
  const st = publishState(ctx);
  const who = (req: Parameters<Route['handler']>[0]) =>
    authorize(ctx, req, () => googleError(401, 'authError', 'Request had invalid authentication credentials.'));
  const session = (id: string | null) => (id ? (st.uploads.get(`yt:${id}`) as Session | undefined) : undefined);
  const range = (s: Session): Record<string, string> => (s.received > 0 ? { range: `bytes=0-${s.received - 1}` } : {});
  return [
    ...controlRoutes(ctx),
    {
      method: 'POST',
      path: PATH,
      handler: (req) => {
        const a = who(req);
        if ('error' in a) return a.error;
        if (req.query.get('uploadType') !== 'resumable') return googleError(400, 'badRequest', 'uploadType=resumable is required');
        const total = Number(req.headers['x-upload-content-length']);
        if (!Number.isFinite(total) || total <= 0) return googleError(400, 'badRequest', 'X-Upload-Content-Length is required');
        const meta = (req.json ?? {}) as Session['meta'];
        if (!meta.snippet?.title) return googleError(400, 'invalidTitle', 'The request metadata specifies an invalid or empty video title.');
        const limit = st.config.dailyLimit;
        if (limit !== undefined && st.posts.filter((p) => p.account === a.family.account.name).length >= limit) {
          return googleError(403, 'quotaExceeded', 'The request cannot be completed because you have exceeded your quota.');
        }
        const id = ctx.random(18);
        st.uploads.set(`yt:${id}`, { account: a.family.account.name, total, received: 0, mime: String(req.headers['x-upload-content-type'] ?? 'video/*'), meta, ...(st.config.hashUploads ? { hash: createHash('sha256') } : {}) } satisfies Session);
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
        if (!s) {
          await drain(req.raw);
          return googleError(404, 'notFound', 'Upload session not found or expired');
        }
        const a = who(req);
        if ('error' in a) return (await drain(req.raw), a.error);
        const cr = String(req.headers['content-range'] ?? '');
        const probe = /^bytes \*\/(\d+)$/.exec(cr);
        if (probe) {
          await drain(req.raw);
          if (s.video) return json(200, s.video);
          return { status: 308, headers: range(s), body: '' };
        }
        const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(cr);
        if (!m || Number(m[3]) !== s.total) return (await drain(req.raw), googleError(400, 'badContent', `bad Content-Range "${cr}"`));
        const start = Number(m[1]);
        const end = Number(m[2]);
        if (start > s.received) return (await drain(req.raw), { status: 308, headers: range(s), body: '' });
        const chunk = end - start + 1;
        if (chunk % (256 * 1024) !== 0 && end + 1 !== s.total) return (await drain(req.raw), googleError(400, 'badContent', 'chunks must be multiples of 256 KiB except the last'));
        // Stream the body; bytes below what we already hold (a resent overlap) are skipped.
        let pos = start;
        await drain(req.raw, (c) => {
          const next = pos + c.length;
          if (next > s.received) {
            s.hash?.update(c.subarray(Math.max(0, s.received - pos)));
            s.received = Math.min(s.total, next);
          }
          pos = next;
        });
        ctx.stats['uploadedBytes'] = (ctx.stats['uploadedBytes'] ?? 0) + (pos - start);
        if (s.received < s.total) return { status: 308, headers: range(s), body: '' };
        if (!s.video) {
          const id = newId(ctx, 'yt').replace(/\d{6}$/, (x) => Buffer.from(x).toString('base64url'));
          const privacy = s.meta.status?.privacyStatus ?? 'private';
          const fam = a.family;
          const post = recordPost(ctx, fam, { text: s.meta.snippet?.description ?? '', title: s.meta.snippet?.title ?? '', kind: 'video', media: [{ bytes: s.total, ...(s.hash ? { sha256: s.hash.digest('hex') } : {}) }], privacy }, id);
          if (!post) return googleError(403, 'quotaExceeded', 'The request cannot be completed because you have exceeded your quota.');
          s.video = { kind: 'youtube#video', id, snippet: s.meta.snippet, status: { uploadStatus: 'uploaded', privacyStatus: privacy } };
        }
        return maybeDrop(ctx, req, json(200, s.video));
      },
    },
  ];
}
