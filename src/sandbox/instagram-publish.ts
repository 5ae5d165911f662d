/**
 * Instagram content publishing, simulated (also served by the Facebook sandbox for the Instagram
 * API with Facebook Login, where the IG user is a Page's instagram_business_account): containers (image_url, video_url,
 * or resumable REELS with bytes POSTed to the returned rupload-style `uri`),
 * status_code polling (IN_PROGRESS -> FINISHED; slow processing via the
 * publish config), media_publish once per container (2207042 at the daily cap),
 * permalink lookup and the account's media list.
 *
 * Extra control route (a Reel upload that outlives its token, docs/platforms/instagram.md#token-expiry):
 *   POST /__instagram/v1/upload-config {expireTokenAfterUploads: N | null}
 *     each time N more upload requests were stored, the token that sent them expires (Meta checks a
 *     token when a request starts, so the request itself completes; the next call meets code 190)
 *   GET  /__instagram/v1/upload-stats -> {uploads, tokenExpiries}
 */
import { createHash, type Hash } from 'node:crypto';
import { json, type PlatformContext, type Route, type SandboxRequest, type SandboxResponse, type Family } from './common.js';
import { graphError, graphTimestamp, graphToken, metaAuth, metaControlRoutes, metaState, scriptedFault } from './meta.js';
import { controlRoutes, drain, maybeDrop, newId, publishState, recordPost, stateOf, TokenExpiry, uploadFaultRoutes } from './publish-common.js';

interface Container {
  account: string;
  igUser: string;
  caption: string;
  kind: 'image' | 'video';
  status: 'IN_PROGRESS' | 'FINISHED' | 'PUBLISHED' | 'ERROR' | 'EXPIRED';
  awaitingUpload: boolean;
  bytes: number;
  polls: number;
  mediaId?: string;
  /** SHA-256 of the uploaded bytes in order, with the publish config's hashUploads. */
  hash?: Hash;
  sha256?: string;
}

const uploadFaults = (ctx: PlatformContext) => stateOf(ctx, 'instagram.uploadFaults', () => ({ expiry: new TokenExpiry(), uploads: 0 }));

/** Instagram Login: the token's own account is the IG user. */
export function createRoutes(ctx: PlatformContext): Route[] {
  const lookup = containerLookup(ctx);
  return [
    ...controlRoutes(ctx),
    ...metaControlRoutes(ctx),
    ...igMediaRoutes(ctx, (family, ig) => (ig === family.account.id ? undefined : notYours())),
    {
      method: 'GET',
      path: '/:version/:id',
      handler: (req) => {
        const a = metaAuth(ctx, graphToken(req));
        if ('response' in a) return a.response;
        return lookup(req.params.id!) ?? graphError(400, 100, `Unsupported get request. Object with ID '${req.params.id}' does not exist`, 33);
      },
    },
  ];
}

/** GET /{container}?fields=status_code (advancing processing) and GET /{media}?fields=permalink. */
export function containerLookup(ctx: PlatformContext): (id: string) => SandboxResponse | undefined {
  const st = publishState(ctx);
  return (id) => {
    const c = st.uploads.get(`ig:${id}`) as Container | undefined;
    if (c) {
      if (c.status === 'IN_PROGRESS' && !c.awaitingUpload && ++c.polls >= st.config.processingPolls) c.status = 'FINISHED';
      return json(200, { id, status_code: c.status });
    }
    const p = st.posts.find((x) => x.id === id);
    return p ? json(200, { id: p.id, permalink: `https://www.instagram.com/p/${Buffer.from(p.id).toString('base64url').slice(0, 11)}/` }) : undefined;
  };
}

export const notYours = () => graphError(400, 100, 'Unsupported request: the object does not exist or the token cannot access it', 33);

