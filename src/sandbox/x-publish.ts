/**
 * X publishing endpoints of the sandbox, enforcing the rules in docs/platforms/x.md:
 * chunked media upload (initialize / append multipart / finalize / STATUS) with X's size
 * limits per category, 5 MiB segments and indexes 0–999; POST /2/tweets with the weighted
 * length limit (twitter-text) and the media combinations X allows; GET /2/users/:id/tweets
 * returning posts in X's stored form (./x-stored.ts). Errors are RFC 7807 bodies.
 *
 * X-only control: POST /__publish/v1/x {textLimit?, holdCreateMs?, expireTokenAfterSegments?}
 *   textLimit: the account's limit in weighted characters (280; 25000 for X Premium)
 *   holdCreateMs: POST /2/tweets creates the post, then waits this long before answering
 *   expireTokenAfterSegments: N — each time N more segments were stored, the uploading account's
 *     access tokens expire (an upload that outlives its two-hour token); null turns it off. An
 *     APPEND with the expired token answers 401 and stores nothing (docs/platforms/x.md#token-expiry)
 * GET /__publish/v1/x -> {segments, rejectedAppends, tokenExpiries}
 */
import { createHash } from 'node:crypto';
import { json, type PlatformContext, type Route, type SandboxRequest, type SandboxResponse } from './common.js';
import { authorize, controlRoutes, maybeDrop, newId, parseMultipart, publishState, recordPost, TokenExpiry } from './publish-common.js';
import { storedPost, storeText, weighted, type StoredText } from './x-stored.js';

const problem = (status: number, title: string, detail: string, headers: Record<string, string> = {}): SandboxResponse =>
  json(status, { title, detail, type: status === 401 ? 'about:blank' : `https://api.x.com/2/problems/${title.toLowerCase().replace(/\s+/g, '-')}`, status }, headers);
const invalid = (detail: string) => problem(400, 'Invalid Request', detail);

const MiB = 1024 * 1024;
/** Per media_category: accepted media_type prefix and most bytes (docs/platforms/x.md#media-limits). */
const CATEGORIES: Record<string, { types: RegExp; maxBytes: number }> = {
  tweet_image: { types: /^image\/(jpeg|pjpeg|png|webp|bmp|tiff)$/, maxBytes: 5 * MiB },
  tweet_gif: { types: /^image\/gif$/, maxBytes: 15 * MiB },
  tweet_video: { types: /^video\/(mp4|quicktime|webm|mp2t)$/, maxBytes: 16 * 1024 * MiB },
  amplify_video: { types: /^video\/(mp4|quicktime|webm|mp2t)$/, maxBytes: 16 * 1024 * MiB },
};
/** Most bytes in one APPEND (docs/platforms/x.md#segments). */
const MAX_SEGMENT_BYTES = 5 * MiB;
const TIMELINE_PARAMS = new Set(['max_results', 'pagination_token', 'start_time', 'end_time', 'since_id', 'until_id', 'exclude', 'tweet.fields', 'expansions', 'user.fields', 'media.fields', 'poll.fields', 'place.fields']);
const TWEET_FIELDS = new Set(['attachments', 'author_id', 'context_annotations', 'conversation_id', 'created_at', 'edit_controls', 'entities', 'geo', 'id', 'in_reply_to_user_id', 'lang', 'note_tweet', 'possibly_sensitive', 'public_metrics', 'referenced_tweets', 'reply_settings', 'source', 'text', 'withheld']);

interface XMedia {
  account: string;
  total: number;
  segments: Map<number, number>;
  /** Segment bytes by index, kept only with the publish config's hashUploads (tests check integrity). */
  data?: Map<number, Buffer>;
  category: string;
  finalized: boolean;
  polls: number;
}

interface XState {
  textLimit: number;
  holdCreateMs: number;
  expiry: TokenExpiry;
  stats: { segments: number; rejectedAppends: number };
  stored: Map<string, { stored: StoredText; weighted: number }>;
}

