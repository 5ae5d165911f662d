/**
 * Mastodon publishing (docs/platforms/mastodon.md): statuses with text, a content warning, a
 * visibility and up to the server's number of images or videos with alt text.
 * - Limits come from the connection's own server (./mastodon-instance.ts), checked before anything
 *   is uploaded: characters (./mastodon-text.ts), attachments, image and video sizes (#instance-limits).
 * - Media: POST /api/v2/media (multipart `file`, `description` = alt text) answers 200 when the file
 *   is ready or 202 while it is processed; GET /api/v1/media/:id answers 206 until then (#media).
 * - POST /api/v1/statuses carries an `Idempotency-Key` kept in the checkpoint: sent again within
 *   the server's window (1 hour) it returns the status already made instead of a second one (#idempotency).
 */
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { hostUrl } from '../core/url.js';
import { ProviderError } from '../core/errors.js';
import { readJson } from '../core/http.js';
import { backoffDelay } from '../core/backoff.js';
import { HOUR, MINUTE } from '../core/clock.js';
import { mastodonFailure } from './mastodon.js';
import { fetchInstanceLimits, type InstanceLimits } from './mastodon-instance.js';
import { statusLength } from './mastodon-text.js';
import { fmtBytes, isVideo, streamUpload } from './upload.js';
import type { MediaRef, PostDraft, ProviderDeps, Publisher, ReconcileResult, TokenSet, ValidationIssue } from './types.js';

const VISIBILITIES = ['public', 'unlisted', 'private', 'direct'];
/** How long the server remembers an Idempotency-Key (#idempotency); a margin keeps us inside it. */
const IDEMPOTENCY_WINDOW_MS = HOUR;
const WINDOW_MARGIN_MS = 5 * MINUTE;
const MEDIA_POLLS = 60;

const spoilerOf = (p: PostDraft) => p.options.spoiler ?? p.options.cw ?? '';
/** Alt text of media `i`: option `alt<n>` (1-based, `--option alt2=...`), else `alt` (`--set mastodon.alt=...`) for every file. */
const altOf = (p: PostDraft, i: number): string | undefined => p.options[`alt${i + 1}`] ?? p.options.alt;

/** Pure checks that hold on every server (the server's own limits are checked by `checkAgainst`). */
export function validate(p: PostDraft): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  if (!p.text.trim() && !p.media.length) out.push({ field: 'text', message: 'Mastodon needs text or media' });
  if (p.privacy && !VISIBILITIES.includes(p.privacy)) out.push({ field: 'privacy', message: `Mastodon visibility is one of ${VISIBILITIES.join(', ')}` });
  if (p.options.sensitive !== undefined && !['true', 'false'].includes(p.options.sensitive)) out.push({ field: 'options.sensitive', message: 'mastodon.sensitive is true or false' });
  p.media.forEach((m, i) => {
    if (m.kind !== 'file') out.push({ field: `media[${i}]`, message: 'Mastodon uploads from a local file' });
  });
  if (p.media.length > 1 && p.media.some(isVideo)) out.push({ field: 'media', message: 'Mastodon attaches one video alone, or several images' });
  return out;
}

/** Pure: the draft against one server's limits, at their boundaries (docs/platforms/mastodon.md#text-length). */
export function checkAgainst(p: PostDraft, l: InstanceLimits): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const length = statusLength(p.text, spoilerOf(p), l.reservedPerUrl);
  if (length > l.maxCharacters) {
    out.push({ field: 'text', message: `this server allows ${l.maxCharacters} characters (content warning included, each link counts ${l.reservedPerUrl}); this post has ${length}` });
  }
  if (p.media.length > l.maxAttachments) out.push({ field: 'media', message: `this server allows ${l.maxAttachments} attachments; this post has ${p.media.length}` });
  p.media.forEach((m, i) => {
    const max = isVideo(m) ? l.videoSizeLimit : l.imageSizeLimit;
    if (m.size !== undefined && m.size > max) out.push({ field: `media[${i}]`, message: `this server takes ${isVideo(m) ? 'videos' : 'images'} up to ${fmtBytes(max)}; this file is ${fmtBytes(m.size)}` });
    if (l.supportedMimeTypes.length && !l.supportedMimeTypes.includes(m.mime)) out.push({ field: `media[${i}]`, message: `this server does not accept ${m.mime}` });
    const alt = altOf(p, i);
    if (alt !== undefined && alt.length > l.descriptionLimit) out.push({ field: `media[${i}]`, message: `this server allows alt text of ${l.descriptionLimit} characters; this one has ${alt.length}` });
  });
  return out;
}

const auth = (t: TokenSet) => ({ authorization: `Bearer ${t.accessToken}`, accept: 'application/json' });

/**
 * The multipart/form-data framing (RFC 7578) around the file: `description` first, then the head
 * of the `file` part; the file's bytes are streamed between `prefix` and `suffix`.
 */
