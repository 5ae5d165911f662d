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
 */
import { hostUrl } from '../core/url.js';
import { ProviderError } from '../core/errors.js';
import { readJson } from '../core/http.js';
import type { MediaRef, ProviderDeps, PublishContext, TokenSet } from './types.js';
import { graphProviderError, str } from './graph.js';
import { graphJson, streamUpload } from './upload.js';

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

async function sendBytes(session: string, from: number, m: MediaRef, t: TokenSet, d: ProviderDeps, ctx: PublishContext): Promise<string> {
  const res = await streamUpload(d.http, graphUrl(d, `/${session}`).toString(), {
    method: 'POST',
    headers: { ...oauth(t), file_offset: String(from), 'content-type': 'application/octet-stream' },
    path: m.path!,
    start: from,
    end: m.size! - 1,
    done: from,
    total: m.size!,
    ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
  });
  const b = await readJson(res).catch(() => undefined);
  if (!res.ok || (b as { error?: unknown } | undefined)?.error) throw graphProviderError('facebook', 'video upload', res.status, b, d.clock.now());
  const handle = str((b as Record<string, unknown> | undefined)?.h);
  if (!handle) throw new ProviderError('facebook: the upload answer has no file handle', { errorClass: 'transient' });
  return handle;
}

/** Uploads the file (resuming a saved session at the server's offset) and returns its file handle. */
export async function uploadVideoFile(m: MediaRef, t: TokenSet, d: ProviderDeps, ctx: PublishContext): Promise<string> {
  if (ctx.checkpoint.videoHandle) return ctx.checkpoint.videoHandle;
  let session = ctx.checkpoint.uploadSession;
  let from = 0;
  if (session) from = await serverOffset(session, t, d);
  else {
    session = await startSession(m, t, d);
    await ctx.saveCheckpoint({ ...ctx.checkpoint, uploadSession: session });
  }
  const handle = await sendBytes(session, from, m, t, d, ctx);
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