function xState(ctx: PlatformContext): XState {
  let s = ctx.data.get('x') as XState | undefined;
  if (!s) ctx.data.set('x', (s = { textLimit: 280, holdCreateMs: 0, expiry: new TokenExpiry(), stats: { segments: 0, rejectedAppends: 0 }, stored: new Map() }));
  return s;
}

/** A stored segment; every `expireTokenAfterSegments` of them the account's access tokens expire. */
function segmentStored(ctx: PlatformContext, account: string): void {
  const x = xState(ctx);
  x.stats.segments++;
  x.expiry.stored(ctx, account);
}

function initialize(b: { media_type?: string; total_bytes?: number; media_category?: string }): string | undefined {
  const cat = CATEGORIES[b.media_category ?? ''];
  if (!b.media_type || !cat) return 'media_type and media_category (tweet_image, tweet_gif, tweet_video, amplify_video) are required';
  if (!cat.types.test(b.media_type)) return `media_type ${b.media_type} does not fit media_category ${b.media_category}`;
  if (!Number.isInteger(b.total_bytes) || b.total_bytes! <= 0) return 'total_bytes must be a positive whole number';
  if (b.total_bytes! > cat.maxBytes) return `File size exceeds ${cat.maxBytes} bytes.`;
  return undefined;
}

function append(m: XMedia, req: SandboxRequest): string | undefined {
  const parts = parseMultipart(req.rawBody, String(req.headers['content-type'] ?? ''));
  const idx = Number(parts.get('segment_index')?.toString() ?? NaN);
  const data = parts.get('media');
  if (!data || !Number.isInteger(idx) || idx < 0 || idx > 999) return 'media and segment_index (0-999) are required';
  if (data.length > MAX_SEGMENT_BYTES) return `Segment size exceeds ${MAX_SEGMENT_BYTES} bytes.`;
  m.segments.set(idx, data.length);
  m.data?.set(idx, Buffer.from(data));
  const received = [...m.segments.values()].reduce((a, b) => a + b, 0);
  if (received > m.total) return `received ${received} bytes; total_bytes was ${m.total}`;
  return undefined;
}

/** SHA-256 of the segments in index order: what X would assemble. */
function sha256Of(m: XMedia): string {
  const h = createHash('sha256');
  for (let i = 0; i < m.data!.size; i++) h.update(m.data!.get(i)!);
  return h.digest('hex');
}

function finalizeProblem(m: XMedia): string | undefined {
  const received = [...m.segments.values()].reduce((a, b) => a + b, 0);
  if (received !== m.total) return `received ${received} of ${m.total} bytes`;
  for (let i = 0; i < m.segments.size; i++) if (!m.segments.has(i)) return `segment ${i} is missing`;
  return undefined;
}

/** Up to 4 images, or one GIF, or one video (docs/platforms/x.md#media-limits). */
function mediaProblem(list: XMedia[]): string | undefined {
  if (list.length > 4) return 'Your media IDs are invalid: at most 4 media per post';
  if (list.length > 1 && list.some((m) => m.category !== 'tweet_image')) return 'Your media IDs are invalid: a video or GIF must be the only media';
  return undefined;
}

