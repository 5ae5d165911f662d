/**
 * Bluesky publishing (docs/platforms/bluesky.md#posts): an app.bsky.feed.post record created
 * with com.atproto.repo.createRecord on the account's PDS. Text is at most 300 graphemes (and
 * 3000 UTF-8 bytes); links, mentions and hashtags become facets with UTF-8 byte offsets
 * (@atproto/api RichText). Images (up to 4, alt text each) and one mp4 video are uploaded with
 * com.atproto.repo.uploadBlob and embedded (docs/platforms/bluesky.md#media).
 * Never twice: the record key (a TID) is chosen and checkpointed before createRecord, so a lost
 * answer is reconciled by reading that exact record (docs/platforms/bluesky.md#reconcile).
 */
import { readFile } from 'node:fs/promises';
import { ProviderError } from '../core/errors.js';
import type { MediaRef, PostDraft, ProviderDeps, PublishContext, Publisher, ReconcileResult, ValidationIssue } from './types.js';
import { IMAGE_MAX_BYTES, MAX_IMAGES, VIDEO_MAX_BYTES } from './bluesky-media.js';
import { resourceCall, resourceSession, xrpcError, type XrpcInit } from './bluesky-session.js';
import { fmtBytes, isImage, isVideo, notSentYet, RenewableToken, withRenewal } from './upload.js';
import { uploadVideo, type Blob } from './bluesky-video.js';

export const MAX_GRAPHEMES = 300;
const MAX_TEXT_BYTES = 3000;
const VIDEO_ALT_MAX_GRAPHEMES = 1000;

/** Grapheme count as the lexicon validator counts it (Intl.Segmenter, as @atproto/lex-data does). */
export const graphemes = (s: string) => [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(s)].length;
const POST = 'app.bsky.feed.post';

/** Alt text of media `i` (0-based): `--set bluesky.alt=...` for the first, `alt_2` ... `alt_4` for the next. */
const altOf = (p: PostDraft, i: number) => p.options[i === 0 ? 'alt' : `alt_${i + 1}`] ?? '';

export function validate(p: PostDraft): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const count = graphemes(p.text);
  const bytes = Buffer.byteLength(p.text, 'utf8');
  if (!p.text.trim() && !p.media.length) out.push({ field: 'text', message: 'Bluesky needs text or media' });
  if (count > MAX_GRAPHEMES) out.push({ field: 'text', message: `Bluesky allows ${MAX_GRAPHEMES} characters (graphemes); this text has ${count}: shorten it (or --set bluesky.text="...")` });
  else if (bytes > MAX_TEXT_BYTES) out.push({ field: 'text', message: `Bluesky allows ${MAX_TEXT_BYTES} bytes of text; this text has ${bytes}` });
  out.push(...mediaIssues(p));
  return out;
}

function mediaIssues(p: PostDraft): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const images = p.media.filter(isImage);
  const videos = p.media.filter(isVideo);
  if (videos.length > 1 || (videos.length && images.length)) out.push({ field: 'media', message: 'Bluesky takes one video, or up to 4 images, per post (not both)' });
  if (images.length > MAX_IMAGES) out.push({ field: 'media', message: `Bluesky takes at most ${MAX_IMAGES} images per post; this post has ${images.length}` });
  p.media.forEach((m, i) => {
    const field = `media[${i}]`;
    if (m.kind !== 'file' || !m.path) out.push({ field, message: 'Bluesky uploads local files only (uploadBlob): give a file path' });
    if (!isImage(m) && !isVideo(m)) out.push({ field, message: `Bluesky takes images and mp4 video, not ${m.mime}` });
    if (isVideo(m) && m.mime !== 'video/mp4') out.push({ field, message: `Bluesky videos must be mp4, not ${m.mime}` });
    const max = isVideo(m) ? VIDEO_MAX_BYTES : IMAGE_MAX_BYTES;
    if (m.size !== undefined && m.size > max) out.push({ field, message: `Bluesky takes ${isVideo(m) ? 'videos' : 'images'} up to ${fmtBytes(max)} (${max} bytes); this one is ${m.size} bytes` });
    if (isVideo(m) && graphemes(altOf(p, i)) > VIDEO_ALT_MAX_GRAPHEMES) out.push({ field, message: `Bluesky video alt text is at most ${VIDEO_ALT_MAX_GRAPHEMES} characters` });
  });
  return out;
}

const S32 = '234567abcdefghijklmnopqrstuvwxyz';
/** A record key in the TID format (docs/platforms/bluesky.md#reconcile): 13 base32-sortable characters of microseconds and a clock id. */
function tid(nowMs: number, clockId: number): string {
  let v = ((BigInt(nowMs) * 1000n) << 10n) | BigInt(clockId & 1023);
  let s = '';
  for (let i = 0; i < 13; i++, v >>= 5n) s = S32[Number(v & 31n)] + s;
  return s;
}

const postUrl = (did: string, rkey: string) => `https://bsky.app/profile/${did}/post/${rkey}`;

/** A missing or unreadable file surfaces as Node's error (with its path): a local file error. */
const readMedia = (m: MediaRef): Promise<Buffer> => readFile(m.path!);


