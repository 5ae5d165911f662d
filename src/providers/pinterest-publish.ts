/**
 * Pinterest pins (API v5). Rules: docs/platforms/pinterest.md (#boards, #pins, #video, #errors, #reconcile).
 * - Every pin goes to a board: `--board <name or id>` at schedule time (pinterest-boards.ts resolves it to the
 *   `board` option; `--set pinterest.board=<id>` sets the id directly).
 * - Image: `media_source` image_url (a public URL) or image_base64 (a local file, its Base64 streamed from
 *   the file into the JSON body: docs/platforms/pinterest.md#image-base64).
 * - Video (a local file; Pinterest takes no video URL): POST /v5/media {media_type: video} registers the
 *   upload -> POST the file to `upload_url` as multipart/form-data with every `upload_parameters` field
 *   and the file as `file` -> poll GET /v5/media/{id} until `succeeded` -> POST /v5/pins with
 *   media_source video_id (cover from the first frame).
 * - Title (100), description (the post text), alt text (500), link (2048).
 * The media id is saved before the upload and `sent` before the pin is created, so a lost answer is
 * reconciled from the board's pins instead of creating the pin twice.
 */
import { randomBytes } from 'node:crypto';
import { hostUrl } from '../core/url.js';
import { ProviderError } from '../core/errors.js';
import { readJson } from '../core/http.js';
import { BASE64_UPLOAD_HOLD_BYTES } from '../core/base64-stream.js';
import { uploadBuffers } from '../core/memory-budget.js';
import { callJson, parse } from './oauth.js';
import { classify } from './pinterest.js';
import { str } from './graph.js';
import { codePoints, isVideo, streamUpload, withRenewal, RenewableToken } from './upload.js';
import type { MediaRef, PostDraft, ProviderDeps, PublishContext, Publisher, ReconcileResult, TokenSet, ValidationIssue } from './types.js';

export const PIN_LIMITS = { title: 100, description: 500, altText: 500, link: 2048 } as const;
/** Media status checks: every 2 s, for at most 10 minutes (Pinterest documents no pace). */
export const MEDIA_PACE = { intervalMs: 2_000, maxChecks: 300 } as const;

export function validate(p: PostDraft): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const over = (field: string, value: string | undefined, max: number, what: string) => {
    if (value !== undefined && codePoints(value) > max) out.push({ field, message: `Pinterest ${what} is at most ${max} characters; this one has ${codePoints(value)}` });
  };
  if (!p.options.board) out.push({ field: 'board', message: 'Pinterest pins go to a board: add --board <name or id> (socialync api pinterest boards lists them)' });
  else if (!/^\d+$/.test(p.options.board)) out.push({ field: 'board', message: `a Pinterest board id is a number; got "${p.options.board}" (list them: socialync api pinterest boards)` });
  if (p.media.length !== 1) out.push({ field: 'media', message: 'a Pinterest pin needs exactly one image or video' });
  over('title', p.title, PIN_LIMITS.title, 'a pin title');
  over('text', p.text, PIN_LIMITS.description, 'a pin description');
  over('altText', p.options.altText, PIN_LIMITS.altText, 'alt text');
  if (p.options.link !== undefined) {
    if (!/^https?:\/\//.test(p.options.link)) out.push({ field: 'link', message: 'the pin link must start with http:// or https://' });
    else if (p.options.link.length > PIN_LIMITS.link) out.push({ field: 'link', message: `the pin link is at most ${PIN_LIMITS.link} characters` });
  }
  p.media.forEach((m, i) => {
    if (isVideo(m) && m.kind === 'url') out.push({ field: `media[${i}]`, message: 'Pinterest takes videos as uploads only: download the video and pass the file to --media' });
  });
  return out;
}

type Api = (path: string, what: string, body?: Record<string, unknown>) => Promise<Record<string, unknown>>;

