/**
 * X publishing endpoints of the sandbox: chunked media upload
 * (initialize / append multipart / finalize / STATUS) and POST /2/tweets,
 * plus GET /2/users/:id/tweets for reconciliation. Errors are RFC 7807 bodies.
 */
import { json, type PlatformContext, type Route, type SandboxResponse } from './common.js';
import { authorize, controlRoutes, maybeDrop, newId, parseMultipart, publishState, recordPost } from './publish-common.js';

const problem = (status: number, title: string, detail: string, headers: Record<string, string> = {}): SandboxResponse =>
  json(status, { title, detail, type: status === 401 ? 'about:blank' : `https://api.x.com/2/problems/${title.toLowerCase().replace(/\s+/g, '-')}`, status }, headers);

interface XMedia {
  account: string;
  total: number;
  received: number;
  segments: Set<number>;
  category: string;
  finalized: boolean;
  polls: number;
}

export function createRoutes(ctx: PlatformContext): Route[] {
  const st = publishState(ctx);
  const who = (req: Parameters<Route['handler']>[0]) =>
    authorize(ctx, req, () => problem(401, 'Unauthorized', 'Unauthorized'));
  const media = (id: string) => st.uploads.get(`x:${id}`) as XMedia | undefined;
  return [
    ...controlRoutes(ctx),
    {
      method: 'POST',
      path: '/2/media/upload/initialize',
      handler: (req) => {
        const a = who(req);
        if ('error' in a) return a.error;
        const b = (req.json ?? {}) as { media_type?: string; total_bytes?: number; media_category?: string };
        if (!b.media_type || !b.total_bytes || !b.media_category) return problem(400, 'Invalid Request', 'media_type, total_bytes and media_category are required');
        const id = newId(ctx);
        st.uploads.set(`x:${id}`, { account: a.family.account.name, total: b.total_bytes, received: 0, segments: new Set(), category: b.media_category, finalized: false, polls: 0 } satisfies XMedia);
        return json(200, { data: { id, media_key: `3_${id}`, expires_after_secs: 86_400 } });
      },
    },
    {
      method: 'POST',
      path: '/2/media/upload/:id/append',
      maxBodyBytes: 6 * 1024 * 1024,
      handler: (req) => {
        const a = who(req);
        if ('error' in a) return a.error;
        const m = media(req.params.id!);
        if (!m || m.account !== a.family.account.name) return problem(400, 'Invalid Request', 'unknown media id');
        const parts = parseMultipart(req.rawBody, String(req.headers['content-type'] ?? ''));
        const idx = Number(parts.get('segment_index')?.toString() ?? NaN);
        const data = parts.get('media');
        if (!data || !Number.isInteger(idx) || idx < 0 || idx > 999) return problem(400, 'Invalid Request', 'media and segment_index (0-999) are required');
        if (!m.segments.has(idx)) m.received += data.length;
        m.segments.add(idx);
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/2/media/upload/:id/finalize',
      handler: (req) => {
        const a = who(req);
        if ('error' in a) return a.error;
        const m = media(req.params.id!);
        if (!m || m.account !== a.family.account.name) return problem(400, 'Invalid Request', 'unknown media id');
        if (m.received !== m.total) return problem(400, 'Invalid Request', `received ${m.received} of ${m.total} bytes`);
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
        const m = media(req.query.get('media_id') ?? '');
        if (!m || req.query.get('command') !== 'STATUS') return problem(400, 'Invalid Request', 'command=STATUS and a known media_id are required');
        m.polls++;
        const state = m.polls >= st.config.processingPolls ? 'succeeded' : 'in_progress';
        return json(200, { data: { id: req.query.get('media_id'), processing_info: { state, check_after_secs: 1, progress_percent: state === 'succeeded' ? 100 : 50 } } });
      },
    },
    {
      method: 'POST',
      path: '/2/tweets',
      handler: (req) => {
        const a = who(req);
        if ('error' in a) return a.error;
        const b = (req.json ?? {}) as { text?: string; media?: { media_ids?: string[] } };
        const ids = b.media?.media_ids ?? [];
        if (!b.text && !ids.length) return problem(400, 'Invalid Request', 'text or media is required');
        if ([...(b.text ?? '')].length > 280) return problem(400, 'Invalid Request', 'text is too long');
        for (const id of ids) {
          const m = media(id);
          if (!m || !m.finalized || m.account !== a.family.account.name) return problem(400, 'Invalid Request', `media ${id} is not ready`);
          if (m.category !== 'tweet_image' && m.polls < st.config.processingPolls) return problem(400, 'Invalid Request', `media ${id} is still processing`);
        }
        const post = recordPost(ctx, a.family, { text: b.text ?? '', kind: ids.length ? 'media' : 'text', media: ids.map((id) => ({ bytes: media(id)!.total })) });
        if (!post) {
          const reset = String(Math.floor(ctx.now() / 1000) + 3600);
          return problem(429, 'Too Many Requests', 'You have reached the daily post limit', { 'x-rate-limit-reset': reset, 'x-rate-limit-remaining': '0' });
        }
        return maybeDrop(ctx, req, json(201, { data: { id: post.id, text: post.text, edit_history_tweet_ids: [post.id] } }));
      },
    },
    {
      method: 'GET',
      path: '/2/users/:id/tweets',
      handler: (req) => {
        const a = who(req);
        if ('error' in a) return a.error;
        const since = Date.parse(req.query.get('start_time') ?? '') || 0;
        const rows = st.posts
          .filter((p) => p.accountId === req.params.id && p.createdAt >= since)
          .reverse()
          .slice(0, Number(req.query.get('max_results') ?? 10))
          .map((p) => ({ id: p.id, text: p.text, created_at: new Date(p.createdAt).toISOString() }));
        return json(200, rows.length ? { data: rows, meta: { result_count: rows.length } } : { meta: { result_count: 0 } });
      },
    },
  ];
}
