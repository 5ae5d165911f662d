/**
 * Facebook Page video from a local file (docs/platforms/facebook.md#video), the flow Meta's Video API
 * documents for Pages:
 *  1. POST graph.facebook.com/{v}/{app-id}/uploads?file_name&file_length&file_type (User access token)
 *     -> { id: "upload:<session>" }                       Resumable Upload API
 *  2. POST graph.facebook.com/{v}/upload:<session>, headers Authorization: OAuth <user token> and
 *     file_offset: <first byte>, body = the file from there -> { h: <file handle> }.
 *     An interrupted upload resumes: GET /{v}/upload:<session> -> { file_offset }.
 *  3. POST graph-video.facebook.com/{v}/{page-id}/videos with the Page token, title, description and
 *     fbuploader_video_file_chunk=<handle> -> { id: <video id> }.
 * https://developers.facebook.com/docs/video-api/guides/publishing
 * https://developers.facebook.com/docs/graph-api/guides/upload
 * The session id is saved before the bytes go out, so a retry resumes at the server's offset.
 * Steps 1-2 need the user token, which cannot be renewed without a login: once it has expired a local
 * video needs a reconnect, while Page posts go on with the Page token (docs/platforms/facebook.md#tokens).
 * Within an attempt, a dropped connection, or a User token refused part-way (code 190: it expired
 * while the bytes went up), is followed by a status query and the rest from the server's
 * `file_offset`; a refused token is renewed once through ctx.tokens first
 * (docs/platforms/facebook.md#token-expiry).
 */
import { hostUrl } from '../core/url.js';
import { ProviderError } from '../core/errors.js';
import { readJson } from '../core/http.js';
import type { MediaRef, ProviderDeps, PublishContext, TokenSet } from './types.js';
import { graphProviderError, str } from './graph.js';
import { graphJson, RenewableToken, streamUpload, withRenewal } from './upload.js';
import { userTokenExpired } from './facebook-tokens.js';
import { backoffDelay } from '../core/backoff.js';

/** The only video type the Resumable Upload API takes (file_type). */
export const RESUMABLE_VIDEO_TYPE = 'video/mp4';

const graphUrl = (d: ProviderDeps, path: string) => hostUrl(d.hosts.graph!, `/${d.apiVersion ?? 'v25.0'}${path}`);
const oauth = (t: TokenSet) => ({ authorization: `OAuth ${t.accessToken}` });

async function startSession(m: MediaRef, t: TokenSet, d: ProviderDeps): Promise<string> {
  const u = graphUrl(d, `/${encodeURIComponent(d.app.clientId)}/uploads`);
  u.searchParams.set('file_name', (m.path ?? 'video.mp4').split('/').pop() || 'video.mp4');
  u.searchParams.set('file_length', String(m.size));
  u.searchParams.set('file_type', RESUMABLE_VIDEO_TYPE);
  const b = await graphJson('facebook', 'video upload session', d.http, u, { method: 'POST', headers: oauth(t) }, d.clock.now());
  const id = str(b.id);
  if (!id?.startsWith('upload:')) throw new ProviderError('facebook: the upload session answer has no upload id', { errorClass: 'transient' });
  return id;
}

/** Where the server's copy of the session stops (resume). */
async function serverOffset(session: string, t: TokenSet, d: ProviderDeps): Promise<number> {
  const b = await graphJson('facebook', 'video upload status', d.http, graphUrl(d, `/${session}`), { headers: oauth(t) }, d.clock.now());
  return Number(b.file_offset ?? 0);
}

/** Interruptions in a row without progress before the attempt gives up (the engine retries later). */
const MAX_INTERRUPTIONS = 5;
/** Errors reading the local file: the user's to fix, never an interruption to retry. */
const LOCAL_FILE_ERRORS = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR']);

type Sent = { handle: string } | { rejected: ProviderError } | { interrupted: string };

