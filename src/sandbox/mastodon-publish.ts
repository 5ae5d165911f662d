/**
 * Mastodon publishing routes of the sandbox, per instance (./mastodon.ts INSTANCES), enforcing
 * docs/platforms/mastodon.md:
 * - POST /api/v2/media          multipart `file` (+ `description`); type from the bytes; over the
 *                               instance's image/video size -> 422; an image answers 200 with its url,
 *                               a video 202 with url null (processed in the background)
 * - GET  /api/v1/media/:id      206 while processing (publish config processingPolls), then 200 with url
 * - POST /api/v1/statuses       length counted independently of the client (graphemes of spoiler_text +
 *                               status; each http(s) URL = characters_reserved_per_url; @user@domain =
 *                               @user) against max_characters -> 422; unprocessed media -> 422; more
 *                               attachments than allowed -> 422; Idempotency-Key: the same key from the
 *                               same account within 1 hour returns the first status, nothing new.
 * - GET  /api/v1/statuses/:id   the status as stored (spoiler_text, visibility, media descriptions).
 * Paged lists (an account's statuses, followers): ./mastodon-paging.ts.
 */
import { HOUR } from '../core/clock.js';
import { listRoutes, storedStatuses } from './mastodon-paging.js';
import { json, type PlatformContext, type Route, type SandboxRequest, type SandboxResponse } from './common.js';
import { controlRoutes, maybeDrop, newId, parseMultipart, publishState, recordPost, stateOf } from './publish-common.js';
import { INSTANCES, mastodonAuth, type SandboxInstance } from './mastodon.js';

interface Media {
  id: string;
  account: string;
  instance: string;
  kind: 'image' | 'video';
  bytes: number;
  description?: string;
  polls: number;
}

const apiError = (status: number, error: string) => json(status, { error });
const IDEMPOTENCY_TTL = HOUR;

/** The media type from the first bytes, as the server does (not from the client's word). */
function sniff(b: Buffer): { kind: 'image' | 'video'; mime: string } | undefined {
  if (b[0] === 0xff && b[1] === 0xd8) return { kind: 'image', mime: 'image/jpeg' };
  if (b.subarray(0, 4).toString('hex') === '89504e47') return { kind: 'image', mime: 'image/png' };
  if (b.subarray(0, 3).toString('ascii') === 'GIF') return { kind: 'image', mime: 'image/gif' };
  if (b.subarray(0, 4).toString('ascii') === 'RIFF' && b.subarray(8, 12).toString('ascii') === 'WEBP') return { kind: 'image', mime: 'image/webp' };
  if (b.subarray(4, 8).toString('ascii') === 'ftyp') return { kind: 'video', mime: 'video/mp4' };
  return undefined;
}

/** The server's count, written apart from the client's (src/providers/mastodon-text.ts). */
export function serverLength(status: string, spoiler: string, reservedPerUrl: number): number {
  const replaced = status
    .replace(/https?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]'"]/giu, 'x'.repeat(reservedPerUrl))
    .replace(/(^|[^\p{L}\p{N}_/=])@([a-z0-9_]+(?:[a-z0-9_.-]*[a-z0-9_])?)@[\p{L}\p{N}_.-]*[\p{L}\p{N}_]/giu, '$1@$2');
  return [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(spoiler + replaced)].length;
}