function timeline(ctx: PlatformContext, req: SandboxRequest): SandboxResponse {
  const unknown = [...req.query.keys()].filter((k) => !TIMELINE_PARAMS.has(k));
  if (unknown.length) return invalid(`The query parameters [${unknown.join(',')}] is not one of [${[...TIMELINE_PARAMS].join(',')}]`);
  const fields = new Set((req.query.get('tweet.fields') ?? '').split(',').filter(Boolean));
  const bad = [...fields].filter((f) => !TWEET_FIELDS.has(f));
  if (bad.length) return invalid(`The \`tweet.fields\` query parameter value [${bad.join(',')}] is not one of [${[...TWEET_FIELDS].join(',')}]`);
  const max = Number(req.query.get('max_results') ?? 10);
  if (!Number.isInteger(max) || max < 5 || max > 100) return invalid('The `max_results` query parameter value must be between 5 and 100');
  const since = Date.parse(req.query.get('start_time') ?? '') || 0;
  const x = xState(ctx);
  // Pages as X does (docs/platforms/x.md#api-paging): meta.next_token while more rows remain, sent back as pagination_token.
  const token = req.query.get('pagination_token');
  const from = token === null ? 0 : /^sbxpage([1-9]\d*)$/.exec(token)?.[1];
  if (from === undefined) return invalid('The `pagination_token` query parameter value is not valid');
  const all = publishState(ctx).posts.filter((p) => p.accountId === req.params.id && p.createdAt >= since).reverse();
  const start = Number(from);
  const next = start + max < all.length ? `sbxpage${start + max}` : undefined;
  const rows = all
    .slice(start, start + max)
    .map((p) => {
      const s = x.stored.get(p.id)!;
      return { ...storedPost(p.id, s.stored, s.weighted, fields), edit_history_tweet_ids: [p.id], ...(fields.has('created_at') ? { created_at: new Date(p.createdAt).toISOString() } : {}) };
    });
  return json(200, rows.length ? { data: rows, meta: { result_count: rows.length, ...(next ? { next_token: next } : {}) } } : { meta: { result_count: 0 } });
}

