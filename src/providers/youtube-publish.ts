/**
 * YouTube publishing: resumable upload (videos.insert, uploadType=resumable).
 * Docs: https://developers.google.com/youtube/v3/guides/using_resumable_upload_protocol
 * - The session URI (Location of the initiating POST) is saved as a checkpoint before any byte
 *   is sent, so a crash or a 5xx resumes where Google stopped: an empty PUT with
 *   `Content-Range: bytes *\/TOTAL` answers 308 with
 *   `Range: bytes=0-N` (continue at N+1), 200/201 with the video (already complete), or 404
 *   (session expired: start over; an incomplete upload created no video).
 * - Chunks are multiples of 256 KiB except the last; bodies stream from disk (memory stays flat).
 * - Unverified API projects get videos locked private (platforms.md §2.4): reported as a note.
 */
import { ProviderError } from '../core/errors.js';
import { readJson, retryAfterMs, type Response } from '../core/http.js';
import type { PostDraft, ProviderDeps, PublishContext, PublishResult, Publisher, ReconcileResult, TokenSet, ValidationIssue } from './types.js';
import { httpError, isVideo, streamUpload } from './upload.js';
import { classify } from './youtube.js';

const CHUNK = 256 * 1024 * 256; // 64 MiB, a multiple of 256 KiB
const PRIVACY = ['public', 'unlisted', 'private'];
const MAX_RESUMES = 5;

export function validate(p: PostDraft): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const videos = p.media.filter(isVideo);
  if (videos.length !== 1 || p.media.length !== 1) out.push({ field: 'media', message: 'YouTube needs exactly one video file' });
  if (!p.title?.trim()) out.push({ field: 'title', message: 'YouTube needs a title (--title)' });
  else if ([...p.title].length > 100) out.push({ field: 'title', message: 'YouTube titles are at most 100 characters' });
  if (/[<>]/.test(p.title ?? '') || /[<>]/.test(p.text)) out.push({ field: 'title', message: 'YouTube does not allow < or > in titles and descriptions' });
  if (Buffer.byteLength(p.text) > 5000) out.push({ field: 'text', message: 'YouTube descriptions are at most 5000 bytes' });
  if (p.privacy && !PRIVACY.includes(p.privacy)) out.push({ field: 'privacy', message: `YouTube privacy is one of ${PRIVACY.join(', ')}` });
  p.media.forEach((m, i) => {
    if (m.kind !== 'file') out.push({ field: `media[${i}]`, message: 'YouTube uploads from a local file' });
  });
  return out;
}

const auth = (t: TokenSet) => ({ authorization: `Bearer ${t.accessToken}` });

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

async function startSession(p: PostDraft, t: TokenSet, d: ProviderDeps): Promise<string> {
  const m = p.media[0]!;
  const u = new URL('/upload/youtube/v3/videos', d.hosts.api!);
  u.searchParams.set('uploadType', 'resumable');
  u.searchParams.set('part', 'snippet,status');
  const res = await d.http.fetch(u, {
    method: 'POST',
    headers: { ...auth(t), 'content-type': 'application/json; charset=UTF-8', 'x-upload-content-length': String(m.size), 'x-upload-content-type': m.mime },
    body: JSON.stringify({
      snippet: { title: p.title, description: p.text, ...(p.options.categoryId ? { categoryId: p.options.categoryId } : {}) },
      status: { privacyStatus: p.privacy ?? 'private', selfDeclaredMadeForKids: p.options.madeForKids === 'true' },
    }),
  });
  if (!res.ok) throw await httpError('start upload', res, d.clock.now(), classify);
  await res.arrayBuffer();
  const loc = res.headers.get('location');
  if (!loc) throw new ProviderError('youtube: the upload session has no Location', { errorClass: 'transient' });
  return new URL(loc, d.hosts.api!).toString();
}

type Probe = { done: true; body: unknown } | { done: false; offset: number } | { expired: true };

