/**
 * Pinterest pins, boards and video uploads, simulated from the v5 OpenAPI description
 * (docs/platforms/pinterest.md):
 * - GET  /v5/boards                    the account's two boards {items: [{id, name, privacy}], bookmark}
 * - GET  /v5/boards/:board/pins        the board's pins, newest first (id, title, description, created_at)
 * - POST /v5/media {media_type: video} -> {media_id, media_type, upload_url, upload_parameters}; status
 *                                       `registered` until the file arrives
 * - POST /__pinterest-upload/:id       the upload URL: multipart/form-data with every upload parameter
 *                                       and a non-empty `file`; then `processing` for `processingPolls`
 *                                       status reads, then `succeeded`
 * - GET  /v5/media/:id                 {media_id, media_type, status}
 * - POST /v5/pins                      board_id (one of the account's boards), media_source image_url
 *                                       (http/https), image_base64 (content_type image/jpeg|png, canonical
 *                                       Base64 of at most 32 MB decoded; size and SHA-256 recorded) or video_id (a
 *                                       `succeeded` upload of this account); title <= 100, description <= 800,
 *                                       alt_text <= 500, link <= 2048 (the API's limits) -> {id, ...}
 * Control: /__publish/v1/* (publish-common.ts).
 */
import { createHash } from 'node:crypto';
import { json, type PlatformContext, type Route, type SandboxRequest, type SandboxResponse } from './common.js';
import { controlRoutes, maybeDrop, newId, parseMultipart, publishState, recordPost } from './publish-common.js';
import { pinError, pinterestAuth } from './pinterest.js';

interface Upload {
  account: string;
  status: 'registered' | 'processing' | 'succeeded' | 'failed';
  params: Record<string, string>;
  bytes: number;
  polls: number;
}

const LIMITS = { title: 100, description: 800, alt_text: 500, link: 2048 } as const;
/** A static pin's image: PNG or JPEG, at most 32 MB (docs/platforms/pinterest.md#image-base64). */
export const IMAGE_MAX_BYTES = 32 * 1024 * 1024;
const IMAGE_TYPES = ['image/jpeg', 'image/png'];

/**
 * image_base64 as the API describes it: `content_type` one of ContentType, `data` matching
 * ^[a-zA-Z0-9+/=]+$ and real Base64 (padding only at the end: it re-encodes to itself), the decoded
 * image at most IMAGE_MAX_BYTES.
 */
function base64ImageProblem(src: Record<string, unknown>): string | undefined {
  if (!IMAGE_TYPES.includes(String(src.content_type))) return 'media_source.content_type must be image/jpeg or image/png';
  const data = typeof src.data === 'string' ? src.data : '';
  if (!/^[a-zA-Z0-9+/=]+$/.test(data)) return 'media_source.data must be Base64';
  const bytes = Buffer.from(data, 'base64');
  if (bytes.toString('base64') !== data) return 'media_source.data is not valid Base64';
  if (bytes.length > IMAGE_MAX_BYTES) return `the image is ${bytes.length} bytes; the maximum is ${IMAGE_MAX_BYTES}`;
  return undefined;
}

