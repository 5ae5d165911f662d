/**
 * LinkedIn publishing, simulated: /rest/images and /rest/videos initializeUpload,
 * pre-signed PUT upload URLs (video parts answer an ETag), finalizeUpload checks
 * the ETags in order, GET /rest/videos/{urn} status, POST /rest/posts answering
 * 201 with x-restli-id, and the author finder for reconciliation. Every /rest
 * call checks LinkedIn-Version (426 when not active) and the bearer token.
 */
import { createHash } from 'node:crypto';
import { json, type PlatformContext, type Route, type SandboxRequest, type SandboxResponse, type Family } from './common.js';
import { linkedinAuth, linkedinVersion } from './linkedin.js';
import { controlRoutes, drain, maybeDrop, newId, publishState, recordPost } from './publish-common.js';

const PART = 4 * 1024 * 1024;

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

/** The member URN the sandbox's /v2/userinfo implies (sub = li + base36 of the account id). */
const person = (f: Family) => `urn:li:person:li${BigInt(f.account.id).toString(36)}`;

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
  const origin = (req: SandboxRequest) => `http://${String(req.headers.host ?? '127.0.0.1')}`;
  const init = (kind: 'image' | 'video') => (req: SandboxRequest): SandboxResponse => {
    const g = guard(req);
    if ('response' in g) return g.response;
    if (req.query.get('action') !== 'initializeUpload') return restError(400, 'action=initializeUpload is required');
    const r = ((req.json ?? {}) as { initializeUploadRequest?: { owner?: string; fileSizeBytes?: number } }).initializeUploadRequest ?? {};
    if (r.owner !== person(g.family)) return restError(403, 'owner does not match the member', 'ACCESS_DENIED');
    const urn = `urn:li:${kind}:${newId(ctx, 'D4')}`;
    const size = kind === 'video' ? Number(r.fileSizeBytes) : 0;
    if (kind === 'video' && !(size > 0)) return restError(400, 'fileSizeBytes is required');
    const parts: Asset['parts'] = [];
    for (let s = 0; s < Math.max(size, 1); s += PART) parts.push({ first: s, last: Math.min(size, s + PART) - 1 });
    st.uploads.set(`li:${urn}`, { kind, owner: r.owner, account: g.family.account.name, size, parts, token: ctx.random(8), status: 'WAITING_UPLOAD', polls: 0 } satisfies Asset);
    const url = (i: number) => `${origin(req)}/__li-upload/${encodeURIComponent(urn)}/${i}`;
    if (kind === 'image') return json(200, { value: { uploadUrlExpiresAt: ctx.now() + 3_600_000, uploadUrl: url(0), image: urn } });
    const a = asset(urn)!;
    return json(200, { value: { video: urn, uploadToken: a.token, uploadUrlsExpireAt: ctx.now() + 3_600_000, uploadInstructions: parts.map((p, i) => ({ uploadUrl: url(i), firstByte: p.first, lastByte: p.last })) } });
  };
  return [
    ...controlRoutes(ctx),
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
        const h = createHash('md5');
        const n = await drain(req.raw, (c) => h.update(c));
        if (a.kind === 'video' && n !== part.last - part.first + 1) return restError(400, `expected ${part.last - part.first + 1} bytes, got ${n}`);
        if (a.kind === 'image') ((a.size = n), (a.status = 'AVAILABLE'));
        part.etag = `"${h.digest('hex')}"`;
        ctx.stats['uploadedBytes'] = (ctx.stats['uploadedBytes'] ?? 0) + n;
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
        if (b.author !== person(g.family)) return restError(403, 'author does not match the member', 'ACCESS_DENIED');
        if (!b.visibility || b.lifecycleState !== 'PUBLISHED') return restError(400, 'visibility and lifecycleState=PUBLISHED are required');
        const mediaId = b.content?.media?.id;
        const a = mediaId ? asset(mediaId) : undefined;
        if (mediaId && (!a || a.status !== 'AVAILABLE' || a.account !== g.family.account.name)) return restError(400, 'the media is not available (or belongs to another owner)', 'INVALID_CONTENT_OWNERSHIP');
        const id = `urn:li:share:${newId(ctx)}`;
        const post = recordPost(ctx, g.family, { text: b.commentary ?? '', kind: a ? a.kind : 'text', media: a ? [{ bytes: a.size }] : [], privacy: b.visibility, page: b.author }, id);
        if (!post) return restError(429, 'Resource level throttle DAY limit for calls to this resource is reached.', 'TOO_MANY_REQUESTS');
        return maybeDrop(ctx, req, { status: 201, headers: { 'x-restli-id': id, 'x-linkedin-id': id }, body: '' });
      },
    },
    {
      method: 'GET',
      path: '/rest/posts',
      handler: (req) => {
        const g = guard(req);
        if ('response' in g) return g.response;
        const authorUrn = req.query.get('author');
        const rows = st.posts.filter((p) => p.page === authorUrn).reverse().slice(0, Number(req.query.get('count') ?? 10));
        return json(200, { elements: rows.map((p) => ({ id: p.id, author: authorUrn, commentary: p.text, createdAt: p.createdAt, lifecycleState: 'PUBLISHED' })), paging: { start: 0, count: rows.length } });
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