/** Asks the session how much it holds (empty PUT with Content-Range: bytes *\/TOTAL). */
async function probe(session: string, total: number, t: TokenSet, d: ProviderDeps): Promise<Probe> {
  const res = await d.http.fetch(session, { method: 'PUT', headers: { ...auth(t), 'content-range': `bytes */${total}`, 'content-length': '0' } });
  return readProbe(res, d);
}

async function readProbe(res: Response, d: ProviderDeps): Promise<Probe> {
  if (res.status === 200 || res.status === 201) return { done: true, body: await readJson(res) };
  if (res.status === 308) {
    await res.arrayBuffer();
    const m = /bytes=0-(\d+)/.exec(res.headers.get('range') ?? '');
    return { done: false, offset: m ? Number(m[1]) + 1 : 0 };
  }
  if (res.status === 404 || res.status === 410) {
    await res.arrayBuffer();
    return { expired: true };
  }
  throw await httpError('upload', res, d.clock.now(), classify);
}

export const publisher: Publisher = {
  validate,
  async publish(p, t, d, ctx: PublishContext) {
    const m = p.media[0]!;
    const total = m.size!;
    let session: string | undefined = ctx.checkpoint.session;
    let offset = 0;
    if (session) {
      const s = await probe(session, total, t, d);
      if ('expired' in s) session = undefined;
      else if (s.done) return result(s.body, p);
      else offset = s.offset;
    }
    if (!session) {
      session = await startSession(p, t, d);
      // Saved before the first byte: from here on a crash is resumed or reconciled, never re-sent.
      await ctx.saveCheckpoint({ ...ctx.checkpoint, session, sent: String(d.clock.now()) });
      offset = 0;
    }
    let resumes = 0;
    for (;;) {
      const end = Math.min(total, offset + CHUNK) - 1;
      let s: Probe;
      try {
        const res = await streamUpload(d.http, session, {
          method: 'PUT',
          headers: { ...auth(t), 'content-type': m.mime, 'content-range': `bytes ${offset}-${end}/${total}` },
          path: m.path!,
          start: offset,
          end,
          done: offset,
          total,
          ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
        });
        if (res.status >= 500 || res.status === 429) {
          const wait = retryAfterMs(res.headers.get('retry-after'), d.clock.now());
          await res.arrayBuffer();
          throw Object.assign(new Error(`HTTP ${res.status}`), { retryAfter: wait });
        }
        s = await readProbe(res, d);
      } catch (e) {
        // 5xx or a dropped connection mid-upload: ask the session where it stands and resume.
        if (e instanceof ProviderError || ++resumes > MAX_RESUMES) throw e instanceof ProviderError ? e : new ProviderError(`youtube: upload interrupted: ${(e as Error).message}`, { errorClass: 'transient' });
        await d.clock.sleep((e as { retryAfter?: number }).retryAfter ?? 500 * 2 ** resumes);
        s = await probe(session, total, t, d).catch((e2: unknown) => {
          if (e2 instanceof ProviderError) throw e2;
          throw new ProviderError(`youtube: upload interrupted: ${(e2 as Error).message}`, { errorClass: 'transient' });
        });
      }
      if ('expired' in s) throw new ProviderError('youtube: the upload session expired', { errorClass: 'transient' });
      if (s.done) return result(s.body, p);
      offset = s.offset;
      await ctx.saveCheckpoint({ ...ctx.checkpoint, session, offset: String(offset) });
    }
  },
  async reconcile(p, t, d, ctx): Promise<ReconcileResult> {
    const session = ctx.checkpoint.session;
    if (!session) return { status: 'not_posted' };
    const s = await probe(session, p.media[0]!.size!, t, d);
    if ('expired' in s) {
      // An expired session of an unfinished upload created no video: start over.
      const { session: _s, offset: _o, ...rest } = ctx.checkpoint;
      void _s, void _o;
      await ctx.saveCheckpoint(rest);
      return { status: 'not_posted' };
    }
    return s.done ? { status: 'published', result: result(s.body, p) } : { status: 'not_posted' };
  },
};