function mediaForm(filename: string, mime: string, alt: string | undefined, boundary: string): { prefix: Buffer; suffix: Buffer; contentType: string } {
  const safeName = filename.replace(/["\r\n\\]/g, '_');
  const description = alt === undefined ? '' : `--${boundary}\r\nContent-Disposition: form-data; name="description"\r\n\r\n${alt}\r\n`;
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${safeName}"\r\nContent-Type: ${mime}\r\n\r\n`;
  return { prefix: Buffer.from(description + head), suffix: Buffer.from(`\r\n--${boundary}--\r\n`), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** POST /api/v2/media, the file streamed from disk (memory stays flat), then wait until the server has processed it (#media). */
async function uploadMedia(m: MediaRef, alt: string | undefined, t: TokenSet, d: ProviderDeps, onProgress?: (sent: number, total: number) => void): Promise<string> {
  const size = m.size ?? (await stat(m.path!)).size;
  const form = mediaForm(basename(m.path!), m.mime, alt, `socialync-${randomUUID()}`);
  const res = await streamUpload(d.http, hostUrl(d.hosts.api!, '/api/v2/media').toString(), {
    method: 'POST',
    headers: { ...auth(t), 'content-type': form.contentType },
    path: m.path!,
    start: 0,
    end: size - 1,
    envelope: { head: form.prefix, tail: form.suffix },
    ...(onProgress ? { onProgress } : {}),
  });
  if (res.status !== 200 && res.status !== 202) throw await mastodonFailure(res, d.clock.now(), 'media upload');
  const media = ((await readJson(res)) ?? {}) as { id?: string; url?: string | null };
  if (!media.id) throw new ProviderError('mastodon: media upload returned no id', { errorClass: 'transient' });
  if (res.status === 200 && media.url) return media.id;
  return waitProcessed(media.id, t, d);
}

/** GET /api/v1/media/:id: 206 while processing, 200 with `url` once ready. */
async function waitProcessed(id: string, t: TokenSet, d: ProviderDeps): Promise<string> {
  for (let n = 1; n <= MEDIA_POLLS; n++) {
    await d.clock.sleep(backoffDelay(n, { baseMs: 500, maxMs: 8_000 }));
    const res = await d.http.fetch(hostUrl(d.hosts.api!, `/api/v1/media/${encodeURIComponent(id)}`), { headers: auth(t) });
    if (res.status === 206) {
      await res.arrayBuffer();
      continue;
    }
    if (!res.ok) throw await mastodonFailure(res, d.clock.now(), 'media status');
    const media = ((await readJson(res)) ?? {}) as { url?: string | null };
    if (media.url) return id;
  }
  throw new ProviderError(`mastodon: media ${id} still processing after ${MEDIA_POLLS} checks`, { errorClass: 'transient' });
}

function statusBody(p: PostDraft, mediaIds: string[]): URLSearchParams {
  const b = new URLSearchParams();
  if (p.text) b.set('status', p.text);
  for (const id of mediaIds) b.append('media_ids[]', id);
  b.set('visibility', p.privacy ?? 'public');
  const spoiler = spoilerOf(p);
  if (spoiler) b.set('spoiler_text', spoiler);
  if (p.options.sensitive === 'true' || spoiler) b.set('sensitive', 'true');
  if (p.options.language) b.set('language', p.options.language);
  return b;
}

/** POST /api/v1/statuses with the Idempotency-Key: the same key within the window returns the same status. */
async function postStatus(p: PostDraft, mediaIds: string[], key: string, t: TokenSet, d: ProviderDeps): Promise<{ remoteId: string; url?: string }> {
  const res = await d.http.fetch(hostUrl(d.hosts.api!, '/api/v1/statuses'), {
    method: 'POST',
    headers: { ...auth(t), 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': key },
    body: statusBody(p, mediaIds),
  });
  if (!res.ok) throw await mastodonFailure(res, d.clock.now(), 'post status');
  const s = ((await readJson(res)) ?? {}) as { id?: string; url?: string | null; uri?: string };
  if (!s.id) throw new ProviderError('mastodon: post status returned no id', { errorClass: 'transient' });
  const url = s.url ?? s.uri;
  return { remoteId: s.id, ...(url ? { url } : {}) };
}

async function serverChecked(p: PostDraft, d: ProviderDeps): Promise<void> {
  const issues = checkAgainst(p, await fetchInstanceLimits(d));
  if (issues.length) throw new ProviderError(`mastodon (${new URL(d.hosts.api!).host}): ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, { errorClass: 'invalid_request' });
}

const mediaIdsOf = (cp: Record<string, string>): string[] => (cp.media ? cp.media.split(',').filter(Boolean) : []);

export const publisher: Publisher = {
  validate,
  async publish(p, t, d, ctx) {
    let cp = { ...ctx.checkpoint };
    if (!cp.sent) await serverChecked(p, d);
    const ids = mediaIdsOf(cp);
    for (let i = ids.length; i < p.media.length; i++) {
      ids.push(await uploadMedia(p.media[i]!, altOf(p, i), t, d, ctx.onProgress));
      cp = { ...cp, media: ids.join(',') };
      await ctx.saveCheckpoint(cp);
    }
    // The key goes to durable storage before the request: a retry sends the same one (#idempotency).
    cp = { ...cp, idempotencyKey: cp.idempotencyKey ?? randomUUID(), sent: cp.sent ?? String(d.clock.now()) };
    await ctx.saveCheckpoint(cp);
    return postStatus(p, ids, cp.idempotencyKey!, t, d);
  },
  async reconcile(p, t, d, ctx): Promise<ReconcileResult> {
    const cp = ctx.checkpoint;
    if (!cp.sent || !cp.idempotencyKey) return { status: 'not_posted' };
    // Within the window the same key cannot make a second status: it returns the first, or makes the only one.
    if (d.clock.now() - Number(cp.sent) < IDEMPOTENCY_WINDOW_MS - WINDOW_MARGIN_MS) {
      return { status: 'published', result: await postStatus(p, mediaIdsOf(cp), cp.idempotencyKey, t, d) };
    }
    return { status: 'unknown', reason: 'the status was sent more than an hour ago and the server remembers its Idempotency-Key for one hour only: look at the profile on the server before retrying' };
  },
};
