/**
 * How Mastodon pages a list of statuses (docs/platforms/mastodon.md#api-paging): newest first;
 * `limit` defaults to 20 and is capped at twice that; `max_id` (older than), `since_id` (newer
 * than) and `min_id` (the page just newer than) bound the ids; the answer's `Link` header carries
 * rel="next" (same limit, max_id = the last id) only when the page is full, and rel="prev"
 * (min_id = the first id) unless the page is empty. The client is expected to follow the header,
 * never to build the next URL itself.
 */
import { json, type SandboxRequest, type SandboxResponse } from './common.js';

const DEFAULT_LIMIT = 20;

/** Ids are numeric strings: compared by length, then lexically (docs.joinmastodon.org/api/guidelines/#id). */
const compareIds = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/** Mastodon's limit_param: the default when absent, else |limit| capped at twice the default. */
export function limitParam(raw: string | null, fallback = DEFAULT_LIMIT): number {
  if (raw === null || raw === '') return fallback;
  const n = Math.abs(Number.parseInt(raw, 10));
  return Number.isFinite(n) ? Math.min(n, fallback * 2) : fallback;
}

export function accountStatuses(req: SandboxRequest, all: { id: string; body: unknown }[]): SandboxResponse {
  const q = req.query;
  const limit = limitParam(q.get('limit'));
  const [maxId, sinceId, minId] = [q.get('max_id'), q.get('since_id'), q.get('min_id')];
  let rows = all
    .filter((s) => (!maxId || compareIds(s.id, maxId) < 0) && (!sinceId || compareIds(s.id, sinceId) > 0) && (!minId || compareIds(s.id, minId) > 0))
    .sort((a, b) => compareIds(b.id, a.id));
  // min_id sets a cursor and pages forward: the `limit` statuses just newer than it.
  rows = minId ? rows.slice(-limit) : rows.slice(0, limit);
  const link = linkHeader(req, limit, rows.length === limit ? rows[rows.length - 1]!.id : undefined, rows[0]?.id);
  return json(200, rows.map((r) => r.body), link ? { link } : {});
}

function linkHeader(req: SandboxRequest, limit: number, nextMaxId: string | undefined, prevMinId: string | undefined): string | undefined {
  const page = (param: string, id: string) => {
    const u = new URL(req.path, `http://${req.headers.host ?? req.url.host}`);
    if (req.query.has('limit')) u.searchParams.set('limit', String(limit));
    u.searchParams.set(param, id);
    return u.href;
  };
  const links = [...(nextMaxId ? [`<${page('max_id', nextMaxId)}>; rel="next"`] : []), ...(prevMinId ? [`<${page('min_id', prevMinId)}>; rel="prev"`] : [])];
  return links.length ? links.join(', ') : undefined;
}