/** Container, upload, media_publish and media-list routes; `refuse` answers when a token may not act as an IG user. */
export function igMediaRoutes(ctx: PlatformContext, refuse: (family: Family, igUser: string) => SandboxResponse | undefined): Route[] {
  const st = publishState(ctx);
  const auth = (req: SandboxRequest): { family: Family } | { response: SandboxResponse } => metaAuth(ctx, graphToken(req));
  const get = (id: string) => st.uploads.get(`ig:${id}`) as Container | undefined;
  /** The token's family, when it may act as the IG user in the path; else the refusal. */
  const asIgUser = (req: SandboxRequest): { family: Family } | { response: SandboxResponse } => {
    const fault = scriptedFault(ctx, req.path);
    if (fault) return { response: fault };
    const a = auth(req);
    if ('response' in a) return a;
    const no = refuse(a.family, req.params.ig!);
    return no ? { response: no } : a;
  };
  /** Posts this IG user published in the moving window (content_publishing_limit, media_publish). */
  const inWindow = (ig: string) => {
    const m = metaState(ctx);
    return st.posts.filter((p) => p.page === ig && p.createdAt > ctx.now() - m.quotaDurationSec * 1000).length;
  };
  const faults = uploadFaults(ctx);
  return [
    ...uploadFaultRoutes('instagram', 'expireTokenAfterUploads', faults.expiry, () => ({ uploads: faults.uploads })),
    {
      method: 'GET',
      path: '/:version/:ig/content_publishing_limit',
      handler: (req) => {
        const a = asIgUser(req);
        if ('response' in a) return a.response;
        const m = metaState(ctx);
        const fields = (req.query.get('fields') ?? 'quota_usage').split(',');
        const row: Record<string, unknown> = { quota_usage: inWindow(req.params.ig!) };
        if (fields.includes('config')) row.config = { quota_total: m.quotaTotal, quota_duration: m.quotaDurationSec };
        return json(200, { data: [row] });
      },
    },
    {
      method: 'POST',
      path: '/:version/:ig/media',
      handler: (req) => {
        const a = asIgUser(req);
        if ('response' in a) return a.response;
        const type = req.param('media_type');
        const resumable = req.param('upload_type') === 'resumable';
        const imageUrl = req.param('image_url');
        const videoUrl = req.param('video_url');
        if (!imageUrl && !videoUrl && !resumable) return graphError(400, 100, '(#100) image_url, video_url or upload_type=resumable is required', 2207003);
        if ((videoUrl || resumable) && type !== 'REELS' && type !== 'STORIES') return graphError(400, 100, '(#100) media_type must be REELS for videos');
        const id = newId(ctx);
        const c: Container = { account: a.family.account.name, igUser: req.params.ig!, caption: req.param('caption') ?? '', kind: imageUrl ? 'image' : 'video', status: imageUrl ? 'FINISHED' : 'IN_PROGRESS', awaitingUpload: resumable, bytes: 0, polls: 0, ...(resumable && st.config.hashUploads ? { hash: createHash('sha256') } : {}) };
        st.uploads.set(`ig:${id}`, c as unknown as Record<string, unknown>);
        const host = String(req.headers.host ?? '127.0.0.1');
        return json(200, resumable ? { id, uri: `http://${host}/ig-api-upload/${req.params.version}/${id}` } : { id });
      },
    },
    {
      method: 'POST',
      path: '/ig-api-upload/:version/:id',
      rawStream: true,
      handler: async (req) => {
        const c = get(req.params.id!);
        const token = /^OAuth\s+(.+)$/i.exec(String(req.headers['authorization'] ?? ''))?.[1];
        const a = metaAuth(ctx, token);
        if ('response' in a) return (await drain(req.raw), a.response);
        if (!c || !c.awaitingUpload || c.account !== a.family.account.name) return (await drain(req.raw), json(400, { debug_info: { type: 'ProcessingFailedError', message: 'unknown container' } }));
        // Resumable upload rules (docs/platforms/instagram.md#resumable-upload): `file_size` is the whole
        // file, `offset` the first byte of this request, which must be where the last one stopped.
        const size = Number(req.headers['file_size']);
        const offset = Number(req.headers['offset']);
        if (!Number.isInteger(size) || size <= 0) return (await drain(req.raw), json(400, { debug_info: { type: 'ProcessingFailedError', message: 'file_size header is required' } }));
        if (!Number.isInteger(offset) || offset !== c.bytes) return (await drain(req.raw), json(400, { debug_info: { type: 'ProcessingFailedError', message: `offset must be ${c.bytes}` } }));
        const n = await drain(req.raw, (chunk) => c.hash?.update(chunk));
        if (offset + n > size) return json(400, { debug_info: { type: 'ProcessingFailedError', message: `received ${offset + n} bytes of a ${size}-byte file` } });
        ctx.stats['uploadedBytes'] = (ctx.stats['uploadedBytes'] ?? 0) + n;
        c.bytes = offset + n;
        faults.uploads++;
        faults.expiry.stored(ctx, a.family.account.name, 1, a.family);
        if (c.bytes < size) return json(400, { debug_info: { type: 'PartialRequestError', message: `received ${c.bytes} of ${size} bytes` } });
        c.awaitingUpload = false;
        return json(200, { success: true, message: 'Upload successful.' });
      },
    },
    {
      method: 'POST',
      path: '/:version/:ig/media_publish',
      handler: (req) => {
        const a = asIgUser(req);
        if ('response' in a) return a.response;
        const c = get(req.param('creation_id') ?? '');
        if (!c || c.account !== a.family.account.name) return graphError(400, 100, 'Invalid parameter: creation_id', 2207006);
        if (c.status === 'PUBLISHED') return graphError(400, 100, 'The media has already been published', 2207027);
        if (c.status !== 'FINISHED') return graphError(400, 9007, 'Media ID is not available: the media is not ready for publishing', 2207027);
        if (inWindow(c.igUser) >= metaState(ctx).quotaTotal) return graphError(400, 9, 'You reached maximum number of posts that is allowed to be published by Content Publishing API.', 2207042);
        const post = recordPost(ctx, a.family, { text: c.caption, kind: c.kind, media: [{ bytes: c.bytes, ...(c.hash ? { sha256: (c.sha256 ??= c.hash.digest('hex')) } : {}) }], page: c.igUser });
        if (!post) return graphError(400, 9, 'You reached maximum number of posts that is allowed to be published by Content Publishing API.', 2207042);
        c.status = 'PUBLISHED';
        c.mediaId = post.id;
        return maybeDrop(ctx, req, json(200, { id: post.id }));
      },
    },
    {
      method: 'GET',
      path: '/:version/:ig/media',
      handler: (req) => {
        const a = asIgUser(req);
        if ('response' in a) return a.response;
        const rows = st.posts.filter((p) => p.page === req.params.ig).reverse();
        return json(200, { data: rows.map((p) => ({ id: p.id, caption: p.text, timestamp: graphTimestamp(p.createdAt) })) });
      },
    },
  ];
}
