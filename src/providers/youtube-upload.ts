/**
 * The transfer half of videos.insert: Google's resumable upload protocol
 * (docs/platforms/youtube.md#resumable-upload). A session is started (POST, the session URI comes
 * back in Location), then the file goes up in chunks (PUT with Content-Range). Every answer
 * becomes one Step of a small loop:
 *
 * - 308: continue at the server's offset (`Range: bytes=0-N` -> N+1, no Range -> 0), never ours;
 * - 500/502/503/504 or a dropped connection: wait (exponential backoff, Retry-After honoured),
 *   ask where the upload stands (empty PUT, `Content-Range: bytes *\/TOTAL`), continue from there;
 * - 401: the access token expired during the upload: renew it (RenewableToken), ask, continue
 *   (docs/platforms/youtube.md#token-expiry);
 * - 404 (410): the session expired: a new session, from byte 0;
 * - 200/201: the video resource; anything else is a permanent failure, classified by youtube.ts.
 */
import { hostUrl } from '../core/url.js';
import { CliError, ProviderError } from '../core/errors.js';
import { readJson, retryAfterMs, type Response } from '../core/http.js';
import type { ProviderDeps, PublishContext } from './types.js';
import { chunkRanges, httpError, streamUpload, type RenewableToken } from './upload.js';
import { classify } from './youtube.js';
import { backoffDelay } from '../core/backoff.js';

/** Every chunk but the last is a multiple of 256 KiB (docs/platforms/youtube.md#chunks). */
export const CHUNK_UNIT = 256 * 1024;
/** 64 MiB: "larger chunks are more efficient"; one request per 64 MiB keeps a lost chunk cheap. */
export const DEFAULT_CHUNK_BYTES = 256 * CHUNK_UNIT;
/** Interruptions in a row without progress before this attempt gives up (the engine retries later). */
const MAX_INTERRUPTIONS = 8;
const MAX_BACKOFF_MS = 60_000;
/** New sessions after expired ones, per attempt. */
const MAX_RESTARTS = 2;
/** The 5xx answers the guide lists as resumable; any other 5xx is a permanent failure. */
const RESUMABLE_STATUSES = new Set([500, 502, 503, 504]);
/** Errors reading the local file: the user's to fix, not a network hiccup to retry. */
const LOCAL_FILE_ERRORS = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR']);

export type Step =
  | { kind: 'done'; video: unknown }
  | { kind: 'at'; offset: number; waitMs?: number }
  | { kind: 'expired' }
  | { kind: 'interrupted'; why: string; waitMs?: number }
  | { kind: 'rejected'; error: ProviderError };

export interface UploadJob {
  file: { path: string; size: number; mime: string };
  /** The video resource sent when a session starts (snippet, status). */
  resource: Record<string, unknown>;
  d: ProviderDeps;
  ctx: PublishContext;
  token: RenewableToken;
  chunkBytes: number;
}

/** A chunk size the protocol accepts, or our own bug. */
export function checkChunkBytes(n: number): number {
  if (!Number.isSafeInteger(n) || n <= 0 || n % CHUNK_UNIT !== 0) throw new Error(`youtube: chunk size ${n} is not a positive multiple of 256 KiB`);
  return n;
}

/** The [start, end] byte ranges of a whole upload from byte 0: `chunkBytes` each, the last takes the rest. */
export function chunkPlan(total: number, chunkBytes: number): [number, number][] {
  return chunkRanges(total, checkChunkBytes(chunkBytes));
}

/** Uploads the file (resuming the checkpoint's session when there is one); returns the video resource. */
export async function uploadResumable(job: UploadJob): Promise<unknown> {
  let session = job.ctx.checkpoint['session'];
  let step: Step;
  if (session) step = await queryStatus(job, session);
  else ({ session, step } = await startSession(job));
  let offset = -1;
  let interruptions = 0;
  let restarts = 0;
  for (;;) {
    switch (step.kind) {
      case 'done':
        return step.video;
      case 'expired':
        if (++restarts > MAX_RESTARTS) throw new ProviderError('youtube: the upload session keeps expiring', { errorClass: 'transient' });
        ({ session, step } = await startSession(job));
        offset = -1;
        break;
      case 'rejected':
        await job.token.renewAfter(step.error);
        step = await queryStatus(job, session);
        break;
      case 'interrupted':
        if (++interruptions > MAX_INTERRUPTIONS) throw new ProviderError(`youtube: upload interrupted ${MAX_INTERRUPTIONS} times without progress (${step.why})`, { errorClass: 'transient' });
        await job.d.clock.sleep(step.waitMs ?? backoffDelay(interruptions, { baseMs: 1000, maxMs: MAX_BACKOFF_MS }));
        step = await queryStatus(job, session);
        break;
      case 'at':
        if (step.offset > offset) {
          interruptions = 0;
          job.token.progressed();
          await job.ctx.saveCheckpoint({ ...job.ctx.checkpoint, session, offset: String(step.offset) });
        }
        offset = step.offset;
        if (step.waitMs) await job.d.clock.sleep(step.waitMs);
        step = await sendChunk(job, session, offset);
        break;
    }
  }
}