/**
 * A PDS call with the publish's current token. A refused token (401: the 15-60 minute access
 * token lapsed during a long upload) means nothing was written: renewed once through the refresh
 * lock (ctx.tokens), the same call goes again (docs/platforms/bluesky.md#errors).
 */
const pdsCall = (token: RenewableToken, d: ProviderDeps, nsid: string, what: string, init: XrpcInit) => withRenewal(token, (cur) => resourceCall(cur, d, 'POST', nsid, what, init));

async function uploadImage(m: MediaRef, token: RenewableToken, d: ProviderDeps): Promise<Blob> {
  const data = await readMedia(m);
  const body = (await pdsCall(token, d, 'com.atproto.repo.uploadBlob', `upload ${m.path}`, { bytes: { data, mime: m.mime } })) as { blob?: Blob };
  if (!body.blob) throw new ProviderError('bluesky: uploadBlob returned no blob', { errorClass: 'transient' });
  return body.blob;
}

/** Uploads each media once: a blob already uploaded by an earlier attempt is in the checkpoint. */
async function uploadAll(p: PostDraft, token: RenewableToken, d: ProviderDeps, ctx: PublishContext): Promise<Blob[]> {
  const blobs: Blob[] = [];
  const total = p.media.reduce((n, m) => n + (m.size ?? 0), 0);
  let sent = 0;
  for (const [i, m] of p.media.entries()) {
    const saved = ctx.checkpoint[`blob${i}`];
    if (saved) {
      blobs.push(JSON.parse(saved) as Blob);
      continue;
    }
    // Videos go through the video service (processed before the post appears), images to the PDS.
    const blob = isVideo(m) ? await uploadVideo(m, i, () => readMedia(m), token, d, ctx) : await uploadImage(m, token, d);
    blobs.push(blob);
    await ctx.saveCheckpoint({ ...ctx.checkpoint, [`blob${i}`]: JSON.stringify(blob) });
    sent += m.size ?? 0;
    ctx.onProgress?.(sent, total);
  }
  return blobs;
}

function embedOf(p: PostDraft, blobs: Blob[]): Record<string, unknown> | undefined {
  if (!blobs.length) return undefined;
  const ratio = (m: MediaRef) => (m.probe?.width && m.probe.height ? { aspectRatio: { width: m.probe.width, height: m.probe.height } } : {});
  if (isVideo(p.media[0]!)) return { $type: 'app.bsky.embed.video', video: blobs[0], alt: altOf(p, 0), ...ratio(p.media[0]!) };
  return { $type: 'app.bsky.embed.images', images: blobs.map((b, i) => ({ image: b, alt: altOf(p, i), ...ratio(p.media[i]!) })) };
}

export const publisher: Publisher = {
  validate,
  async publish(p, t, d, ctx) {
    const issues = validate(p);
    if (issues.length) throw new ProviderError(`bluesky: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, { errorClass: 'invalid_request' });
    const did = t.extra?.['sub'] ?? ctx.account.id;
    const token = new RenewableToken(t, ctx.tokens);
    const { Agent, RichText } = await import('@atproto/api');
    const rt = new RichText({ text: p.text });
    // Mentions are resolved to DIDs through the PDS; an unknown handle stays plain text.
    await rt.detectFacets(new Agent(await resourceSession(t, d)));
    const blobs = await uploadAll(p, token, d, ctx);
    const rkey = ctx.checkpoint['rkey'] ?? tid(d.clock.now(), Number.parseInt(ctx.account.id.slice(-3), 36) || 0);
    await ctx.saveCheckpoint({ ...ctx.checkpoint, rkey, sent: String(d.clock.now()) });
    const embed = embedOf(p, blobs);
    const record = { $type: POST, text: rt.text, ...(rt.facets?.length ? { facets: rt.facets } : {}), ...(embed ? { embed } : {}), createdAt: new Date(d.clock.now()).toISOString() };
    const res = (await pdsCall(token, d, 'com.atproto.repo.createRecord', 'create post', { json: { repo: did, collection: POST, rkey, record } })) as { uri?: string };
    return { remoteId: res.uri ?? `at://${did}/${POST}/${rkey}`, url: postUrl(did, rkey) };
  },
  async reconcile(_p, t, d, ctx): Promise<ReconcileResult> {
    const early = notSentYet(ctx);
    if (early) return early;
    const rkey = ctx.checkpoint['rkey'];
    if (!rkey) return { status: 'unknown', reason: 'no record key was saved before the post was sent' };
    const did = t.extra?.['sub'] ?? ctx.account.id;
    const session = await resourceSession(t, d);
    const res = await session.fetchHandler(`/xrpc/com.atproto.repo.getRecord?${new URLSearchParams({ repo: did, collection: POST, rkey })}`, { method: 'GET' });
    if (res.ok) {
      const body = (await res.json()) as { uri?: string };
      return { status: 'published', result: { remoteId: body.uri ?? `at://${did}/${POST}/${rkey}`, url: postUrl(did, rkey) } };
    }
    const err = await xrpcError(res, 'find the post', d);
    // The PDS answers RecordNotFound for a key never written: the create did not happen.
    if (err.platformCode === 'RecordNotFound') return { status: 'not_posted' };
    throw err;
  },
};
