/**
 * Instagram through Facebook Login: the Instagram container/publish routes (instagram-publish.ts)
 * on graph.facebook.com for the IG accounts linked to the person's Pages, user tokens only, and
 * the rupload.facebook.com upload path on this same server.
 *
 * Facebook Page publishing, simulated: /{page}/feed, /{page}/photos (url or
 * multipart source), /{page}/videos (file_url, or a Resumable Upload API file handle in
 * fbuploader_video_file_chunk; the undocumented upload_phase flow is refused), and GET /{page}/feed
 * for reconciliation. Page routes take Page access tokens only (as issued by /me/accounts); the
 * upload session (/{app-id}/uploads, upload:<id>) takes a User access token (facebook-video.ts,
 * docs/platforms/facebook.md#video).
 *
 * Extra control route (an upload that outlives its User token, docs/platforms/facebook.md#token-expiry):
 *   POST /__facebook/v1/upload-config {expireTokenAfterBytes: N | null}
 *     each time a session has stored N more bytes, the User token that sent them expires (Page tokens
 *     do not) and the connection is cut there: Meta checks a token when a request starts, so the
 *     upload meets the dead token when it asks for its offset and resumes
 *   GET  /__facebook/v1/upload-stats -> {interruptions, tokenExpiries}
 */
import { createHash, type Hash } from 'node:crypto';
import { json, type PlatformContext, type Route, type SandboxRequest, type SandboxResponse, type Family } from './common.js';
import { graphError, graphToken, metaAuth, metaControlRoutes, scriptedFault } from './meta.js';
import { controlRoutes, drain, maybeDrop, newId, parseMultipart, publishState, recordPost, stateOf, TokenExpiry, uploadFaultRoutes } from './publish-common.js';
import { igAccountsOf, OBJECT_LOOKUP } from './facebook.js';
import { containerLookup, igMediaRoutes, notYours } from './instagram-publish.js';

/** A Resumable Upload API session: the file's declared length, the bytes received, the handle once whole. */
interface UploadSession {
  app: string;
  account: string;
  length: number;
  received: number;
  handle?: string;
  /** SHA-256 of the stored bytes in order, with the publish config's hashUploads. */
  hash?: Hash;
  sha256?: string;
}

interface UploadFaults {
  expiry: TokenExpiry;
  interruptions: number;
}

const uploadFaults = (ctx: PlatformContext): UploadFaults => stateOf(ctx, 'facebook.uploadFaults', () => ({ expiry: new TokenExpiry(), interruptions: 0 }));

