/**
 * Threads publishing, simulated from the Threads docs (docs/platforms/threads.md):
 * - POST /:version/:user/threads          TEXT (text required), IMAGE (image_url), VIDEO (video_url), with
 *                                          is_carousel_item=true for carousel items, or CAROUSEL (children:
 *                                          2-20 item containers of this user). Text: 500 characters, an emoji
 *                                          counting its UTF-8 bytes; at most 5 links (LINK_LIMIT_EXCEEDED).
 *                                          Media URLs must be http(s): Threads fetches them.
 * - GET  /:version/:id?fields=status,error_message
 *                                          IN_PROGRESS until polled `processingPolls` times, then FINISHED;
 *                                          EXPIRED 24 h after creation; a media URL whose path contains
 *                                          "unfetchable" ends in ERROR / FAILED_DOWNLOADING_VIDEO (or _IMAGE).
 *                                          A published post id answers its permalink.
 * - POST /:version/:user/threads_publish  creation_id: once per container, only when FINISHED, within the
 *                                          250-posts-per-24-hours window (a carousel counts once).
 * - GET  /:version/:user/threads          the user's posts (id, text, timestamp, permalink), newest first
 * - GET  /:version/:user/threads_publishing_limit?fields=quota_usage,config
 * Control: /__publish/v1/* (publish-common.ts) and /__meta/v1/config (faults, quota: meta.ts).
 */
import { json, type Family, type PlatformContext, type Route, type SandboxRequest, type SandboxResponse } from './common.js';
import { graphError, graphTimestamp, graphToken, metaAuth, metaControlRoutes, metaState, scriptedFault } from './meta.js';
import { controlRoutes, maybeDrop, newId, publishState, recordPost } from './publish-common.js';

interface Container {
  user: string;
  account: string;
  type: 'TEXT' | 'IMAGE' | 'VIDEO' | 'CAROUSEL';
  text: string;
  item: boolean;
  children: string[];
  status: 'IN_PROGRESS' | 'FINISHED' | 'PUBLISHED' | 'ERROR' | 'EXPIRED';
  errorMessage?: string;
  createdAt: number;
  polls: number;
}

const TEXT_LIMIT = 500;
const LINK_LIMIT = 5;
const CAROUSEL_MAX = 20;
const CONTAINER_TTL_MS = 24 * 3_600_000;
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** The documented count: characters, except that an emoji counts as many as its UTF-8 bytes. */
export function sandboxTextLength(text: string): number {
  let n = 0;
  for (const { segment } of graphemes.segment(text)) n += /\p{Emoji_Presentation}|\p{Extended_Pictographic}|\uFE0F|\p{Regional_Indicator}/u.test(segment) ? new TextEncoder().encode(segment).length : 1;
  return n;
}

const linkCount = (text: string) => new Set(text.match(/(?:https?:\/\/|www\.)\S+/gi) ?? []).size;

