/**
 * Instagram through Facebook Login: the Instagram container/publish routes (instagram-publish.ts)
 * on graph.facebook.com for the IG accounts linked to the person's Pages, user tokens only, and
 * the rupload.facebook.com upload path on this same server.
 *
 * Facebook Page publishing, simulated: /{page}/feed, /{page}/photos (url or
 * multipart source), /{page}/videos (file_url, or upload_phase start/transfer/finish
 * in 4 MiB chunks at offsets the server names), and GET /{page}/feed for
 * reconciliation. Page access tokens only (as issued by /me/accounts).
 */
import { json, type PlatformContext, type Route, type SandboxRequest, type SandboxResponse, type Family } from './common.js';
import { graphError, graphToken, metaAuth, metaControlRoutes } from './meta.js';
import { controlRoutes, maybeDrop, newId, parseMultipart, publishState, recordPost } from './publish-common.js';
import { igAccountsOf, OBJECT_LOOKUP } from './facebook.js';
import { containerLookup, igMediaRoutes, notYours } from './instagram-publish.js';

const CHUNK = 4 * 1024 * 1024;

interface VideoSession {
  page: string;
  size: number;
  received: number;
  videoId: string;
  done: boolean;
}

export function createRoutes(ctx: PlatformContext): Route[] {
  const st = publishState(ctx);
  const pageTokens = () => (ctx.data.get('facebook.pageTokens') as Map<string, string> | undefined) ?? new Map<string, string>();
  const auth = (req: SandboxRequest): { family: Family; page: string } | { response: SandboxResponse } => {
    const token = graphToken(req);
    const a = metaAuth(ctx, token);
    if ('response' in a) return a;
    const page = req.params.page!;
    if (pageTokens().get(token ?? '') !== page) return { response: graphError(403, 200, '(#200) The user hasn\'t authorized the application to perform this action; a Page access token for this Page is required') };
    return { family: a.family, page };
  };
  const fields = (req: SandboxRequest): Map<string, string | Buffer> => {
    const type = String(req.headers['content-type'] ?? '');
    if (type.includes('multipart/form-data')) return parseMultipart(req.rawBody, type);
    const m = new Map<string, string | Buffer>();
    for (const [k, v] of req.form) m.set(k, v);
    for (const [k, v] of req.query) if (!m.has(k)) m.set(k, v);
    return m;
  };
  const text = (f: Map<string, string | Buffer>, k: string) => {
    const v = f.get(k);
    return v === undefined ? undefined : v.toString();
  };
  const limited = () => graphError(400, 4, '(#4) Application request limit reached');
  const publish = (a: { family: Family; page: string }, message: string, kind: string, bytes: number[], id: string) => {
    return recordPost(ctx, a.family, { text: message, kind, media: bytes.map((b) => ({ bytes: b })), page: a.page }, id);
  };
  // GET /{id} is facebook.ts's object route, which asks OBJECT_LOOKUP for anything else.
  const lookup = containerLookup(ctx);
  ctx.data.set(OBJECT_LOOKUP, (id: string) => lookup(id));
  const refuseIg = (family: Family, ig: string) => {
    if (!igAccountsOf(family.account).some((x) => x.id === ig)) return notYours();
    return family.scopes.includes('instagram_content_publish') ? undefined : graphError(403, 10, '(#10) Application does not have permission for this action');
  };
  return [
    ...controlRoutes(ctx),
    ...metaControlRoutes(ctx),
    ...igMediaRoutes(ctx, refuseIg),
    {
      method: 'POST',
      path: '/:version/:page/feed',
      handler: (req) => {
        const a = auth(req);
        if ('response' in a) return a.response;
        const f = fields(req);
        const message = text(f, 'message') ?? '';
        if (!message && !text(f, 'link')) return graphError(400, 100, '(#100) message or link is required');
        const dup = st.posts.find((p) => p.page === a.page && p.text === message && ctx.now() - p.createdAt < 60_000);
        if (dup) return graphError(400, 506, 'Duplicate status message');
        const post = publish(a, message, 'text', [], `${a.page}_${newId(ctx)}`);
        return post ? maybeDrop(ctx, req, json(200, { id: post.id })) : limited();
      },
    },
    {
      method: 'POST',
      path: '/:version/:page/photos',
      maxBodyBytes: 12 * 1024 * 1024,
      handler: (req) => {
        const a = auth(req);
        if ('response' in a) return a.response;
        const f = fields(req);
        const src = f.get('source');
        const url = text(f, 'url');
        if (!src && !url) return graphError(400, 324, '(#324) Requires upload file');
        const photoId = newId(ctx);
        const post = publish(a, text(f, 'caption') ?? text(f, 'message') ?? '', 'photo', [Buffer.isBuffer(src) ? src.length : 0], `${a.page}_${photoId}`);
        return post ? maybeDrop(ctx, req, json(200, { id: photoId, post_id: post.id })) : limited();
      },
    },
    {
      method: 'POST',
      path: '/:version/:page/videos',
      maxBodyBytes: CHUNK + 64 * 1024,
      handler: (req) => {
        const a = auth(req);
        if ('response' in a) return a.response;
        const f = fields(req);
        const phase = text(f, 'upload_phase');
        if (!phase) {
          if (!text(f, 'file_url')) return graphError(400, 100, '(#100) file_url or upload_phase is required');
          const id = newId(ctx);
          const post = publish(a, text(f, 'description') ?? '', 'video', [0], id);
          return post ? maybeDrop(ctx, req, json(200, { id })) : limited();
        }
        if (phase === 'start') {
          const size = Number(text(f, 'file_size'));
          if (!(size > 0)) return graphError(400, 100, '(#100) file_size is required');
          const session = newId(ctx);
          const s: VideoSession = { page: a.page, size, received: 0, videoId: newId(ctx), done: false };
          st.uploads.set(`fb:${session}`, s as unknown as Record<string, unknown>);
          return json(200, { video_id: s.videoId, upload_session_id: session, start_offset: '0', end_offset: String(Math.min(size, CHUNK)) });
        }
        const s = st.uploads.get(`fb:${text(f, 'upload_session_id') ?? ''}`) as VideoSession | undefined;
        if (!s || s.page !== a.page) return graphError(400, 100, '(#100) invalid upload_session_id');
        if (phase === 'transfer') {
          const chunk = f.get('video_file_chunk');
          if (!Buffer.isBuffer(chunk) || Number(text(f, 'start_offset')) !== s.received) return graphError(400, 100, '(#100) start_offset does not match the upload');
          s.received += chunk.length;
          ctx.stats['uploadedBytes'] = (ctx.stats['uploadedBytes'] ?? 0) + chunk.length;
          return json(200, { start_offset: String(s.received), end_offset: String(Math.min(s.size, s.received + CHUNK)) });
        }
        if (phase === 'finish') {
          if (s.received !== s.size) return graphError(400, 100, `(#100) received ${s.received} of ${s.size} bytes`);
          if (!s.done) {
            if (!publish(a, text(f, 'description') ?? '', 'video', [s.size], s.videoId)) return limited();
            s.done = true;
          }
          return maybeDrop(ctx, req, json(200, { success: true }));
        }
        return graphError(400, 100, '(#100) unknown upload_phase');
      },
    },
    {
      method: 'GET',
      path: '/:version/:page/feed',
      handler: (req) => {
        const a = auth(req);
        if ('response' in a) return a.response;
        const since = Number(req.query.get('since') ?? 0) * 1000;
        const rows = st.posts.filter((p) => p.page === a.page && p.createdAt >= since).reverse();
        return json(200, { data: rows.map((p) => ({ id: p.id, message: p.text, created_time: new Date(p.createdAt).toISOString().replace(/\.\d{3}Z$/, '+0000') })) });
      },
    },
  ];
}