const bearer = (job: UploadJob) => ({ authorization: `Bearer ${job.token.current.accessToken}` });

/** POST the video resource; the session URI is saved (with the "sent" mark) before any byte goes up. */
async function startSession(job: UploadJob): Promise<{ session: string; step: Step }> {
  const { d, file } = job;
  const u = hostUrl(d.hosts['api'], '/upload/youtube/v3/videos');
  u.searchParams.set('uploadType', 'resumable');
  u.searchParams.set('part', Object.keys(job.resource).join(','));
  const post = () =>
    d.http.fetch(u, {
      method: 'POST',
      headers: { ...bearer(job), 'content-type': 'application/json; charset=UTF-8', 'x-upload-content-length': String(file.size), 'x-upload-content-type': file.mime },
      body: JSON.stringify(job.resource),
    });
  let res = await post();
  if (res.status === 401) {
    // A restart hours into a long upload may hold an expired token too.
    await job.token.renewAfter(await httpError('start upload', res, d.clock.now(), classify));
    res = await post();
  }
  if (!res.ok) throw await httpError('start upload', res, d.clock.now(), classify);
  await res.arrayBuffer();
  const loc = res.headers.get('location');
  if (!loc) throw new ProviderError('youtube: the upload session has no Location', { errorClass: 'transient' });
  const session = new URL(loc, d.hosts['api']).toString();
  const { offset: _o, ...rest } = job.ctx.checkpoint;
  void _o;
  // From here on a crash is resumed or reconciled, never sent again.
  await job.ctx.saveCheckpoint({ ...rest, session, sent: String(d.clock.now()) });
  return { session, step: { kind: 'at', offset: 0 } };
}

/** Asks the session how much it holds (Step 4.1 of the guide). */
export async function queryStatus(job: Pick<UploadJob, 'd' | 'file' | 'token'>, session: string): Promise<Step> {
  let res: Response;
  try {
    res = await job.d.http.fetch(session, {
      method: 'PUT',
      headers: { authorization: `Bearer ${job.token.current.accessToken}`, 'content-range': `bytes */${job.file.size}`, 'content-length': '0' },
    });
  } catch (e) {
    return interruption(e, job.file.path);
  }
  return readAnswer(res, job.d);
}

async function sendChunk(job: UploadJob, session: string, offset: number): Promise<Step> {
  const { file } = job;
  const end = Math.min(file.size, offset + job.chunkBytes) - 1;
  let res: Response;
  try {
    res = await streamUpload(job.d.http, session, {
      method: 'PUT',
      headers: { ...bearer(job), 'content-type': file.mime, 'content-range': `bytes ${offset}-${end}/${file.size}` },
      path: file.path,
      start: offset,
      end,
      done: offset,
      total: file.size,
      ...(job.ctx.onProgress ? { onProgress: job.ctx.onProgress } : {}),
    });
  } catch (e) {
    return interruption(e, file.path);
  }
  const step = await readAnswer(res, job.d);
  // The server kept none of it: never loop on the same chunk without a pause and a status query.
  if (step.kind === 'at' && step.offset <= offset) return { kind: 'interrupted', why: 'the server kept none of the chunk' };
  return step;
}

async function readAnswer(res: Response, d: ProviderDeps): Promise<Step> {
  const now = d.clock.now();
  const wait = retryAfterMs(res.headers.get('retry-after'), now);
  const waitMs = wait !== undefined ? { waitMs: wait } : {};
  if (res.status === 200 || res.status === 201) return { kind: 'done', video: await readJson(res) };
  if (res.status === 401) return { kind: 'rejected', error: await httpError('upload', res, now, classify) };
  if (res.status !== 308 && res.status !== 404 && res.status !== 410 && !RESUMABLE_STATUSES.has(res.status)) throw await httpError('upload', res, now, classify);
  await res.arrayBuffer();
  if (res.status === 308) return { kind: 'at', offset: serverOffset(res.headers.get('range')), ...waitMs };
  if (res.status === 404 || res.status === 410) return { kind: 'expired' };
  return { kind: 'interrupted', why: `HTTP ${res.status}`, ...waitMs };
}

/** `bytes=0-N` -> N+1; no Range header -> nothing stored yet (Step 4.2 of the guide). */
export function serverOffset(range: string | null): number {
  if (range === null || range === '') return 0;
  const m = /^bytes=0-(\d+)$/.exec(range.trim());
  if (!m) throw new ProviderError(`youtube: unexpected Range header in a 308 answer: ${range.slice(0, 60)}`, { errorClass: 'transient' });
  return Number(m[1]) + 1;
}

function interruption(e: unknown, path: string): Step {
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' && LOCAL_FILE_ERRORS.has(code)) {
    throw new CliError(`youtube: cannot read the video ${path} (${code})`, { hint: 'restore the file, then run: socialync retry', cause: e });
  }
  if (e instanceof ProviderError) throw e;
  return { kind: 'interrupted', why: String((e as Error)?.message ?? e).slice(0, 120) };
}
