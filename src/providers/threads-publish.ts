/**
 * Threads publishing (graph.threads.net). Rules: docs/platforms/threads.md (#text, #media, #containers,
 * #carousel, #container-status, #publishing-limit, #reconcile).
 * Flow: POST /{user}/threads (TEXT, IMAGE or VIDEO container; a carousel first makes one item container
 * per media with is_carousel_item=true, then a CAROUSEL container with `children`) -> poll
 * GET /{container}?fields=status,error_message until FINISHED -> POST /{user}/threads_publish?creation_id.
 * - Media must be at a public URL: Threads fetches it (there is no upload endpoint).
 * - Every container id is saved before the next step; a container publishes only once, so a crash after
 *   threads_publish is reconciled from the container's status (PUBLISHED) and the profile's post list,
 *   and a retry never posts twice.
 */
import { hostUrl } from '../core/url.js';
import { ProviderError } from '../core/errors.js';
import type { MediaRef, PostDraft, ProviderDeps, PublishContext, Publisher, ReconcileResult, TokenSet, ValidationIssue } from './types.js';
import { str } from './graph.js';
import { checkPublishingLimit, graphTime, pollContainer, withPermalink, type GraphApi, type StatusPace } from './instagram-limit.js';
import { graphJson, isVideo, RenewableToken, withRenewal } from './upload.js';
import { textIssues } from './threads-text.js';

/** Carousel posts take 2 to 20 items (docs/platforms/threads.md#carousel). */
export const THREADS_CAROUSEL = { min: 2, max: 20 } as const;
/** Status pace: once a minute, for no more than five minutes (docs/platforms/threads.md#container-status). */
export const THREADS_STATUS_PACE: StatusPace = { intervalMs: 60_000, maxWaitMs: 5 * 60_000 };

export function validate(p: PostDraft): ValidationIssue[] {
  const out = textIssues(p.text);
  if (!p.media.length && !p.text.trim()) out.push({ field: 'text', message: 'Threads needs text or at least one image or video' });
  if (p.media.length > THREADS_CAROUSEL.max) out.push({ field: 'media', message: `a Threads carousel takes at most ${THREADS_CAROUSEL.max} images or videos; this post has ${p.media.length}` });
  p.media.forEach((m, i) => {
    if (m.kind !== 'url' || !/^https?:\/\//.test(m.url ?? '')) {
      out.push({ field: `media[${i}]`, message: 'Threads fetches media from a public URL (it has no upload endpoint): pass --media https://...' });
    }
  });
  return out;
}

type Fields = Record<string, string | undefined>;
/** A Graph call with the publish's current token, sent again once after a renewal (a refused call did nothing). */
type Api = GraphApi;

function call(d: ProviderDeps, t: TokenSet, path: string, what: string, fields?: Fields, query?: Record<string, string>): Promise<Record<string, unknown>> {
  const u = hostUrl(d.hosts.graph, `/${d.apiVersion ?? 'v1.0'}${path}`);
  for (const [k, v] of Object.entries(query ?? {})) u.searchParams.set(k, v);
  const body = fields ? new URLSearchParams(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined)) : undefined;
  return graphJson('threads', what, d.http, u, { method: fields ? 'POST' : 'GET', ...(body ? { body } : {}), headers: { authorization: `Bearer ${t.accessToken}` } }, d.clock.now());
}

const idOf = (r: Record<string, unknown>, what: string): string => {
  const id = str(r.id);
  if (!id) throw new ProviderError(`threads: ${what} returned no id`, { errorClass: 'transient' });
  return id;
};

/** The item's own container fields: IMAGE or VIDEO by URL, with alt text when given. */
function mediaFields(m: MediaRef, p: PostDraft): Fields {
  return isVideo(m) ? { media_type: 'VIDEO', video_url: m.url, alt_text: p.options.altText } : { media_type: 'IMAGE', image_url: m.url, alt_text: p.options.altText };
}

/**
 * The post's container: TEXT, one IMAGE/VIDEO, or a CAROUSEL over item containers. Each item id is saved
 * as soon as it exists, so an interrupted carousel goes on from the items it already made.
 */
async function createContainer(p: PostDraft, api: Api, ctx: PublishContext): Promise<string> {
  const user = ctx.account.id;
  if (!p.media.length) return idOf(await api(`/${user}/threads`, 'create container', { media_type: 'TEXT', text: p.text }), 'create container');
  if (p.media.length === 1) return idOf(await api(`/${user}/threads`, 'create container', { ...mediaFields(p.media[0]!, p), text: p.text || undefined }), 'create container');
  const items = ctx.checkpoint.items ? ctx.checkpoint.items.split(',') : [];
  for (const m of p.media.slice(items.length)) {
    items.push(idOf(await api(`/${user}/threads`, 'create carousel item', { ...mediaFields(m, p), is_carousel_item: 'true' }), 'create carousel item'));
    await ctx.saveCheckpoint({ ...ctx.checkpoint, items: items.join(',') });
  }
  return idOf(await api(`/${user}/threads`, 'create carousel', { media_type: 'CAROUSEL', children: items.join(','), text: p.text || undefined }), 'create carousel');
}

