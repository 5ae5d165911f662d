/**
 * LinkedIn publishing, simulated (rules and sources: docs/platforms/linkedin.md):
 * - /rest/images and /rest/videos initializeUpload; a video is 75 KB..500 MB (#video-limits) and
 *   gets one pre-signed URL per part of exactly 4,194,304 bytes, the last part the remainder
 *   (#video-parts); each part PUT must carry exactly its range and answers an ETag;
 *   finalizeUpload needs every ETag in order; GET /rest/videos/{urn} reports status.
 * - POST /rest/posts reads `commentary` as little text (./linkedin-little.ts, #little-text): an
 *   unescaped reserved character cuts the post there, as LinkedIn does; at most 3000 characters
 *   shown (#text-length). 201 with x-restli-id. Authors: the member (w_member_social) or an
 *   organization the member administers (w_organization_social, #organizations).
 * - GET /rest/posts?q=author (FINDER) returns commentary as LinkedIn stores it (hashtags as
 *   templates, reserved characters escaped); reading a member's posts needs r_member_social, which
 *   ordinary apps are never granted (#reconcile), an organization's needs r_organization_social.
 * Every /rest call checks LinkedIn-Version (426 when not active), X-Restli-Protocol-Version and the bearer token.
 * The image upload URL takes the member's bearer token; the video part URLs are pre-signed (no token).
 *
 * Extra control route (an upload that outlives its access token, #token-expiry):
 *   POST /__linkedin/v1/upload-config {expireTokenAfterParts: N | null}
 *     each time N more parts (video parts, or an image upload) were stored, the uploading account's
 *     access tokens expire; the next call with the old token gets 401 EXPIRED_ACCESS_TOKEN
 *   GET  /__linkedin/v1/upload-stats -> {parts, tokenExpiries}
 */
import { createHash } from 'node:crypto';
import { json, type PlatformContext, type Route, type SandboxRequest, type SandboxResponse, type Family } from './common.js';
import { linkedinAuth, linkedinVersion, organizationsOf, personUrn } from './linkedin.js';
import { parseLittle } from './linkedin-little.js';
import { controlRoutes, drain, maybeDrop, newId, publishState, recordPost, stateOf, TokenExpiry, uploadFaultRoutes } from './publish-common.js';

/** Video part size, video size bounds and commentary length (docs/platforms/linkedin.md). */
export const PART = 4_194_304;
export const VIDEO_MIN_BYTES = 75 * 1024;
export const VIDEO_MAX_BYTES = 500_000_000;
export const COMMENTARY_MAX = 3000;

interface Asset {
  kind: 'image' | 'video';
  owner: string;
  account: string;
  size: number;
  parts: { first: number; last: number; etag?: string }[];
  token: string;
  status: 'WAITING_UPLOAD' | 'PROCESSING' | 'AVAILABLE';
  polls: number;
}

const person = (f: Family) => personUrn(f.account);
const has = (f: Family, scope: string) => f.scopes.includes(scope) || f.scopes.includes('all');

/** May this token act for `author`: the member itself, or an organization the member administers. */
function mayAuthor(f: Family, author: string | undefined, kind: 'write' | 'read'): SandboxResponse | undefined {
  if (author === person(f)) {
    // r_member_social is a private permission: only a token that really holds it reads member posts.
    if (kind === 'read' && !f.scopes.includes('r_member_social')) return restError(403, 'Not enough permissions to access: partnerApiPostsExternal.FINDER-author (r_member_social)', 'ACCESS_DENIED');
    if (kind === 'write' && !has(f, 'w_member_social')) return restError(403, 'Not enough permissions: w_member_social', 'ACCESS_DENIED');
    return undefined;
  }
  const org = organizationsOf(f.account).find((o) => o.urn === author);
  if (!org) return restError(403, `the member is not an administrator of ${author ?? '(no author)'}`, 'ACCESS_DENIED');
  const scope = kind === 'read' ? 'r_organization_social' : 'w_organization_social';
  return has(f, scope) ? undefined : restError(403, `Not enough permissions: ${scope}`, 'ACCESS_DENIED');
}

interface UploadFaults {
  expiry: TokenExpiry;
  parts: number;
}

const uploadFaults = (ctx: PlatformContext): UploadFaults => stateOf(ctx, 'linkedin.uploadFaults', () => ({ expiry: new TokenExpiry(), parts: 0 }));

const restError = (status: number, message: string, code = 'BAD_REQUEST'): SandboxResponse => json(status, { status, code, message });