async function sendBytes(session: string, from: number, m: MediaRef, t: TokenSet, d: ProviderDeps, ctx: PublishContext): Promise<Sent> {
  let res: Awaited<ReturnType<typeof streamUpload>>;
  try {
    res = await streamUpload(d.http, graphUrl(d, `/${session}`).toString(), {
      method: 'POST',
      headers: { ...oauth(t), file_offset: String(from), 'content-type': 'application/octet-stream' },
      path: m.path!,
      start: from,
      end: m.size! - 1,
      done: from,
      total: m.size!,
      ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
    });
  } catch (e) {
    if (LOCAL_FILE_ERRORS.has(String((e as { code?: unknown })?.code))) throw e;
    return { interrupted: String((e as Error)?.message ?? e).slice(0, 120) };
  }
  const b = await readJson(res).catch(() => undefined);
  if (!res.ok || (b as { error?: unknown } | undefined)?.error) {
    const err = graphProviderError('facebook', 'video upload', res.status, b, d.clock.now());
    if (err.errorClass === 'reconnect_needed') return { rejected: err };
    if (err.errorClass === 'transient') return { interrupted: err.message };
    throw err;
  }
  const handle = str((b as Record<string, unknown> | undefined)?.h);
  if (!handle) throw new ProviderError('facebook: the upload answer has no file handle', { errorClass: 'transient' });
  return { handle };
}

/** Refuses before any upload call when the user token is past the expiry debug_token reported. */
function userTokenLive(t: TokenSet, d: ProviderDeps): void {
  if (!userTokenExpired(t, d.clock.now())) return;
  throw new ProviderError(
    `facebook: local video uploads need the Facebook user token, which expired on ${new Date(t.expiresAt as number).toISOString()}; text, photo and link posts still work with the Page token`,
    { errorClass: 'reconnect_needed', reason: 'token_expired' },
  );
}

/**
 * Sends the file from the server's offset until a handle comes back. After a refused token: renew
 * (once per streak), ask the offset, continue. After an interruption: wait, ask, continue.
 */
async function transfer(session: string, from: number, m: MediaRef, token: RenewableToken, d: ProviderDeps, ctx: PublishContext): Promise<string> {
  let offset = from;
  for (let interruptions = 0; ; ) {
    const sent = await sendBytes(session, offset, m, token.current, d, ctx);
    if ('handle' in sent) return sent.handle;
    if ('rejected' in sent) await token.renewAfter(sent.rejected);
    else if (++interruptions > MAX_INTERRUPTIONS) throw new ProviderError(`facebook: video upload interrupted ${MAX_INTERRUPTIONS} times without progress (${sent.interrupted})`, { errorClass: 'transient' });
    else await d.clock.sleep(backoffDelay(interruptions, { baseMs: 1000 }));
    const now = await serverOffsetRenewing(session, token, d);
    if (now > offset) {
      interruptions = 0;
      token.progressed();
    }
    offset = now;
  }
}

/** The offset query with the current token; it moves nothing, so a renewal just before it is not repeated (no loop). */
const serverOffsetRenewing = (session: string, token: RenewableToken, d: ProviderDeps) => withRenewal(token, (t) => serverOffset(session, t, d), false);

/** Uploads the file (resuming a saved session at the server's offset) and returns its file handle. */
export async function uploadVideoFile(m: MediaRef, t: TokenSet, d: ProviderDeps, ctx: PublishContext): Promise<string> {
  if (ctx.checkpoint.videoHandle) return ctx.checkpoint.videoHandle;
  userTokenLive(t, d);
  // The User token of a long upload may expire meanwhile: renewed through ctx.tokens (#token-expiry).
  const token = new RenewableToken(t, ctx.tokens);
  let session = ctx.checkpoint.uploadSession;
  let from = 0;
  if (session) from = await serverOffsetRenewing(session, token, d);
  else {
    session = await withRenewal(token, (cur) => startSession(m, cur, d));
    await ctx.saveCheckpoint({ ...ctx.checkpoint, uploadSession: session });
  }
  const handle = await transfer(session, from, m, token, d, ctx);
  await ctx.saveCheckpoint({ ...ctx.checkpoint, videoHandle: handle });
  return handle;
}

/** Publishes an uploaded handle on the Page (graph-video host, Page token). */
export async function publishVideoHandle(handle: string, pageId: string, pageToken: string, fields: { title?: string; description: string }, d: ProviderDeps): Promise<string> {
  const u = hostUrl(d.hosts.video ?? 'https://graph-video.facebook.com', `/${d.apiVersion ?? 'v25.0'}/${encodeURIComponent(pageId)}/videos`);
  const body = new URLSearchParams({ description: fields.description, fbuploader_video_file_chunk: handle });
  if (fields.title) body.set('title', fields.title);
  const r = await graphJson('facebook', 'video post', d.http, u, { method: 'POST', body, headers: { authorization: `Bearer ${pageToken}` } }, d.clock.now());
  const id = str(r.id);
  if (!id) throw new ProviderError('facebook: the video post answer has no id', { errorClass: 'transient' });
  return id;
}
