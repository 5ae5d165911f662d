/**
 * The Bluesky video service and the PDS's service tokens in the sandbox
 * (docs/platforms/bluesky.md#media; https://docs.bsky.app/docs/tutorials/video):
 * - `com.atproto.server.getServiceAuth` (PDS, DPoP session): a short token for one audience
 *   (`did:web:<the PDS host>`) and one method (`lxm`), at most an hour;
 * - `app.bsky.video.uploadVideo?did=&name=` (video host, `Bearer <service token>`): mp4 only, at
 *   most 100,000,000 bytes, the token's audience and method checked; starts a job; the same
 *   bytes again answer 409 `already_exists` with the earlier blob;
 * - `app.bsky.video.getJobStatus?jobId=`: in progress for `processingPolls` checks, then
 *   completed with the blob the service stored on the PDS.
 */
import { createHash } from 'node:crypto';
import { json, type PlatformContext, type Route, type SandboxRequest, type SandboxResponse } from './common.js';
import type { Family } from './families.js';
import { token } from './families.js';
import { publishState, stateOf } from './publish-common.js';
import { didOf, originOf } from './bluesky.js';
import { pdsState } from './bluesky-publish.js';

const VIDEO_MAX = 100_000_000;
const SERVICE_TOKEN_MAX_SEC = 3600;

interface ServiceToken { did: string; aud: string; lxm: string; exp: number }
interface Job { jobId: string; did: string; polls: number; blob: { $type: 'blob'; ref: { $link: string }; mimeType: string; size: number } }
interface VideoState { tokens: Map<string, ServiceToken>; jobs: Map<string, Job>; byHash: Map<string, Job> }

const state = (ctx: PlatformContext) => stateOf<VideoState>(ctx, 'bluesky-video', () => ({ tokens: new Map(), jobs: new Map(), byHash: new Map() }));
const xrpcErr = (status: number, error: string, message: string) => json(status, { error, message });
const statusOf = (j: Job, done: boolean) => ({ jobId: j.jobId, did: j.did, state: done ? 'JOB_STATE_COMPLETED' : 'JOB_STATE_ENCODING', ...(done ? { blob: j.blob } : { progress: 50 }) });

/** PDS: com.atproto.server.getServiceAuth for the session's account. */
export function serviceAuth(ctx: PlatformContext, req: SandboxRequest, f: Family): SandboxResponse {
  const aud = req.query.get('aud') ?? '';
  const lxm = req.query.get('lxm') ?? '';
  const exp = Number(req.query.get('exp') ?? Math.floor(ctx.now() / 1000) + 60);
  if (!aud.startsWith('did:')) return xrpcErr(400, 'InvalidRequest', 'aud must be a DID');
  if (exp - ctx.now() / 1000 > SERVICE_TOKEN_MAX_SEC) return xrpcErr(400, 'BadExpiration', 'expiration is too far in the future');
  const t = token('svc');
  state(ctx).tokens.set(t, { did: didOf(f.account.name), aud, lxm, exp });
  return json(200, { token: t });
}

function uploadVideo(ctx: PlatformContext, req: SandboxRequest): SandboxResponse {
  const bearer = req.bearer();
  const t = bearer ? state(ctx).tokens.get(bearer) : undefined;
  const pdsAud = `did:web:${new URL(originOf(req)).host}`;
  if (!t || t.exp < ctx.now() / 1000) return xrpcErr(401, 'AuthMissing', 'a service token from the PDS is required');
  if (t.aud !== pdsAud || t.lxm !== 'com.atproto.repo.uploadBlob') return xrpcErr(401, 'InvalidToken', `the service token must be for ${pdsAud} and com.atproto.repo.uploadBlob`);
  if (req.query.get('did') !== t.did) return xrpcErr(400, 'InvalidRequest', 'did does not match the service token');
  if (req.headers['content-type'] !== 'video/mp4') return xrpcErr(400, 'InvalidMimeType', 'video/mp4 required');
  if (req.rawBody.length > VIDEO_MAX) return xrpcErr(400, 'FileTooLarge', `at most ${VIDEO_MAX} bytes`);
  const v = state(ctx);
  const hash = createHash('sha256').update(req.rawBody).digest('hex');
  const seen = v.byHash.get(`${t.did}:${hash}`);
  if (seen) return json(409, { error: 'already_exists', message: 'Video already processed', ...statusOf(seen, true) });
  const cid = `bafkrei${hash.slice(0, 52)}`;
  const job: Job = { jobId: token('job', 12), did: t.did, polls: 0, blob: { $type: 'blob', ref: { $link: cid }, mimeType: 'video/mp4', size: req.rawBody.length } };
  v.jobs.set(job.jobId, job);
  v.byHash.set(`${t.did}:${hash}`, job);
  // The processed video is stored on the PDS, where createRecord finds the blob.
  pdsState(ctx).blobs.set(cid, { mime: 'video/mp4', size: req.rawBody.length });
  ctx.stats['videoJobs'] = (ctx.stats['videoJobs'] ?? 0) + 1;
  return json(200, statusOf(job, publishState(ctx).config.processingPolls <= 0));
}

function jobStatus(ctx: PlatformContext, req: SandboxRequest): SandboxResponse {
  const job = state(ctx).jobs.get(req.query.get('jobId') ?? '');
  if (!job) return xrpcErr(400, 'NotFound', 'no such job');
  return json(200, { jobStatus: statusOf(job, ++job.polls >= publishState(ctx).config.processingPolls) });
}

export function videoRoutes(ctx: PlatformContext): Route[] {
  return [
    { method: 'POST', path: '/xrpc/app.bsky.video.uploadVideo', maxBodyBytes: VIDEO_MAX + 1024, handler: (req) => uploadVideo(ctx, req) },
    { method: 'GET', path: '/xrpc/app.bsky.video.getJobStatus', handler: (req) => jobStatus(ctx, req) },
  ];
}