export function createRoutes(ctx: PlatformContext): Route[] {
  const st = publishState(ctx);
  const guard = (req: SandboxRequest): { family: Family } | { response: SandboxResponse } => {
    const v = linkedinVersion(ctx, req);
    if (v) return { response: v };
    if (req.headers['x-restli-protocol-version'] !== '2.0.0') return { response: restError(400, 'X-Restli-Protocol-Version 2.0.0 is required') };
    return linkedinAuth(ctx, req);
  };
  const asset = (urn: string) => st.uploads.get(`li:${urn}`) as Asset | undefined;
  /** Post id -> commentary as LinkedIn returns it on GET. */
  const stored = (): Map<string, string> => {
    let m = ctx.data.get('linkedin.commentary') as Map<string, string> | undefined;
    if (!m) ctx.data.set('linkedin.commentary', (m = new Map()));
    return m;
  };
  const origin = (req: SandboxRequest) => `http://${String(req.headers.host ?? '127.0.0.1')}`;
  const init = (kind: 'image' | 'video') => (req: SandboxRequest): SandboxResponse => {
    const g = guard(req);
    if ('response' in g) return g.response;
    if (req.query.get('action') !== 'initializeUpload') return restError(400, 'action=initializeUpload is required');
    const r = ((req.json ?? {}) as { initializeUploadRequest?: { owner?: string; fileSizeBytes?: number } }).initializeUploadRequest ?? {};
    const denied = mayAuthor(g.family, r.owner, 'write');
    if (denied) return denied;
    const size = kind === 'video' ? Number(r.fileSizeBytes) : 0;
    if (kind === 'video' && !Number.isInteger(size)) return restError(400, 'fileSizeBytes is required');
    if (kind === 'video' && (size < VIDEO_MIN_BYTES || size > VIDEO_MAX_BYTES)) {
      return restError(400, `fileSizeBytes ${size} is outside the supported video size (${VIDEO_MIN_BYTES}..${VIDEO_MAX_BYTES} bytes)`, 'INVALID_VIDEO_SIZE');
    }
    const urn = `urn:li:${kind}:${newId(ctx, 'D4')}`;
    const parts: Asset['parts'] = [];
    for (let s = 0; s < Math.max(size, 1); s += PART) parts.push({ first: s, last: Math.min(size, s + PART) - 1 });
    st.uploads.set(`li:${urn}`, { kind, owner: r.owner!, account: g.family.account.name, size, parts, token: ctx.random(8), status: 'WAITING_UPLOAD', polls: 0 } satisfies Asset);
    const url = (i: number) => `${origin(req)}/__li-upload/${encodeURIComponent(urn)}/${i}`;
    if (kind === 'image') return json(200, { value: { uploadUrlExpiresAt: ctx.now() + 3_600_000, uploadUrl: url(0), image: urn } });
    const a = asset(urn)!;
    return json(200, { value: { video: urn, uploadToken: a.token, uploadUrlsExpireAt: ctx.now() + 3_600_000, uploadInstructions: parts.map((p, i) => ({ uploadUrl: url(i), firstByte: p.first, lastByte: p.last })) } });
  };
  return [
    ...controlRoutes(ctx),
    ...uploadFaultRoutes('linkedin', 'expireTokenAfterParts', uploadFaults(ctx).expiry, () => ({ parts: uploadFaults(ctx).parts })),
    { method: 'POST', path: '/rest/images', handler: init('image') },
    { method: 'POST', path: '/rest/videos', handler: (req) => (req.query.get('action') === 'finalizeUpload' ? finalize(req) : init('video')(req)) },
    {
      method: 'PUT',
      path: '/__li-upload/:urn/:part',
      rawStream: true,
      handler: async (req) => {
        const a = asset(req.params.urn!);
        const part = a?.parts[Number(req.params.part)];
        if (!a || !part) return (await drain(req.raw), restError(404, 'unknown upload URL'));
        // The Images API upload takes the member's token (#images); video part URLs are pre-signed.
        const denied = a.kind === 'image' ? linkedinAuth(ctx, req) : undefined;
        if (denied && 'response' in denied) return (await drain(req.raw), denied.response);
        const h = createHash('md5');
        const n = await drain(req.raw, (c) => h.update(c));
        if (a.kind === 'video' && n !== part.last - part.first + 1) return restError(400, `expected ${part.last - part.first + 1} bytes, got ${n}`);
        if (a.kind === 'image') ((a.size = n), (a.status = 'AVAILABLE'));
        part.etag = `"${h.digest('hex')}"`;
        ctx.stats['uploadedBytes'] = (ctx.stats['uploadedBytes'] ?? 0) + n;
        uploadFaults(ctx).parts++;
        uploadFaults(ctx).expiry.stored(ctx, a.account);
        return { status: 201, headers: { etag: part.etag }, body: '' };
      },
    },
    {
      method: 'GET',
      path: '/rest/videos/:urn',
      handler: (req) => {
        const g = guard(req);
        if ('response' in g) return g.response;
        const a = asset(req.params.urn!);
        if (!a) return restError(404, 'video not found', 'NOT_FOUND');
        if (a.status === 'PROCESSING' && ++a.polls >= st.config.processingPolls) a.status = 'AVAILABLE';
        return json(200, { id: req.params.urn, owner: a.owner, status: a.status });
      },
    },
    {
      method: 'POST',
      path: '/rest/posts',
      handler: (req) => {
        const g = guard(req);
        if ('response' in g) return g.response;
        const b = (req.json ?? {}) as { author?: string; commentary?: string; visibility?: string; lifecycleState?: string; content?: { media?: { id?: string } } };
        const denied = mayAuthor(g.family, b.author, 'write');
        if (denied) return denied;
        if (!b.visibility || b.lifecycleState !== 'PUBLISHED') return restError(400, 'visibility and lifecycleState=PUBLISHED are required');
        const little = parseLittle(b.commentary ?? '');
        if (little.shown.length > COMMENTARY_MAX) return restError(422, `/commentary: the text is ${little.shown.length} characters long; at most ${COMMENTARY_MAX} are allowed`, 'UNPROCESSABLE_ENTITY');
        const mediaId = b.content?.media?.id;
        const a = mediaId ? asset(mediaId) : undefined;
        if (mediaId && (!a || a.status !== 'AVAILABLE' || a.owner !== b.author)) return restError(400, 'the media is not available (or belongs to another owner)', 'INVALID_CONTENT_OWNERSHIP');
        const id = `urn:li:share:${newId(ctx)}`;
        const post = recordPost(ctx, g.family, { text: little.shown, kind: a ? a.kind : 'text', media: a ? [{ bytes: a.size }] : [], privacy: b.visibility, page: b.author }, id);
        if (!post) return restError(429, 'Resource level throttle DAY limit for calls to this resource is reached.', 'TOO_MANY_REQUESTS');
        stored().set(id, little.readBack);
        return maybeDrop(ctx, req, { status: 201, headers: { 'x-restli-id': id, 'x-linkedin-id': id }, body: '' });
      },
    },
    {
      method: 'GET',
      path: '/rest/posts',
      handler: (req) => {
        const g = guard(req);
        if ('response' in g) return g.response;
        if (req.query.get('q') !== 'author' || String(req.headers['x-restli-method'] ?? '').toUpperCase() !== 'FINDER') return restError(400, 'q=author with X-RestLi-Method: FINDER is required');
        const authorUrn = req.query.get('author') ?? undefined;
        const denied = mayAuthor(g.family, authorUrn, 'read');
        if (denied) return denied;
        const rows = st.posts.filter((p) => p.page === authorUrn).reverse().slice(0, Math.min(100, Number(req.query.get('count') ?? 10)));
        const elements = rows.map((p) => ({ id: p.id, author: authorUrn, commentary: stored().get(p.id) ?? '', createdAt: p.createdAt, publishedAt: p.createdAt, lifecycleState: 'PUBLISHED', visibility: p.privacy }));
        return json(200, { elements, paging: { start: 0, count: rows.length } });
      },
    },
  ];

  function finalize(req: SandboxRequest): SandboxResponse {
    const g = guard(req);
    if ('response' in g) return g.response;
    const r = ((req.json ?? {}) as { finalizeUploadRequest?: { video?: string; uploadToken?: string; uploadedPartIds?: string[] } }).finalizeUploadRequest ?? {};
    const a = r.video ? asset(r.video) : undefined;
    if (!a || a.kind !== 'video') return restError(404, 'video not found', 'NOT_FOUND');
    const expected = a.parts.map((p) => p.etag);
    if (r.uploadToken !== a.token || JSON.stringify(expected) !== JSON.stringify(r.uploadedPartIds ?? [])) return restError(400, 'uploadedPartIds must be the ETags of every part, in order');
    a.status = st.config.processingPolls > 0 ? 'PROCESSING' : 'AVAILABLE';
    return json(200, {});
  }
}
