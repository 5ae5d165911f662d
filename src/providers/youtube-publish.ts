/**
 * YouTube publishing: videos.insert through a resumable upload (./youtube-upload.ts).
 * Every rule here is written down, with its source, in docs/platforms/youtube.md.
 * - The session URI is saved as a checkpoint before any byte is sent, so a crash or a timeout
 *   resumes where Google stopped, or is reconciled by asking the session (never sent twice).
 * - An access token that expires during a long upload is renewed through ctx.tokens.
 * - Unverified API projects get videos locked private (#private-lock): reported as a note.
 */
import { ProviderError } from '../core/errors.js';
import type { PostDraft, Publisher, PublishResult, ReconcileResult, ValidationIssue } from './types.js';
import { codePoints, fmtBytes, isVideo, RenewableToken } from './upload.js';
import { checkChunkBytes, DEFAULT_CHUNK_BYTES, queryStatus, uploadResumable, type UploadJob } from './youtube-upload.js';

/** docs/platforms/youtube.md#metadata */
export const LIMITS = {
  titleChars: 100,
  descriptionBytes: 5000,
  tagsChars: 500,
  /** videos.insert mediaUpload.maxSize in the discovery document: 256 GiB. */
  fileBytes: 256 * 1024 ** 3,
} as const;
export const PRIVACY = ['public', 'unlisted', 'private'] as const;
const ANGLE = /[<>]/;

/** Tags from `--set youtube.tags=a,b`: comma-separated, blanks dropped. */
function tagsOf(p: PostDraft): string[] {
  return (p.options['tags'] ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}

/**
 * Characters the tags use against the 500 limit: commas between tags count, and a tag with a
 * space counts as if wrapped in quotation marks (docs/platforms/youtube.md#metadata).
 */
export function tagsLength(tags: string[]): number {
  if (!tags.length) return 0;
  return tags.reduce((n, t) => n + codePoints(t) + (/\s/.test(t) ? 2 : 0), 0) + tags.length - 1;
}

export function validate(p: PostDraft): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  if (p.media.length !== 1 || !p.media.every(isVideo)) out.push({ field: 'media', message: 'YouTube needs exactly one video file' });
  const title = p.title ?? '';
  if (!title.trim()) out.push({ field: 'title', message: 'YouTube needs a title (--title)' });
  else if (codePoints(title) > LIMITS.titleChars) out.push({ field: 'title', message: `YouTube titles are at most ${LIMITS.titleChars} characters; this one has ${codePoints(title)}` });
  if (ANGLE.test(title)) out.push({ field: 'title', message: 'YouTube titles cannot contain < or >' });
  const bytes = Buffer.byteLength(p.text);
  if (bytes > LIMITS.descriptionBytes) out.push({ field: 'text', message: `YouTube descriptions are at most ${LIMITS.descriptionBytes} bytes (UTF-8); this one has ${bytes}` });
  if (ANGLE.test(p.text)) out.push({ field: 'text', message: 'YouTube descriptions cannot contain < or >' });
  const tags = tagsOf(p);
  if (tagsLength(tags) > LIMITS.tagsChars) out.push({ field: 'tags', message: `YouTube tags are at most ${LIMITS.tagsChars} characters together (commas count, a tag with a space counts 2 more); these have ${tagsLength(tags)}` });
  if (tags.some((t) => ANGLE.test(t))) out.push({ field: 'tags', message: 'YouTube tags cannot contain < or >' });
  if (p.privacy !== undefined && !(PRIVACY as readonly string[]).includes(p.privacy)) out.push({ field: 'privacy', message: `YouTube privacy is one of ${PRIVACY.join(', ')}` });
  const kids = p.options['madeForKids'];
  if (kids !== undefined && kids !== 'true' && kids !== 'false') out.push({ field: 'madeForKids', message: 'youtube.madeForKids is true or false' });
  const cat = p.options['categoryId'];
  if (cat !== undefined && !/^\d+$/.test(cat)) out.push({ field: 'categoryId', message: 'youtube.categoryId is a number (a video category id)' });
  p.media.forEach((m, i) => {
    if (m.kind !== 'file') out.push({ field: `media[${i}]`, message: 'YouTube uploads from a local file' });
    if (m.size !== undefined && m.size > LIMITS.fileBytes) out.push({ field: `media[${i}]`, message: `YouTube limit is ${fmtBytes(LIMITS.fileBytes)}; this file is ${fmtBytes(m.size)}` });
    if (m.size === 0) out.push({ field: `media[${i}]`, message: 'the video file is empty' });
  });
  return out;
}

/** The video resource of videos.insert (parts snippet and status). */
export function videoResource(p: PostDraft): Record<string, unknown> {
  const tags = tagsOf(p);
  return {
    snippet: { title: p.title, description: p.text, ...(tags.length ? { tags } : {}), ...(p.options['categoryId'] ? { categoryId: p.options['categoryId'] } : {}) },
    status: { privacyStatus: p.privacy ?? 'private', selfDeclaredMadeForKids: p.options['madeForKids'] === 'true' },
  };
}

function result(body: unknown, p: PostDraft): PublishResult {
  const v = (body ?? {}) as { id?: string; status?: { privacyStatus?: string } };
  if (!v.id) throw new ProviderError('youtube: upload finished without a video id', { errorClass: 'transient' });
  const asked = p.privacy ?? 'private';
  const got = v.status?.privacyStatus;
  return {
    remoteId: v.id,
    url: `https://www.youtube.com/watch?v=${v.id}`,
    ...(got && got !== asked ? { note: `uploaded as ${got} (requested ${asked}); unverified API projects upload as private until audited` } : {}),
  };
}

/** The local file of a validated draft. */
function fileOf(p: PostDraft): UploadJob['file'] {
  const m = p.media[0]!;
  return { path: m.path!, size: m.size!, mime: m.mime };
}

/** `chunkBytes` other than the default is for tests (many chunks from a small file). */
export function createPublisher(o: { chunkBytes?: number } = {}): Publisher {
  const chunkBytes = checkChunkBytes(o.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  return {
    validate,
    async publish(p, t, d, ctx) {
      const video = await uploadResumable({ file: fileOf(p), resource: videoResource(p), d, ctx, token: new RenewableToken(t, ctx.tokens), chunkBytes });
      return result(video, p);
    },
    async reconcile(p, t, d, ctx): Promise<ReconcileResult> {
      const session = ctx.checkpoint['session'];
      if (!session) return { status: 'not_posted' };
      const s = await queryStatus({ d, file: fileOf(p), token: new RenewableToken(t, undefined) }, session);
      if (s.kind === 'done') return { status: 'published', result: result(s.video, p) };
      if (s.kind === 'rejected') throw s.error;
      if (s.kind === 'interrupted') throw new ProviderError(`youtube: could not ask the upload session: ${s.why}`, { errorClass: 'transient' });
      if (s.kind === 'expired') {
        // An unfinished upload whose session expired created no video: start over.
        const { session: _s, offset: _o, ...rest } = ctx.checkpoint;
        void _s, void _o;
        await ctx.saveCheckpoint(rest);
      }
      // Unfinished: publish resumes the same session from the server's offset.
      return { status: 'not_posted' };
    },
  };
}

export const publisher: Publisher = createPublisher();
