/**
 * Instagram publishing: Instagram API with Instagram Login (graph.instagram.com), or with Facebook
 * Login (graph.facebook.com, resumable uploads to rupload.facebook.com; instagram-facebook.ts).
 * Rules: docs/platforms/instagram.md (#publishing, #resumable-upload, #container-status, #publishing-limit, #errors).
 * Docs: https://developers.facebook.com/docs/instagram-platform/content-publishing
 *       https://developers.facebook.com/docs/instagram-platform/content-publishing/resumable-uploads
 * Container flow: POST /{ig-user}/media -> poll GET /{container}?fields=status_code until
 * FINISHED -> POST /{ig-user}/media_publish?creation_id -> media id (+ permalink).
 * - Images must be JPEG at a public URL (Meta fetches them): checked at schedule time.
 * - Reels from a local file use a resumable upload (upload_type=resumable, then POST the bytes
 *   to the returned `uri` with `offset`/`file_size` headers).
 * The container id is saved before publishing; a container publishes only once, so a crash is
 * reconciled from its status_code (PUBLISHED) and the account's media list.
 * Every request of a publish reads the token from a RenewableToken: a token refused part-way (190,
 * e.g. expired while a long Reel went up) is renewed once through ctx.tokens and the refused request
 * sent again (docs/platforms/instagram.md#token-expiry).
 */
import { hostUrl } from '../core/url.js';
import { ProviderError } from '../core/errors.js';
import { readJson } from '../core/http.js';
import type { MediaRef, PostDraft, ProviderDeps, PublishContext, Publisher, ReconcileResult, TokenSet, ValidationIssue } from './types.js';
import { graphProviderError, metaErrorRow, str } from './graph.js';
import { checkPublishingLimit, pollContainer, STATUS_PACE, withPermalink, type GraphApi, type StatusPace } from './instagram-limit.js';
import { igGraphOrigin, igUploadUrl } from './instagram-facebook.js';
import { codePoints, graphJson, isVideo, RenewableToken, streamUpload, withRenewal } from './upload.js';