function call(d: ProviderDeps, t: TokenSet, path: string, what: string, body?: Record<string, unknown>): Promise<Record<string, unknown>> {
  const init = body ? { method: 'POST', headers: { authorization: `Bearer ${t.accessToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) } : { headers: { authorization: `Bearer ${t.accessToken}` } };
  return callJson('pinterest', d.http, hostUrl(d.hosts.api, path), init, classify, { now: d.clock.now(), context: 'api', what });
}

/**
 * A local image pin: POST /v5/pins with media_source image_base64, the file's Base64 streamed from
 * the file between the JSON before and after `data` (docs/platforms/pinterest.md#image-base64), so a
 * burst of large images never sits in memory whole; what the request holds at once is taken from
 * the upload buffer budget (core/memory-budget.ts).
 */
async function createImagePin(p: PostDraft, m: MediaRef, token: RenewableToken, d: ProviderDeps): Promise<Record<string, unknown>> {
  const marker = `socialync-data-${randomBytes(9).toString('hex')}`;
  const envelope = jsonAround(pinBody(p, { source_type: 'image_base64', content_type: m.mime === 'image/png' ? 'image/png' : 'image/jpeg', data: marker }), marker);
  const send = (t: TokenSet) => uploadBuffers.use(BASE64_UPLOAD_HOLD_BYTES + envelope.head.length + envelope.tail.length, () => postStreamed(d, t, m, envelope));
  return withRenewal(token, send);
}

/** The JSON text of `body` split at the string value `marker`: the bytes before and after that value. */
function jsonAround(body: Record<string, unknown>, marker: string): { head: Buffer; tail: Buffer } {
  const parts = JSON.stringify(body).split(`"${marker}"`);
  if (parts.length !== 2) throw new Error('pinterest: the image data marker is not found once in the pin body');
  return { head: Buffer.from(`${parts[0]}"`), tail: Buffer.from(`"${parts[1]}`) };
}

async function postStreamed(d: ProviderDeps, t: TokenSet, m: MediaRef, envelope: { head: Buffer; tail: Buffer }): Promise<Record<string, unknown>> {
  const headers = { authorization: `Bearer ${t.accessToken}`, 'content-type': 'application/json' };
  const res = await streamUpload(d.http, hostUrl(d.hosts.api, '/v5/pins').toString(), { method: 'POST', headers, path: m.path!, start: 0, end: m.size! - 1, envelope, encoding: 'base64', timeoutMs: 10 * 60_000 });
  const r = await parse(res, 'pinterest', 'create pin');
  if (!r.ok) throw classify(r.status, r.body, r.headers, { now: d.clock.now(), context: 'api', what: 'create pin' });
  return (r.body ?? {}) as Record<string, unknown>;
}

/**
 * Registers the upload and sends the file, unless a previous attempt finished sending it (a registration
 * whose upload did not finish is simply replaced), then waits for `succeeded`.
 */
async function uploadVideo(m: MediaRef, api: Api, d: ProviderDeps, ctx: PublishContext): Promise<string> {
  const mediaId = ctx.checkpoint.uploaded ? (ctx.checkpoint.mediaId as string) : await registerAndSend(m, api, d, ctx);
  for (let i = 0; i < MEDIA_PACE.maxChecks; i++) {
    const status = str((await api(`/v5/media/${mediaId}`, 'video status')).status);
    if (status === 'succeeded') return mediaId;
    if (status === 'failed') {
      const { mediaId: _m, uploaded: _u, ...rest } = ctx.checkpoint;
      void _m;
      void _u;
      await ctx.saveCheckpoint(rest);
      throw new ProviderError('pinterest: Pinterest could not process the video (media status failed); check it against docs/platforms/media-limits.md#pinterest', { errorClass: 'invalid_request', platformCode: 'failed' });
    }
    await d.clock.sleep(MEDIA_PACE.intervalMs);
  }
  throw new ProviderError('pinterest: the video is still processing; checked again at the next attempt', { errorClass: 'transient', platformCode: 'processing' });
}

async function registerAndSend(m: MediaRef, api: Api, d: ProviderDeps, ctx: PublishContext): Promise<string> {
  const reg = await api('/v5/media', 'register video upload', { media_type: 'video' });
  const mediaId = str(reg.media_id);
  const url = str(reg.upload_url);
  if (!mediaId || !url) throw new ProviderError('pinterest: the media registration returned no media_id or upload_url', { errorClass: 'transient' });
  await ctx.saveCheckpoint({ ...ctx.checkpoint, mediaId });
  await sendFile(url, (reg.upload_parameters ?? {}) as Record<string, unknown>, m, d, ctx);
  await ctx.saveCheckpoint({ ...ctx.checkpoint, mediaId, uploaded: '1' });
  return mediaId;
}

/** multipart/form-data: every upload parameter, then the file as `file` (streamed). */
async function sendFile(url: string, params: Record<string, unknown>, m: MediaRef, d: ProviderDeps, ctx: PublishContext): Promise<void> {
  const boundary = `socialync${randomBytes(12).toString('hex')}`;
  const fields = Object.entries(params).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${String(v)}\r\n`).join('');
  const head = Buffer.from(`${fields}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="video"\r\nContent-Type: ${m.mime}\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const res = await streamUpload(d.http, url, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, path: m.path!, start: 0, end: m.size! - 1, envelope: { head, tail }, ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}) });
  if (!res.ok) {
    const body = await readJson(res).catch(() => undefined);
    throw classify(res.status, body, res.headers, { now: d.clock.now(), context: 'api', what: 'video upload' });
  }
}

function pinBody(p: PostDraft, source: Record<string, unknown>): Record<string, unknown> {
  return {
    board_id: p.options.board,
    media_source: source,
    ...(p.title ? { title: p.title } : {}),
    ...(p.text ? { description: p.text } : {}),
    ...(p.options.altText ? { alt_text: p.options.altText } : {}),
    ...(p.options.link ? { link: p.options.link } : {}),
  };
}

const pinUrl = (id: string) => `https://www.pinterest.com/pin/${id}/`;

export const publisher: Publisher = {
  validate,
  async publish(p, t, d, ctx) {
    const token = new RenewableToken(t, ctx.tokens);
    const api: Api = (path, what, body) => withRenewal(token, (tk) => call(d, tk, path, what, body));
    const m = p.media[0]!;
    const video = isVideo(m) ? { source_type: 'video_id', media_id: await uploadVideo(m, api, d, ctx), cover_image_key_frame_time: 0 } : undefined;
    await ctx.saveCheckpoint({ ...ctx.checkpoint, sent: String(d.clock.now()) });
    const pin = video || m.kind === 'url' ? await api('/v5/pins', 'create pin', pinBody(p, video ?? { source_type: 'image_url', url: m.url })) : await createImagePin(p, m, token, d);
    const id = str(pin.id);
    if (!id) throw new ProviderError('pinterest: the pin was created without an id in the answer', { errorClass: 'transient' });
    return { remoteId: id, url: pinUrl(id) };
  },
  reconcile,
};

/**
 * After a lost answer (docs/platforms/pinterest.md#reconcile): never sent → not posted; otherwise the
 * board's newest pins are searched for this title and description; not found stays unknown.
 */
async function reconcile(p: PostDraft, t: TokenSet, d: ProviderDeps, ctx: PublishContext): Promise<ReconcileResult> {
  if (!ctx.checkpoint.sent) return { status: 'not_posted' };
  const list = await call(d, t, `/v5/boards/${p.options.board}/pins?page_size=25`, 'board pins').catch(() => undefined);
  if (!list) return { status: 'unknown', reason: 'the board could not be read' };
  const since = Number(ctx.checkpoint.sent) - 60_000;
  const hit = ((list.items ?? []) as { id: string; title?: string | null; description?: string | null; created_at?: string }[]).find(
    (x) => (x.description ?? '') === p.text && (x.title ?? '') === (p.title ?? '') && Date.parse(x.created_at ?? '') >= since,
  );
  // Not found is not proof (the list may lag behind the write): never sent again without a person deciding.
  return hit ? { status: 'published', result: { remoteId: hit.id, url: pinUrl(hit.id) } } : { status: 'unknown', reason: 'no pin with this title and description on the board since the attempt' };
}
