/**
 * Bluesky PDS routes of the sandbox (docs/platforms/bluesky.md#posts): every call needs
 * `Authorization: DPoP <token>` and a DPoP proof with `ath` and the current nonce (a missing
 * nonce: 401 `WWW-Authenticate: DPoP error="use_dpop_nonce"`). Records are checked as the
 * lexicons say: text <= 300 graphemes and 3000 bytes, facets inside the text's UTF-8 bytes,
 * up to 4 images (each blob <= 2,000,000 bytes, `alt` required), one mp4 video <= 100,000,000
 * bytes; record keys are TIDs and a key is written once.
 */
import { createHash } from 'node:crypto';
import { json, type PlatformContext, type Route, type SandboxRequest, type SandboxResponse } from './common.js';
import type { Family } from './families.js';
import { controlRoutes, maybeDrop, recordPost, stateOf } from './publish-common.js';
import { didOf, dpopOf, handleOf, originOf } from './bluesky.js';
import { serviceAuth, videoRoutes } from './bluesky-video.js';

const POST = 'app.bsky.feed.post';
const IMAGE_MAX = 2_000_000;
const VIDEO_MAX = 100_000_000;
const BLOB_UPLOAD_MAX = VIDEO_MAX + 1;
const TID = /^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/;

interface StoredBlob { mime: string; size: number }
interface BlueskyState { blobs: Map<string, StoredBlob>; records: Map<string, { uri: string; cid: string; value: Record<string, unknown> }> }
/** The PDS's blobs and records (the video service stores processed videos here too). */
export const pdsState = (ctx: PlatformContext) => stateOf<BlueskyState>(ctx, 'bluesky', () => ({ blobs: new Map(), records: new Map() }));

const xrpcErr = (status: number, error: string, message: string, headers: Record<string, string> = {}) => json(status, { error, message }, headers);

/** Resource-server DPoP check: the token must be DPoP-bound to the proof's key. */
function requireSession(ctx: PlatformContext, req: SandboxRequest): { family: Family } | SandboxResponse {
  const dpop = dpopOf(ctx);
  const auth = req.headers.authorization ?? '';
  const m = /^DPoP (.+)$/.exec(auth);
  if (!m) return xrpcErr(401, 'InvalidToken', 'DPoP-bound access token required', { 'www-authenticate': 'DPoP error="invalid_token"' });
  const proof = dpop.check(req, originOf(req), m[1]!);
  if (!proof.ok) {
    const headers = { 'www-authenticate': `DPoP error="${proof.error}", error_description="${proof.message}"`, 'dpop-nonce': dpop.nonce() };
    return xrpcErr(proof.error === 'use_dpop_nonce' ? 401 : 400, proof.error, proof.message, headers);
  }
  const c = ctx.families.checkAccess(m[1]);
  if (!c.ok) {
    const code = c.error === 'expired' ? 'ExpiredToken' : 'InvalidToken';
    return xrpcErr(401, code, c.error === 'revoked' ? 'Token has been revoked' : 'Token is invalid or expired', { 'www-authenticate': `DPoP error="invalid_token"`, 'dpop-nonce': dpop.nonce() });
  }
  if (c.family.data['jkt'] !== proof.jkt) return xrpcErr(401, 'InvalidToken', 'DPoP key does not match the token', { 'www-authenticate': 'DPoP error="invalid_token"' });
  return { family: c.family };
}

const withNonce = (ctx: PlatformContext, r: SandboxResponse): SandboxResponse => ({ ...r, headers: { ...r.headers, 'dpop-nonce': dpopOf(ctx).nonce() } });

const graphemes = (s: string) => [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(s)].length;

/** Lexicon checks of app.bsky.feed.post (docs/platforms/bluesky.md#posts); the message, or undefined when valid. */
function invalidPost(r: Record<string, unknown>, blobs: Map<string, StoredBlob>): string | undefined {
  const text = typeof r['text'] === 'string' ? r['text'] : undefined;
  if (text === undefined) return 'Record/text is required';
  if (graphemes(text) > 300) return 'Record/text must not be longer than 300 graphemes';
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > 3000) return 'Record/text must not be longer than 3000 characters';
  if (typeof r['createdAt'] !== 'string' || Number.isNaN(Date.parse(r['createdAt']))) return 'Record/createdAt must be a valid datetime';
  for (const f of (r['facets'] as { index?: { byteStart?: number; byteEnd?: number } }[] | undefined) ?? []) {
    const s = f.index?.byteStart ?? -1;
    const e = f.index?.byteEnd ?? -1;
    if (s < 0 || e <= s || e > bytes) return 'Record/facets: index outside the text';
  }
  const embed = r['embed'] as Record<string, unknown> | undefined;
  if (!embed) return undefined;
  const blobOf = (b: unknown): StoredBlob | undefined => blobs.get(String((b as { ref?: { $link?: string } })?.ref?.$link));
  if (embed['$type'] === 'app.bsky.embed.images') {
    const images = (embed['images'] as { image?: unknown; alt?: unknown }[]) ?? [];
    if (images.length > 4) return 'Record/embed/images must not have more than 4 elements';
    for (const [i, im] of images.entries()) {
      if (typeof im.alt !== 'string') return `Record/embed/images/${i} must have the property "alt"`;
      const b = blobOf(im.image);
      if (!b) return `Record/embed/images/${i}/image: blob not found`;
      if (!b.mime.startsWith('image/')) return `Record/embed/images/${i}/image has the wrong mime type`;
      if (b.size > IMAGE_MAX) return `Record/embed/images/${i}/image is too big (${b.size} > ${IMAGE_MAX} bytes)`;
    }
    return undefined;
  }
  if (embed['$type'] === 'app.bsky.embed.video') {
    const b = blobOf(embed['video']);
    if (!b) return 'Record/embed/video: blob not found';
    if (b.mime !== 'video/mp4') return 'Record/embed/video/video must be video/mp4';
    if (b.size > VIDEO_MAX) return `Record/embed/video/video is too big (${b.size} > ${VIDEO_MAX} bytes)`;
    if (typeof embed['alt'] === 'string' && graphemes(embed['alt']) > 1000) return 'Record/embed/video/alt must not be longer than 1000 graphemes';
    return undefined;
  }
  return `Record/embed: unsupported type ${String(embed['$type'])}`;
}