/** Drops the saved containers: the next attempt starts over with new ones. */
async function dropContainers(ctx: PublishContext): Promise<void> {
  const { container: _c, items: _i, sent: _s, ...rest } = ctx.checkpoint;
  void _c;
  void _i;
  void _s;
  await ctx.saveCheckpoint(rest);
}

/** Polls the container's status at the documented pace until FINISHED; other ends are classified. */
function waitFinished(container: string, api: Api, d: ProviderDeps, ctx: PublishContext, pace: StatusPace): Promise<void> {
  const read = async () => {
    const answer = await api(`/${container}`, 'container status', undefined, { fields: 'status,error_message' });
    return { status: str(answer.status), answer };
  };
  return pollContainer(read, d, pace, {
    platform: 'threads',
    error: async (answer) => {
      await dropContainers(ctx);
      const why = str(answer.error_message) ?? 'UNKNOWN';
      return new ProviderError(`threads: Threads could not process the media (${why}); check the file against docs/platforms/media-limits.md#threads`, { errorClass: 'invalid_request', platformCode: why });
    },
    expired: 'the container expired (24 hours) before it was published; a new one is made next time',
    drop: () => dropContainers(ctx),
  });
}

/** Before publishing: a full 24-hour window waits for it to reopen (docs/platforms/threads.md#publishing-limit). */
const checkLimit = (api: Api, d: ProviderDeps, ctx: PublishContext): Promise<void> =>
  checkPublishingLimit(api, { platform: 'threads', limitPath: `/${ctx.account.id}/threads_publishing_limit`, listPath: `/${ctx.account.id}/threads` }, () => d.clock.now());

export function createPublisher(pace: StatusPace = THREADS_STATUS_PACE): Publisher {
  return {
    validate,
    async publish(p, t, d, ctx) {
      const token = new RenewableToken(t, ctx.tokens);
      const api: Api = (path, what, fields, query) => withRenewal(token, (tk) => call(d, tk, path, what, fields, query));
      await checkLimit(api, d, ctx);
      let container = ctx.checkpoint.container;
      if (!container) {
        container = await createContainer(p, api, ctx);
        await ctx.saveCheckpoint({ ...ctx.checkpoint, container });
      }
      await waitFinished(container, api, d, ctx, pace);
      await ctx.saveCheckpoint({ ...ctx.checkpoint, sent: String(d.clock.now()) });
      const id = idOf(await api(`/${ctx.account.id}/threads_publish`, 'threads_publish', { creation_id: container }), 'threads_publish');
      return withPermalink(id, api);
    },
    reconcile,
  };
}

/**
 * After a crash or a lost answer (docs/platforms/threads.md#reconcile): no container means nothing was
 * published; a FINISHED container was not published (the next attempt publishes it); ERROR/EXPIRED ones
 * are dropped; a PUBLISHED one is looked up in the profile's posts by its text, published since the
 * container was sent.
 */
async function reconcile(p: PostDraft, t: TokenSet, d: ProviderDeps, ctx: PublishContext): Promise<ReconcileResult> {
  const container = ctx.checkpoint.container;
  if (!container) return { status: 'not_posted' };
  const status = await call(d, t, `/${container}`, 'container status', undefined, { fields: 'status' }).then((r) => str(r.status), () => undefined);
  if (status === undefined) return { status: 'unknown', reason: 'the container status could not be read' };
  if (status === 'ERROR' || status === 'EXPIRED') {
    await dropContainers(ctx);
    return { status: 'not_posted' };
  }
  if (status !== 'PUBLISHED') return { status: 'not_posted' };
  const since = Number(ctx.checkpoint.sent ?? 0) - 60_000;
  const list = await call(d, t, `/${ctx.account.id}/threads`, 'post list', undefined, { fields: 'id,text,timestamp', limit: '25' }).catch(() => undefined);
  const hit = ((list?.data ?? []) as { id: string; text?: string; timestamp?: string }[]).find((x) => (x.text ?? '') === p.text && (graphTime(x.timestamp) ?? 0) >= since);
  if (!hit) return { status: 'unknown', reason: 'the container is published but the post was not found in the profile' };
  return { status: 'published', result: await withPermalink(hit.id, (path, what, fields, query) => call(d, t, path, what, fields, query)) };
}

export const publisher: Publisher = createPublisher();