export function createRoutes(ctx: PlatformContext): Route[] {
  const st = publishState(ctx);
  const get = (id: string) => st.uploads.get(`th:${id}`) as Container | undefined;
  const notYours = () => graphError(400, 100, 'Unsupported request: the object does not exist or the token cannot access it', 33);
  /** The token's family when it may act as the user in the path (scripted faults first). */
  const asUser = (req: SandboxRequest): { family: Family } | { response: SandboxResponse } => {
    const fault = scriptedFault(ctx, req.path);
    if (fault) return { response: fault };
    const a = metaAuth(ctx, graphToken(req));
    if ('response' in a) return a;
    return a.family.account.id === req.params.user ? a : { response: notYours() };
  };
  const inWindow = (user: string) => st.posts.filter((p) => p.page === user && p.createdAt > ctx.now() - metaState(ctx).quotaDurationSec * 1000).length;
  /** Advances processing on a status read; a container left 24 h unpublished expires. */
  const advance = (c: Container): void => {
    if (c.status !== 'PUBLISHED' && c.status !== 'ERROR' && ctx.now() - c.createdAt > CONTAINER_TTL_MS) c.status = 'EXPIRED';
    if (c.status !== 'IN_PROGRESS') return;
    const childrenDone = c.children.every((id) => {
      const ch = get(id);
      if (ch) advance(ch);
      return ch?.status === 'FINISHED';
    });
    if (childrenDone && ++c.polls >= st.config.processingPolls) c.status = 'FINISHED';
  };

  const create = (req: SandboxRequest): SandboxResponse => {
    const a = asUser(req);
    if ('response' in a) return a.response;
    const type = req.param('media_type') as Container['type'] | undefined;
    const text = req.param('text') ?? '';
    const item = req.param('is_carousel_item') === 'true';
    const url = type === 'IMAGE' ? req.param('image_url') : type === 'VIDEO' ? req.param('video_url') : undefined;
    if (!type || !['TEXT', 'IMAGE', 'VIDEO', 'CAROUSEL'].includes(type)) return graphError(400, 100, 'Param media_type must be one of {TEXT, IMAGE, VIDEO, CAROUSEL}');
    if (type === 'TEXT' && !text) return graphError(400, 100, 'Param text is required for media_type TEXT');
    if ((type === 'IMAGE' || type === 'VIDEO') && !/^https?:\/\//.test(url ?? '')) return graphError(400, 100, `Param ${type === 'IMAGE' ? 'image_url' : 'video_url'} must be a public URL`);
    if (sandboxTextLength(text) > TEXT_LIMIT) return graphError(400, 100, `Param text must be at most ${TEXT_LIMIT} characters long`);
    if (linkCount(text) > LINK_LIMIT) return graphError(400, 100, 'THREADS_API__LINK_LIMIT_EXCEEDED: a post may contain at most 5 links');
    const children = type === 'CAROUSEL' ? (req.param('children') ?? '').split(',').filter(Boolean) : [];
    if (type === 'CAROUSEL') {
      if (children.length < 2 || children.length > CAROUSEL_MAX) return graphError(400, 100, `Param children must list 2 to ${CAROUSEL_MAX} carousel item containers`);
      if (children.some((id) => get(id)?.item !== true || get(id)?.user !== req.params.user)) return graphError(400, 100, 'Param children must be carousel item containers of this user');
    }
    const c: Container = { user: req.params.user!, account: a.family.account.name, type, text, item, children, status: 'IN_PROGRESS', createdAt: ctx.now(), polls: 0 };
    if (url && new URL(url).pathname.includes('unfetchable')) Object.assign(c, { status: 'ERROR', errorMessage: type === 'VIDEO' ? 'FAILED_DOWNLOADING_VIDEO' : 'FAILED_DOWNLOADING_IMAGE' });
    const id = newId(ctx);
    st.uploads.set(`th:${id}`, c as unknown as Record<string, unknown>);
    ctx.stats['threadsContainers'] = (ctx.stats['threadsContainers'] ?? 0) + 1;
    return json(200, { id });
  };

  const publish = (req: SandboxRequest): SandboxResponse => {
    const a = asUser(req);
    if ('response' in a) return a.response;
    const id = req.param('creation_id') ?? '';
    const c = get(id);
    if (!c || c.user !== req.params.user || c.item) return graphError(400, 100, 'Invalid parameter: creation_id');
    if (c.status === 'PUBLISHED') return graphError(400, 100, 'The media has already been published');
    if (c.status !== 'FINISHED') return graphError(400, 9007, 'Media ID is not available: the media is not ready for publishing');
    if (inWindow(c.user) >= metaState(ctx).quotaTotal) return graphError(400, 4, 'Application request limit reached: the profile published its 250 posts of the last 24 hours');
    const media = c.type === 'CAROUSEL' ? c.children.map(() => ({ bytes: 0 })) : c.type === 'TEXT' ? [] : [{ bytes: 0 }];
    const post = recordPost(ctx, a.family, { text: c.text, kind: c.type.toLowerCase(), media, page: c.user });
    if (!post) return graphError(400, 4, 'Application request limit reached');
    c.status = 'PUBLISHED';
    return maybeDrop(ctx, req, json(200, { id: post.id }));
  };

  const lookup = (req: SandboxRequest): SandboxResponse => {
    const a = metaAuth(ctx, graphToken(req));
    if ('response' in a) return a.response;
    const c = get(req.params.id!);
    if (c) {
      if (c.account !== a.family.account.name) return notYours();
      advance(c);
      return json(200, { id: req.params.id, status: c.status, ...(c.errorMessage ? { error_message: c.errorMessage } : {}) });
    }
    const p = st.posts.find((x) => x.id === req.params.id);
    return p ? json(200, { id: p.id, permalink: permalink(p.id) }) : graphError(400, 100, `Unsupported get request. Object with ID '${req.params.id}' does not exist`, 33);
  };

  return [
    ...controlRoutes(ctx),
    ...metaControlRoutes(ctx),
    { method: 'POST', path: '/:version/:user/threads', handler: create },
    { method: 'POST', path: '/:version/:user/threads_publish', handler: publish },
    {
      method: 'GET',
      path: '/:version/:user/threads',
      handler: (req) => {
        const a = asUser(req);
        if ('response' in a) return a.response;
        const rows = st.posts.filter((p) => p.page === req.params.user).reverse();
        return json(200, { data: rows.map((p) => ({ id: p.id, text: p.text, timestamp: graphTimestamp(p.createdAt), permalink: permalink(p.id) })) });
      },
    },
    {
      method: 'GET',
      path: '/:version/:user/threads_publishing_limit',
      handler: (req) => {
        const a = asUser(req);
        if ('response' in a) return a.response;
        const m = metaState(ctx);
        const fields = (req.query.get('fields') ?? 'quota_usage').split(',');
        const row: Record<string, unknown> = { quota_usage: inWindow(req.params.user!) };
        if (fields.includes('config')) row.config = { quota_total: m.quotaTotal, quota_duration: m.quotaDurationSec };
        return json(200, { data: [row] });
      },
    },
    { method: 'GET', path: '/:version/:id', handler: lookup },
  ];
}

const permalink = (id: string) => `https://www.threads.com/@sandbox/post/${Buffer.from(id).toString('base64url').slice(0, 11)}`;