export function createRoutes(ctx: PlatformContext): Route[] {
  const st = publishState(ctx);
  const sessions = () => uploadSessions(ctx);
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
  const publish = (a: { family: Family; page: string }, message: string, kind: string, bytes: number[], id: string, sha256?: string) => {
    return recordPost(ctx, a.family, { text: message, kind, media: bytes.map((b) => ({ bytes: b, ...(sha256 ? { sha256 } : {}) })), page: a.page }, id);
  };
  // GET /{id} is facebook.ts's object route, which asks OBJECT_LOOKUP for anything else.
  const lookup = containerLookup(ctx);
  const uploads = uploadRoutes(ctx, (token) => pageTokens().has(token ?? ''));
  ctx.data.set(OBJECT_LOOKUP, (id: string, req: SandboxRequest) => (id.startsWith('upload:') ? uploads.status(id, req) : lookup(id)));
  const refuseIg = (family: Family, ig: string) => {
    if (!igAccountsOf(family.account).some((x) => x.id === ig)) return notYours();
    return family.scopes.includes('instagram_content_publish') ? undefined : graphError(403, 10, '(#10) Application does not have permission for this action');
  };
  return [
    ...controlRoutes(ctx),
    ...metaControlRoutes(ctx),
    ...igMediaRoutes(ctx, refuseIg),
    ...uploads.routes,
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
      handler: (req) => {
        const fault = scriptedFault(ctx, req.path);
        if (fault) return fault;
        const a = auth(req);
        if ('response' in a) return a.response;
        const f = fields(req);
        // Neither version of the Video API docs has upload_phase on this host: local files go through
        // the Resumable Upload API (docs/platforms/facebook.md#video).
        if (text(f, 'upload_phase')) return graphError(400, 100, '(#100) upload_phase is not supported: upload the file with the Resumable Upload API and publish its handle in fbuploader_video_file_chunk');
        const handle = text(f, 'fbuploader_video_file_chunk');
        if (!handle && !text(f, 'file_url')) return graphError(400, 100, '(#100) file_url or fbuploader_video_file_chunk is required');
        let bytes = 0;
        let sha256: string | undefined;
        if (handle) {
          const s = [...sessions().values()].find((x) => x.handle === handle);
          if (!s || s.account !== a.family.account.name) return graphError(400, 100, '(#100) Invalid file handle');
          bytes = s.length;
          sha256 = s.sha256;
        }
        const id = newId(ctx);
        const post = publish(a, text(f, 'description') ?? '', 'video', [bytes], id, sha256);
        return post ? maybeDrop(ctx, req, json(200, { id })) : limited();
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

const uploadSessions = (ctx: PlatformContext): Map<string, UploadSession> => {
  let m = ctx.data.get('facebook.uploads') as Map<string, UploadSession> | undefined;
  if (!m) ctx.data.set('facebook.uploads', (m = new Map()));
  return m;
};

/** The file types the Resumable Upload API takes (file_type). */
const UPLOAD_TYPES = ['application/pdf', 'image/jpeg', 'image/jpg', 'image/png', 'video/mp4'];

/**
 * The Resumable Upload API (https://developers.facebook.com/docs/graph-api/guides/upload): a session
 * for the app, then the bytes at `file_offset` (each request must start where the server's copy ends
 * and may not go past file_length), then a handle. User access tokens only.
 */
function uploadRoutes(ctx: PlatformContext, isPageToken: (token: string | undefined) => boolean): { routes: Route[]; status(id: string, req: SandboxRequest): SandboxResponse } {
  const sessions = uploadSessions(ctx);
  const faults = uploadFaults(ctx);
  const userAuth = (req: SandboxRequest): { family: Family } | { response: SandboxResponse } => {
    const token = graphToken(req);
    const a = metaAuth(ctx, token);
    if ('response' in a) return a;
    if (isPageToken(token)) return { response: graphError(400, 100, '(#100) The Resumable Upload API needs a User access token') };
    return { family: a.family };
  };
  const mine = (req: SandboxRequest, id: string): { s: UploadSession; family: Family } | { response: SandboxResponse } => {
    const a = userAuth(req);
    if ('response' in a) return a;
    const s = sessions.get(id);
    if (!s || s.account !== a.family.account.name) return { response: graphError(400, 100, `(#100) Invalid upload session ${id}`) };
    return { s, family: a.family };
  };
  return {
    status(id, req) {
      const m = mine(req, id);
      return 'response' in m ? m.response : json(200, { id, file_offset: m.s.received });
    },
    routes: [
      ...uploadFaultRoutes('facebook', 'expireTokenAfterBytes', faults.expiry, () => ({ interruptions: faults.interruptions })),
      {
        method: 'POST',
        path: '/:version/:app/uploads',
        handler: (req) => {
          const fault = scriptedFault(ctx, req.path);
          if (fault) return fault;
          const a = userAuth(req);
          if ('response' in a) return a.response;
          if (req.params.app !== a.family.clientId) return graphError(400, 100, '(#100) The upload session must be for the app the token belongs to');
          const length = Number(req.param('file_length'));
          const type = req.param('file_type') ?? '';
          if (!req.param('file_name')) return graphError(400, 100, '(#100) file_name is required');
          if (!Number.isInteger(length) || length <= 0) return graphError(400, 100, '(#100) file_length must be a positive number of bytes');
          if (!UPLOAD_TYPES.includes(type)) return graphError(400, 100, `(#100) file_type must be one of ${UPLOAD_TYPES.join(', ')}`);
          const id = `upload:${newId(ctx)}`;
          sessions.set(id, { app: a.family.clientId, account: a.family.account.name, length, received: 0, ...(publishState(ctx).config.hashUploads ? { hash: createHash('sha256') } : {}) });
          return json(200, { id });
        },
      },
      {
        method: 'POST',
        path: '/:version/:session',
        rawStream: true,
        handler: async (req) => {
          const id = req.params.session!;
          const fault = id.startsWith('upload:') ? scriptedFault(ctx, req.path) : undefined;
          if (fault) return (await drain(req.raw), fault);
          const m = mine(req, id);
          if ('response' in m) return (await drain(req.raw), m.response);
          const offset = Number(req.headers['file_offset']);
          if (!Number.isInteger(offset) || offset !== m.s.received) return (await drain(req.raw), graphError(400, 100, `(#100) file_offset must be ${m.s.received}`));
          // Bytes past the next token expiry are lost with the connection (see the control route above).
          const keep = Math.min(faults.expiry.room, m.s.length - offset);
          const announced = Number(req.headers['content-length'] ?? 0);
          if (offset + announced > m.s.length) return (await drain(req.raw), graphError(400, 100, `(#100) ${offset + announced} bytes is more than file_length ${m.s.length}`));
          let pos = 0;
          const n = await drain(req.raw, (c) => {
            if (pos < keep) m.s.hash?.update(c.subarray(0, keep - pos));
            pos += c.length;
          });
          if (offset + n > m.s.length) return graphError(400, 100, `(#100) ${offset + n} bytes is more than file_length ${m.s.length}`);
          const kept = Math.min(n, keep);
          m.s.received = offset + kept;
          ctx.stats['uploadedBytes'] = (ctx.stats['uploadedBytes'] ?? 0) + kept;
          const expired = faults.expiry.stored(ctx, m.s.account, kept, m.family);
          if (expired && m.s.received < m.s.length) {
            faults.interruptions++;
            return { status: 0, drop: true };
          }
          if (m.s.received < m.s.length) return graphError(400, 100, `(#100) upload incomplete: ${m.s.received} of ${m.s.length} bytes; resume at file_offset ${m.s.received}`);
          m.s.handle ??= `4:${Buffer.from(`${id}:${m.s.length}`).toString('base64url')}`;
          m.s.sha256 ??= m.s.hash?.digest('hex');
          return json(200, { h: m.s.handle });
        },
      },
    ],
  };
}