/** What the sandbox keeps of a received image: its size and SHA-256 (tests compare them with the file). */
const imageReceived = (data: string) => {
  const bytes = Buffer.from(data, 'base64');
  return { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
};
const boardsOf = (accountId: string) => [
  { id: String(BigInt(accountId) % 1_000_000_000n + 500_000_000_000n), name: 'Ideas', privacy: 'PUBLIC' },
  { id: String(BigInt(accountId) % 1_000_000_000n + 600_000_000_000n), name: 'Recipes', privacy: 'PUBLIC' },
];

/** The first sandbox board of an account (the demo pins there). */
export const firstBoardOf = (accountId: string): string => boardsOf(accountId)[0]!.id;

export function createRoutes(ctx: PlatformContext): Route[] {
  const st = publishState(ctx);
  const upload = (id: string) => st.uploads.get(`pin:${id}`) as Upload | undefined;

  const sourceProblem = (src: Record<string, unknown>, account: string): string | undefined => {
    if (src.source_type === 'image_url') return /^https?:\/\//.test(String(src.url ?? '')) ? undefined : 'media_source.url must be an http(s) URL';
    if (src.source_type === 'image_base64') return base64ImageProblem(src);
    if (src.source_type === 'video_id') {
      const u = upload(String(src.media_id ?? ''));
      if (!u || u.account !== account) return 'media_source.media_id is not a media upload of this account';
      return u.status === 'succeeded' ? undefined : `the media upload is ${u.status}, not succeeded`;
    }
    return 'media_source.source_type is not supported';
  };

  const createPin = (req: SandboxRequest): SandboxResponse => {
    const a = pinterestAuth(ctx, req);
    if ('response' in a) return a.response;
    const b = (req.json ?? {}) as Record<string, unknown>;
    if (!boardsOf(a.family.account.id).some((x) => x.id === b.board_id)) return pinError(404, 404, 'Board not found.');
    for (const [k, max] of Object.entries(LIMITS)) if (typeof b[k] === 'string' && [...(b[k] as string)].length > max) return pinError(400, 1, `Invalid parameters: ${k} is longer than ${max} characters`);
    const src = (b.media_source ?? {}) as Record<string, unknown>;
    const problem = sourceProblem(src, a.family.account.name);
    if (problem) return pinError(400, 1, `Invalid parameters: ${problem}`);
    const video = src.source_type === 'video_id' ? upload(String(src.media_id)) : undefined;
    const media = video ? { bytes: video.bytes } : src.source_type === 'image_base64' ? imageReceived(String(src.data)) : { bytes: 0 };
    const post = recordPost(ctx, a.family, { text: String(b.description ?? ''), ...(typeof b.title === 'string' ? { title: b.title } : {}), kind: video ? 'video' : 'image', media: [media], page: String(b.board_id) });
    if (!post) return pinError(429, 8, 'This request exceeded a rate limit. This can happen if the client exceeds one of the published rate limits within a short time window.');
    return maybeDrop(ctx, req, json(201, { id: post.id, board_id: b.board_id, title: b.title ?? null, description: b.description ?? null, created_at: new Date(post.createdAt).toISOString() }));
  };

  const registerMedia = (req: SandboxRequest): SandboxResponse => {
    const a = pinterestAuth(ctx, req);
    if ('response' in a) return a.response;
    if ((req.json as { media_type?: string } | undefined)?.media_type !== 'video') return pinError(400, 1, 'Invalid parameters: media_type must be video');
    const id = newId(ctx);
    const params = { key: `uploads/${id}`, policy: ctx.random(12), 'x-amz-algorithm': 'AWS4-HMAC-SHA256', 'x-amz-signature': ctx.random(16) };
    st.uploads.set(`pin:${id}`, { account: a.family.account.name, status: 'registered', params, bytes: 0, polls: 0 } as unknown as Record<string, unknown>);
    const host = String(req.headers.host ?? '127.0.0.1');
    return json(201, { media_id: id, media_type: 'video', upload_url: `http://${host}/__pinterest-upload/${id}`, upload_parameters: params });
  };

  const receive = (req: SandboxRequest): SandboxResponse => {
    const u = upload(req.params.id!);
    if (!u || u.status !== 'registered') return { status: 403, body: '<Error><Code>AccessDenied</Code></Error>', headers: { 'content-type': 'application/xml' } };
    const parts = parseMultipart(req.rawBody, String(req.headers['content-type'] ?? ''));
    const missing = Object.keys(u.params).filter((k) => parts.get(k)?.toString() !== u.params[k]);
    const file = parts.get('file');
    if (missing.length || !file?.length) return { status: 400, body: `<Error><Code>InvalidArgument</Code><Message>${missing.length ? `missing ${missing.join(', ')}` : 'no file'}</Message></Error>`, headers: { 'content-type': 'application/xml' } };
    u.bytes = file.length;
    u.status = 'processing';
    ctx.stats['uploadedBytes'] = (ctx.stats['uploadedBytes'] ?? 0) + file.length;
    return { status: 204 };
  };

  const mediaStatus = (req: SandboxRequest): SandboxResponse => {
    const a = pinterestAuth(ctx, req);
    if ('response' in a) return a.response;
    const u = upload(req.params.id!);
    if (!u || u.account !== a.family.account.name) return pinError(404, 404, 'Media not found.');
    if (u.status === 'processing' && ++u.polls >= st.config.processingPolls) u.status = 'succeeded';
    return json(200, { media_id: req.params.id, media_type: 'video', status: u.status });
  };

  return [
    ...controlRoutes(ctx),
    {
      method: 'GET',
      path: '/v5/boards',
      handler: (req) => {
        const a = pinterestAuth(ctx, req);
        return 'response' in a ? a.response : json(200, { items: boardsOf(a.family.account.id), bookmark: null });
      },
    },
    {
      method: 'GET',
      path: '/v5/boards/:board/pins',
      handler: (req) => {
        const a = pinterestAuth(ctx, req);
        if ('response' in a) return a.response;
        const rows = st.posts.filter((p) => p.page === req.params.board && p.account === a.family.account.name).reverse();
        return json(200, { items: rows.map((p) => ({ id: p.id, title: p.title ?? null, description: p.text, created_at: new Date(p.createdAt).toISOString() })), bookmark: null });
      },
    },
    { method: 'POST', path: '/v5/pins', handler: createPin, maxBodyBytes: 48 * 1024 * 1024 },
    { method: 'POST', path: '/v5/media', handler: registerMedia },
    { method: 'GET', path: '/v5/media/:id', handler: mediaStatus },
    { method: 'POST', path: '/__pinterest-upload/:id', handler: receive, maxBodyBytes: 256 * 1024 * 1024 },
  ];
}
