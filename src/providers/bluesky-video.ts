/**
 * Bluesky video through the video service, the guide's recommended method
 * (docs/platforms/bluesky.md#media; https://docs.bsky.app/docs/tutorials/video): a service token
 * from the PDS (`com.atproto.server.getServiceAuth`, audience the PDS's did:web, scope
 * `com.atproto.repo.uploadBlob`, 30 minutes), the file POSTed to the video service's
 * `app.bsky.video.uploadVideo`, then `app.bsky.video.getJobStatus` until the job hands back the
 * blob it stored on the PDS. The job id is checkpointed: a publish that stopped resumes polling
 * instead of uploading again; an `already_exists` answer carries the earlier blob.
 */
import { ProviderError } from '../core/errors.js';
import { hostUrl } from '../core/url.js';
import type { MediaRef, ProviderDeps, PublishContext } from './types.js';
import { resourceCall, xrpcError } from './bluesky-session.js';
import { poll, withRenewal, type RenewableToken } from './upload.js';

export type Blob = { $type: 'blob'; ref: { $link: string }; mimeType: string; size: number };
interface JobStatus { jobId?: string; state?: string; blob?: Blob; error?: string; message?: string; progress?: number }

const SERVICE_TOKEN_SEC = 30 * 60;
const POLL_MS = 1_000;
/** Ten minutes of one-second polls: a 3-minute video is processed well within it. */
const MAX_POLLS = 600;

/** The service token the video service uses to store the processed video on the account's PDS. */
async function serviceToken(token: RenewableToken, d: ProviderDeps): Promise<string> {
  const pds = new URL(token.current.extra?.['aud'] ?? '').host;
  const query = { aud: `did:web:${pds}`, lxm: 'com.atproto.repo.uploadBlob', exp: String(Math.floor(d.clock.now() / 1000) + SERVICE_TOKEN_SEC) };
  const body = (await withRenewal(token, (cur) => resourceCall(cur, d, 'GET', 'com.atproto.server.getServiceAuth', 'video service token', { query }))) as { token?: string };
  if (!body.token) throw new ProviderError('bluesky: getServiceAuth returned no token', { errorClass: 'transient' });
  return body.token;
}

/** A job status from any answer shape: `{jobStatus}` (getJobStatus) or the status itself (uploadVideo, already_exists). */
const statusOf = (body: unknown): JobStatus => ((body as { jobStatus?: JobStatus })?.jobStatus ?? (body as JobStatus) ?? {});

async function upload(m: MediaRef, data: Uint8Array, did: string, svc: string, d: ProviderDeps): Promise<JobStatus> {
  const u = hostUrl(d.hosts['video']!, '/xrpc/app.bsky.video.uploadVideo');
  u.searchParams.set('did', did);
  u.searchParams.set('name', (m.path ?? 'video.mp4').split('/').pop()!);
  const res = await d.http.fetch(u, { method: 'POST', headers: { authorization: `Bearer ${svc}`, 'content-type': 'video/mp4' }, body: data, timeoutMs: 30 * 60_000 });
  const body = (await res.clone().json().catch(() => ({}))) as JobStatus;
  // The same video processed before: the service answers already_exists with the earlier blob.
  if (res.ok || statusOf(body).blob) return statusOf(body);
  throw await xrpcError(res, 'upload video', d);
}

async function jobStatus(jobId: string, d: ProviderDeps): Promise<JobStatus> {
  const u = hostUrl(d.hosts['video']!, '/xrpc/app.bsky.video.getJobStatus');
  u.searchParams.set('jobId', jobId);
  const res = await d.http.fetch(u);
  const body = await res.clone().json().catch(() => ({}));
  if (res.ok || statusOf(body).blob) return statusOf(body);
  throw await xrpcError(res, 'video processing status', d);
}

/** Uploads (or resumes) one video and waits for the processed blob. */
export async function uploadVideo(m: MediaRef, i: number, read: () => Promise<Uint8Array>, token: RenewableToken, d: ProviderDeps, ctx: PublishContext): Promise<Blob> {
  const did = token.current.extra?.['sub'] ?? ctx.account.id;
  let jobId = ctx.checkpoint[`videoJob${i}`];
  if (!jobId) {
    const first = await upload(m, await read(), did, await serviceToken(token, d), d);
    if (first.blob) return first.blob;
    if (!first.jobId) throw new ProviderError('bluesky: the video service returned no job id', { errorClass: 'transient' });
    jobId = first.jobId;
    await ctx.saveCheckpoint({ ...ctx.checkpoint, [`videoJob${i}`]: jobId });
  }
  return poll(d.clock.sleep, MAX_POLLS, async () => {
    const s = await jobStatus(jobId, d);
    if (s.blob) return { done: true, value: s.blob };
    if (s.state === 'JOB_STATE_FAILED') {
      await ctx.saveCheckpoint(Object.fromEntries(Object.entries(ctx.checkpoint).filter(([k]) => k !== `videoJob${i}`)));
      throw new ProviderError(`bluesky: the video service could not process ${m.path}: ${s.error ?? ''} ${s.message ?? ''}`.trim(), { errorClass: 'invalid_request', ...(s.error ? { platformCode: s.error } : {}) });
    }
    return { done: false, delayMs: POLL_MS };
  }, 'bluesky: video processing');
}