function routesFor(ctx: PlatformContext, inst: SandboxInstance): Route[] {
  const P = inst.prefix;
  // Looked up on each use: a sandbox reset empties ctx.data.
  const media = { get: (id: string) => stateOf(ctx, 'mastodon.media', () => new Map<string, Media>()).get(id), set: (id: string, m: Media) => stateOf(ctx, 'mastodon.media', () => new Map<string, Media>()).set(id, m) };
  const keys = () => stateOf(ctx, 'mastodon.idempotency', () => new Map<string, { at: number; body: unknown }>());
  const statuses = () => storedStatuses(ctx);

  const upload = (req: SandboxRequest): SandboxResponse => {
    const a = mastodonAuth(ctx, req, inst);
    if ('response' in a) return a.response;
    if (!a.family.scopes.some((s) => s === 'write' || s === 'write:media')) return apiError(403, 'This action is outside the authorized scopes');
    const parts = parseMultipart(req.rawBody, String(req.headers['content-type'] ?? ''));
    const file = parts.get('file');
    if (!file?.length) return apiError(422, "Validation failed: File can't be blank");
    const type = sniff(file);
    if (!type) return apiError(422, 'Validation failed: File content type is invalid');
    const max = type.kind === 'image' ? inst.imageSizeLimit : inst.videoSizeLimit;
    if (file.length > max) return apiError(422, `Validation failed: File file size must be less than ${Math.round(max / 1024 / 1024)} MB`);
    const description = parts.get('description')?.toString('utf8');
    if (description && description.length > 1500) return apiError(422, 'Validation failed: Description is too long (maximum is 1500 characters)');
    const m: Media = { id: newId(ctx), account: a.family.account.name, instance: P, kind: type.kind, bytes: file.length, ...(description ? { description } : {}), polls: 0 };
    media.set(m.id, m);
    ctx.stats['mediaUploads'] = (ctx.stats['mediaUploads'] ?? 0) + 1;
    // Since 4.0 images are processed at once (200 with url); videos in the background (202, url null).
    if (type.kind === 'image') {
      m.polls = Number.POSITIVE_INFINITY;
      return json(200, { id: m.id, type: 'image', url: `https://sandbox.invalid/media/${m.id}`, preview_url: `https://sandbox.invalid/media/${m.id}/small`, description: description ?? null });
    }
    return json(202, { id: m.id, type: type.kind, url: null, preview_url: `https://sandbox.invalid/media/${m.id}/small`, description: description ?? null });
  };

  const ready = (m: Media) => m.polls >= publishState(ctx).config.processingPolls;

  const status = (req: SandboxRequest): SandboxResponse => {
    const a = mastodonAuth(ctx, req, inst);
    if ('response' in a) return a.response;
    const m = media.get(req.params.id ?? '');
    if (!m || m.account !== a.family.account.name || m.instance !== P) return apiError(404, 'Record not found');
    if (!ready(m)) {
      m.polls++;
      return json(206, { id: m.id, type: m.kind, url: null });
    }
    return json(200, { id: m.id, type: m.kind, url: `https://sandbox.invalid/media/${m.id}`, description: m.description ?? null });
  };

  const create = (req: SandboxRequest): SandboxResponse => {
    const a = mastodonAuth(ctx, req, inst);
    if ('response' in a) return a.response;
    const fam = a.family;
    if (!fam.scopes.some((s) => s === 'write' || s === 'write:statuses')) return apiError(403, 'This action is outside the authorized scopes');
    const key = req.headers['idempotency-key'];
    const slot = typeof key === 'string' && key ? `${P}:${fam.account.name}:${key}` : undefined;
    const seen = slot ? keys().get(slot) : undefined;
    if (seen && ctx.now() - seen.at < IDEMPOTENCY_TTL) return json(200, seen.body);
    const text = req.param('status') ?? '';
    const spoiler = req.param('spoiler_text') ?? '';
    const ids = req.form.getAll('media_ids[]');
    const visibility = req.param('visibility') ?? 'public';
    if (!text.trim() && !ids.length) return apiError(422, "Validation failed: Text can't be blank");
    if (!['public', 'unlisted', 'private', 'direct'].includes(visibility)) return apiError(422, 'Validation failed: Visibility is not included in the list');
    const length = serverLength(text, spoiler, inst.reservedPerUrl);
    if (length > inst.maxCharacters) return apiError(422, `Validation failed: Text character limit of ${inst.maxCharacters} exceeded`);
    if (ids.length > inst.maxAttachments) return apiError(422, `Validation failed: Media attachments cannot attach more than ${inst.maxAttachments} files`);
    const attached = ids.map((id) => media.get(id));
    if (attached.some((m) => !m || m.account !== fam.account.name || m.instance !== P)) return apiError(422, 'Validation failed: Media attachments are invalid');
    if (attached.some((m) => !ready(m!))) return apiError(422, 'Cannot attach files that have not finished processing. Try again in a moment!');
    if (attached.length > 1 && attached.some((m) => m!.kind === 'video')) return apiError(422, 'Validation failed: Media attachments cannot attach a video to a post that already contains images');
    const post = recordPost(ctx, fam, { text, kind: attached.length ? attached[0]!.kind : 'text', media: attached.map((m) => ({ bytes: m!.bytes })), privacy: visibility, ...(P ? { page: P } : {}) });
    if (!post) return apiError(429, 'Too many requests');
    const body = {
      id: post.id,
      uri: `https://sandbox.invalid/users/${fam.account.name}/statuses/${post.id}`,
      url: `https://sandbox.invalid/@${fam.account.name}/${post.id}`,
      content: `<p>${text}</p>`,
      spoiler_text: spoiler,
      sensitive: req.param('sensitive') === 'true' || Boolean(spoiler),
      visibility,
      language: req.param('language') ?? null,
      media_attachments: attached.map((m) => ({ id: m!.id, type: m!.kind, description: m!.description ?? null })),
      created_at: new Date(ctx.now()).toISOString(),
    };
    if (slot) keys().set(slot, { at: ctx.now(), body });
    statuses().set(post.id, { account: fam.account.name, accountId: fam.account.id, instance: P, body });
    return maybeDrop(ctx, req, json(200, body));
  };

  /** GET /api/v1/statuses/:id: the status as stored (own statuses only in the sandbox). */
  const show = (req: SandboxRequest): SandboxResponse => {
    const a = mastodonAuth(ctx, req, inst);
    if ('response' in a) return a.response;
    const s = statuses().get(req.params.id ?? '');
    if (!s || s.instance !== P || s.account !== a.family.account.name) return apiError(404, 'Record not found');
    return json(200, s.body);
  };

  return [
    { method: 'GET', path: `${P}/api/v1/statuses/:id`, handler: show },
    { method: 'POST', path: `${P}/api/v2/media`, maxBodyBytes: inst.videoSizeLimit + 1024 * 1024, handler: upload },
    { method: 'GET', path: `${P}/api/v1/media/:id`, handler: status },
    { method: 'POST', path: `${P}/api/v1/statuses`, handler: create },
  ];
}

export function createRoutes(ctx: PlatformContext): Route[] {
  return [...INSTANCES.flatMap((i) => routesFor(ctx, i)), ...listRoutes(ctx), ...controlRoutes(ctx)];
}