export function createRoutes(ctx: PlatformContext): Route[] {
  const authed = (handler: (req: SandboxRequest, family: Family) => SandboxResponse | Promise<SandboxResponse>) => async (req: SandboxRequest) => {
    const s = requireSession(ctx, req);
    if (!('family' in s)) return s;
    return withNonce(ctx, await handler(req, s.family));
  };
  return [
    ...controlRoutes(ctx),
    ...videoRoutes(ctx),
    { method: 'GET', path: '/xrpc/com.atproto.server.getServiceAuth', handler: authed((req, f) => serviceAuth(ctx, req, f)) },
    { method: 'GET', path: '/xrpc/com.atproto.server.getSession', handler: authed((_req, f) => json(200, { did: didOf(f.account.name), handle: handleOf(f.account.name), active: true })) },
    {
      method: 'POST',
      path: '/xrpc/com.atproto.repo.uploadBlob',
      maxBodyBytes: BLOB_UPLOAD_MAX,
      handler: authed((req) => {
        const mime = String(req.headers['content-type'] ?? '');
        if (!mime || !req.rawBody.length) return xrpcErr(400, 'InvalidRequest', 'blob required');
        const cid = `bafkrei${createHash('sha256').update(req.rawBody).digest('hex').slice(0, 52)}`;
        pdsState(ctx).blobs.set(cid, { mime, size: req.rawBody.length });
        return json(200, { blob: { $type: 'blob', ref: { $link: cid }, mimeType: mime, size: req.rawBody.length } });
      }),
    },
    {
      method: 'POST',
      path: '/xrpc/com.atproto.repo.createRecord',
      handler: authed((req, f) => {
        const b = (req.json ?? {}) as { repo?: string; collection?: string; rkey?: string; record?: Record<string, unknown> };
        const did = didOf(f.account.name);
        if (b.repo !== did && b.repo !== handleOf(f.account.name)) return xrpcErr(400, 'InvalidRequest', 'Invalid repo');
        if (b.collection !== POST || !b.record) return xrpcErr(400, 'InvalidRequest', 'only app.bsky.feed.post records here');
        const rkey = b.rkey ?? '';
        if (!TID.test(rkey)) return xrpcErr(400, 'InvalidRequest', 'rkey must be a TID');
        const st = pdsState(ctx);
        const uri = `at://${did}/${POST}/${rkey}`;
        if (st.records.has(uri)) return xrpcErr(400, 'InvalidRequest', 'Record already exists');
        const invalid = invalidPost(b.record, st.blobs);
        if (invalid) return xrpcErr(400, 'InvalidRequest', `Invalid app.bsky.feed.post record: ${invalid}`);
        const cid = `bafyrei${createHash('sha256').update(JSON.stringify(b.record)).digest('hex').slice(0, 52)}`;
        st.records.set(uri, { uri, cid, value: b.record });
        const embed = b.record['embed'] as { $type?: string; images?: { image?: unknown }[]; video?: unknown } | undefined;
        const kind = embed?.$type === 'app.bsky.embed.video' ? 'video' : embed?.$type === 'app.bsky.embed.images' ? 'image' : 'text';
        // What the post carries, in bytes of the stored blobs (tests compare them with the files).
        const sizeOf = (blob: unknown) => ({ bytes: st.blobs.get(String((blob as { ref?: { $link?: string } })?.ref?.$link))?.size ?? 0 });
        const media = kind === 'video' ? [sizeOf(embed?.video)] : (embed?.images ?? []).map((im) => sizeOf(im.image));
        recordPost(ctx, f, { text: String(b.record['text']), kind, media }, uri);
        return maybeDrop(ctx, req, json(200, { uri, cid, validationStatus: 'valid' }));
      }),
    },
    {
      method: 'GET',
      path: '/xrpc/com.atproto.repo.getRecord',
      handler: authed((req) => {
        const uri = `at://${req.query.get('repo')}/${req.query.get('collection')}/${req.query.get('rkey')}`;
        const rec = pdsState(ctx).records.get(uri);
        return rec ? json(200, rec) : xrpcErr(400, 'RecordNotFound', `Could not locate record: ${uri}`);
      }),
    },
  ];
}