export function validate(p: PostDraft): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  if (p.media.length !== 1) out.push({ field: 'media', message: 'Instagram needs exactly one image or video (there are no text-only posts)' });
  if (codePoints(p.text) > 2200) out.push({ field: 'text', message: 'Instagram captions are at most 2200 characters' });
  if ((p.text.match(/#[\p{L}\p{N}_]+/gu) ?? []).length > 30) out.push({ field: 'text', message: 'Instagram allows at most 30 hashtags' });
  p.media.forEach((m, i) => {
    const field = `media[${i}]`;
    if (!isVideo(m) && (m.kind !== 'url' || !/^https?:\/\//.test(m.url ?? ''))) out.push({ field, message: 'Instagram image posts need a public URL (Meta fetches the image): pass --media https://...' });
  });
  return out;
}

const url = (d: ProviderDeps, path: string) => hostUrl(igGraphOrigin(d), `/${d.apiVersion ?? 'v25.0'}${path}`);
const headers = (t: TokenSet) => ({ authorization: `Bearer ${t.accessToken}` });

async function call(d: ProviderDeps, t: TokenSet, path: string, what: string, fields?: Record<string, string | undefined>, query?: Record<string, string>): Promise<Record<string, unknown>> {
  const u = url(d, path);
  for (const [k, v] of Object.entries(query ?? {})) u.searchParams.set(k, v);
  const body = fields ? new URLSearchParams(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined)) : undefined;
  return graphJson('instagram', what, d.http, u, { method: fields ? 'POST' : 'GET', ...(body ? { body } : {}), headers: headers(t) }, d.clock.now());
}

/** A Graph call with the publish's current token, sent again once after a renewal (a refused call did nothing). */
type Api = GraphApi;
const renewingApi = (d: ProviderDeps, token: RenewableToken): Api => (path, what, fields, query) => withRenewal(token, (t) => call(d, t, path, what, fields, query));

async function createContainer(p: PostDraft, m: MediaRef, api: Api, token: RenewableToken, d: ProviderDeps, ctx: PublishContext): Promise<string> {
  const ig = ctx.account.id;
  if (!isVideo(m)) return str((await api(`/${ig}/media`, 'create container', { image_url: m.url, caption: p.text, alt_text: p.options.altText })).id)!;
  if (m.kind === 'url') return str((await api(`/${ig}/media`, 'create container', { media_type: 'REELS', video_url: m.url, caption: p.text })).id)!;
  const c = await api(`/${ig}/media`, 'create container', { media_type: 'REELS', upload_type: 'resumable', caption: p.text });
  const id = str(c.id);
  const uri = id ? (igUploadUrl(d, id) ?? str(c.uri)) : undefined;
  if (!id || !uri) throw new ProviderError('instagram: resumable container returned no upload uri', { errorClass: 'transient' });
  // One request from offset 0; a refused token stores nothing, so the renewed token sends it again from 0.
  await withRenewal(token, (t) => uploadReel(uri, m, t, d, ctx));
  return id;
}

async function uploadReel(uri: string, m: MediaRef, t: TokenSet, d: ProviderDeps, ctx: PublishContext): Promise<void> {
  const res = await streamUpload(d.http, uri, {
    method: 'POST',
    headers: { authorization: `OAuth ${t.accessToken}`, offset: '0', file_size: String(m.size), 'content-type': 'application/octet-stream' },
    path: m.path!,
    start: 0,
    end: m.size! - 1,
    ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
  });
  const b = await readJson(res);
  if (!res.ok) throw graphProviderError('instagram', 'video upload', res.status, b, d.clock.now());
}

/**
 * Polls the container's status_code at Meta's pace (once a minute, at most five minutes:
 * docs/platforms/instagram.md#container-status). Still IN_PROGRESS after that: a transient failure that
 * keeps the container, so the next attempt resumes polling it.
 */
function waitFinished(container: string, api: Api, d: ProviderDeps, ctx: PublishContext, pace: StatusPace): Promise<void> {
  const read = async () => {
    const answer = await api(`/${container}`, 'container status', undefined, { fields: 'status_code' });
    return { status: str(answer.status_code), answer };
  };
  return pollContainer(read, d, pace, {
    platform: 'instagram',
    error: async () => new ProviderError('instagram: Meta could not process the media (container status ERROR)', { errorClass: 'invalid_request', platformCode: 'ERROR' }),
    expired: 'the media container expired before it was published; a new one is made next time',
    drop: () => dropContainer(ctx),
  });
}

async function dropContainer(ctx: PublishContext): Promise<void> {
  const { container: _c, publishRetries: _r, ...rest } = ctx.checkpoint;
  void _c;
  void _r;
  await ctx.saveCheckpoint(rest);
}

/** Before publishing: a full window waits for it to reopen (docs/platforms/instagram.md#publishing-limit). */
const checkLimit = (api: Api, d: ProviderDeps, ctx: PublishContext): Promise<void> =>
  checkPublishingLimit(api, { platform: 'instagram', limitPath: `/${ctx.account.id}/content_publishing_limit`, listPath: `/${ctx.account.id}/media` }, () => d.clock.now());

/** 24/2207008 is retried with the same container twice, then with a new one (Instagram error codes). */
const SAME_CONTAINER_RETRIES = 2;

/** media_publish refused: decide what the next attempt starts from, then rethrow. */
async function afterPublishError(e: unknown, api: Api, d: ProviderDeps, ctx: PublishContext): Promise<never> {
  if (!(e instanceof ProviderError)) throw e;
  const [code, sub] = (e.platformCode ?? '').split('/').map(Number);
  const row = metaErrorRow(code, sub);
  if (row?.action === 'new_container') await dropContainer(ctx);
  else if (code === 24 && sub === 2207008) {
    const n = Number(ctx.checkpoint.publishRetries ?? 0) + 1;
    if (n >= SAME_CONTAINER_RETRIES) await dropContainer(ctx);
    else await ctx.saveCheckpoint({ ...ctx.checkpoint, publishRetries: String(n) });
  } else if (code === 9 && sub === 2207042) await checkLimit(api, d, ctx);
  throw e;
}

export function createPublisher(pace: StatusPace = STATUS_PACE): Publisher {
  return {
    validate,
    async publish(p, t, d, ctx) {
      const token = new RenewableToken(t, ctx.tokens);
      const api = renewingApi(d, token);
      await checkLimit(api, d, ctx);
      let container = ctx.checkpoint.container;
      if (!container) {
        container = await createContainer(p, p.media[0]!, api, token, d, ctx);
        await ctx.saveCheckpoint({ ...ctx.checkpoint, container });
      }
      await waitFinished(container, api, d, ctx, pace);
      await ctx.saveCheckpoint({ ...ctx.checkpoint, sent: String(d.clock.now()) });
      const r = await api(`/${ctx.account.id}/media_publish`, 'media_publish', { creation_id: container }).catch((e: unknown) => afterPublishError(e, api, d, ctx));
      const id = str(r.id);
      if (!id) throw new ProviderError('instagram: media_publish returned no id', { errorClass: 'transient' });
      return withPermalink(id, api);
    },
    reconcile,
  };
}

async function reconcile(p: PostDraft, t: TokenSet, d: ProviderDeps, ctx: PublishContext): Promise<ReconcileResult> {
  const container = ctx.checkpoint.container;
  if (!container) return { status: 'not_posted' };
  let status: string | undefined;
  try {
    status = str((await call(d, t, `/${container}`, 'container status', undefined, { fields: 'status_code' })).status_code);
  } catch {
    status = undefined;
  }
  if (status === 'PUBLISHED') {
    const list = await call(d, t, `/${ctx.account.id}/media`, 'media list', undefined, { fields: 'id,caption,timestamp' }).catch(() => undefined);
    const hit = ((list?.data ?? []) as { id: string; caption?: string }[]).find((x) => (x.caption ?? '') === p.text);
    return hit ? { status: 'published', result: await withPermalink(hit.id, (path, what, fields, query) => call(d, t, path, what, fields, query)) } : { status: 'unknown' };
  }
  if (status === undefined) return { status: 'unknown' };
  if (status === 'ERROR' || status === 'EXPIRED') {
    // A dead container was never published: start over with a new one.
    await dropContainer(ctx);
  }
  return { status: 'not_posted' };
}

export const publisher: Publisher = createPublisher();