export function createRoutes(ctx: PlatformContext): Route[] {
  const st = publishState(ctx);
  const who = (req: SandboxRequest) => authorize(ctx, req, () => problem(401, 'Unauthorized', 'Unauthorized'));
  const media = (id: string) => st.uploads.get(`x:${id}`) as XMedia | undefined;
  const mine = (req: SandboxRequest, account: string) => {
    const m = media(req.params.id ?? req.query.get('media_id') ?? '');
    return m && m.account === account ? m : undefined;
  };
  const createPost = async (req: SandboxRequest): Promise<SandboxResponse> => {
    const a = who(req);
    if ('error' in a) return a.error;
    const b = (req.json ?? {}) as { text?: string; media?: { media_ids?: string[] } };
    const ids = b.media?.media_ids ?? [];
    if (!b.text && !ids.length) return invalid('text or media is required');
    const x = xState(ctx);
    const w = weighted(b.text ?? '');
    if (w > x.textLimit) return problem(403, 'Forbidden', 'Your Tweet text is too long. For more information on how Twitter determines text length see https://github.com/twitter/twitter-text.');
    const list = ids.map(media);
    for (const [i, m] of list.entries()) {
      if (!m || !m.finalized || m.account !== a.family.account.name) return invalid(`media ${ids[i]} is not ready`);
      if (m.category !== 'tweet_image' && m.polls < st.config.processingPolls) return invalid(`media ${ids[i]} is still processing`);
    }
    const combo = mediaProblem(list as XMedia[]);
    if (combo) return invalid(combo);
    const post = recordPost(ctx, a.family, { text: b.text ?? '', kind: ids.length ? 'media' : 'text', media: list.map((m) => ({ bytes: m!.total, ...(m!.data ? { sha256: sha256Of(m!) } : {}) })) });
    if (!post) return problem(429, 'Too Many Requests', 'You have reached the daily post limit', { 'x-rate-limit-reset': String(Math.floor(ctx.now() / 1000) + 3600), 'x-rate-limit-remaining': '0' });
    const attached = list.map((m, i) => ({ key: `${m!.category === 'tweet_image' ? 3 : 7}_${ids[i]}`, kind: m!.category === 'tweet_image' ? ('photo' as const) : ('video' as const), user: a.family.account.name }));
    const stored = storeText(post.id, post.text, attached);
    x.stored.set(post.id, { stored, weighted: w });
    if (x.holdCreateMs) await new Promise((r) => setTimeout(r, x.holdCreateMs));
    const text = w > 280 ? `${[...stored.text].slice(0, 270).join('')}…` : stored.text;
    return maybeDrop(ctx, req, json(201, { data: { id: post.id, text, edit_history_tweet_ids: [post.id] } }));
  };
  return [
    ...controlRoutes(ctx),
    {
      method: 'POST',
      path: '/__publish/v1/x',
      handler: (req) => {
        const b = (req.json ?? {}) as { textLimit?: number; holdCreateMs?: number; expireTokenAfterSegments?: number | null };
        const x = xState(ctx);
        if (typeof b.textLimit === 'number') x.textLimit = b.textLimit;
        if (typeof b.holdCreateMs === 'number') x.holdCreateMs = b.holdCreateMs;
        if ('expireTokenAfterSegments' in b) x.expiry.configure(b.expireTokenAfterSegments);
        return json(200, { ok: true, textLimit: x.textLimit, holdCreateMs: x.holdCreateMs, expireTokenAfterSegments: x.expiry.every ?? null });
      },
    },
    { method: 'GET', path: '/__publish/v1/x', handler: () => json(200, { ...xState(ctx).stats, tokenExpiries: xState(ctx).expiry.expiries }) },
    {
      method: 'POST',
      path: '/2/media/upload/initialize',
      handler: (req) => {
        const a = who(req);
        if ('error' in a) return a.error;
        const b = (req.json ?? {}) as { media_type?: string; total_bytes?: number; media_category?: string };
        const why = initialize(b);
        if (why) return invalid(why);
        const id = newId(ctx);
        st.uploads.set(`x:${id}`, { account: a.family.account.name, total: b.total_bytes!, segments: new Map(), ...(st.config.hashUploads ? { data: new Map() } : {}), category: b.media_category!, finalized: false, polls: 0 } satisfies XMedia);
        return json(200, { data: { id, media_key: `${b.media_category === 'tweet_image' ? 3 : 7}_${id}`, expires_after_secs: 86_400 } });
      },
    },
    {
      method: 'POST',
      path: '/2/media/upload/:id/append',
      // A 5 MiB segment plus the multipart framing; the segment rule itself is checked in append().
      maxBodyBytes: MAX_SEGMENT_BYTES + 64 * 1024,
      handler: (req) => {
        const a = who(req);
        if ('error' in a) return (xState(ctx).stats.rejectedAppends++, a.error);
        const m = mine(req, a.family.account.name);
        if (!m || m.finalized) return invalid('unknown media id, or already finalized');
        const why = append(m, req);
        if (why) return invalid(why);
        segmentStored(ctx, a.family.account.name);
        return json(200, { data: { expires_at: Math.floor(ctx.now() / 1000) + 86_400 } });
      },
    },
    {
      method: 'POST',
      path: '/2/media/upload/:id/finalize',
      handler: (req) => {
        const a = who(req);
        if ('error' in a) return a.error;
        const m = mine(req, a.family.account.name);
        if (!m) return invalid('unknown media id');
        const why = finalizeProblem(m);
        if (why) return invalid(why);
        m.finalized = true;
        const processing = m.category !== 'tweet_image' && st.config.processingPolls > 0;
        return json(200, { data: { id: req.params.id, size: m.total, ...(processing ? { processing_info: { state: 'pending', check_after_secs: 1 } } : {}) } });
      },
    },
    {
      method: 'GET',
      path: '/2/media/upload',
      handler: (req) => {
        const a = who(req);
        if ('error' in a) return a.error;
        const m = mine(req, a.family.account.name);
        if (!m || req.query.get('command') !== 'STATUS') return invalid('command=STATUS and a known media_id are required');
        m.polls++;
        const state = m.polls >= st.config.processingPolls ? 'succeeded' : 'in_progress';
        return json(200, { data: { id: req.query.get('media_id'), processing_info: { state, check_after_secs: 1, progress_percent: state === 'succeeded' ? 100 : 50 } } });
      },
    },
    { method: 'POST', path: '/2/tweets', handler: createPost },
    {
      method: 'GET',
      path: '/2/users/:id/tweets',
      handler: (req) => {
        const a = who(req);
        return 'error' in a ? a.error : timeline(ctx, req);
      },
    },
  ];
}
