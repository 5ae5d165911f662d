/**
 * Mastodon's paged lists in the sandbox, paged as Mastodon pages them (docs/platforms/mastodon.md#api-paging):
 * - GET /api/v1/accounts/:id/statuses   newest first; public without a token, and a token must
 *                                       carry `read` or `read:statuses` (403 otherwise); limit 20, at most 40
 * - GET /api/v1/accounts/:id/followers  newest follow first, paged by the follows' own ids, which
 *                                       the answer never shows (only the Link header has them);
 *                                       public (4.0+), a token must carry `read` or `read:accounts`;
 *                                       limit 40, at most 80
 * `max_id` (older than), `since_id` (newer than) and `min_id` (the page just newer than) bound the
 * ids; the `Link` header carries rel="next" (same limit, max_id = the page's last id) only when the
 * page is full, and rel="prev" unless the page is empty.
 * Sandbox control: POST /__mastodon/followers {"account": "alice", "followers": ["bob", …]}.
 */
import { json, type PlatformContext, type Route, type SandboxRequest, type SandboxResponse } from './common.js';
import { stateOf } from './publish-common.js';
import { INSTANCES, mastodonAuth, type SandboxInstance } from './mastodon.js';

export interface StoredStatus {
  account: string;
  accountId: string;
  instance: string;
  body: unknown;
}

interface Follow {
  id: string;
  instance: string;
  targetId: string;
  account: { id: string; username: string; acct: string; display_name: string };
}

/** One row of a list: the id it pages by (its own, or a hidden one) and what the answer shows. */
interface Row {
  cursor: string;
  body: unknown;
}

export const storedStatuses = (ctx: PlatformContext) => stateOf(ctx, 'mastodon.statuses', () => new Map<string, StoredStatus>());
const follows = (ctx: PlatformContext) => stateOf(ctx, 'mastodon.follows', () => ({ seq: 0, list: [] as Follow[] }));

/** Ids are numeric strings: compared by length, then lexically (docs.joinmastodon.org/api/guidelines/#id). */
const compareIds = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/** Mastodon's limit_param: the default when absent, else |limit| capped at twice the default. */
export function limitParam(raw: string | null, fallback: number): number {
  if (raw === null || raw === '') return fallback;
  const n = Math.abs(Number.parseInt(raw, 10));
  return Number.isFinite(n) ? Math.min(n, fallback * 2) : fallback;
}

function page(req: SandboxRequest, all: Row[], defaultLimit: number, prevParam: 'min_id' | 'since_id'): SandboxResponse {
  const q = req.query;
  const limit = limitParam(q.get('limit'), defaultLimit);
  const [maxId, sinceId, minId] = [q.get('max_id'), q.get('since_id'), q.get('min_id')];
  const rows = all
    .filter((r) => (!maxId || compareIds(r.cursor, maxId) < 0) && (!sinceId || compareIds(r.cursor, sinceId) > 0) && (!minId || compareIds(r.cursor, minId) > 0))
    .sort((a, b) => compareIds(b.cursor, a.cursor));
  // min_id sets a cursor and pages forward: the `limit` rows just newer than it.
  const shown = minId ? rows.slice(-limit) : rows.slice(0, limit);
  const url = (param: string, id: string) => {
    const u = new URL(req.path, `http://${req.headers.host ?? req.url.host}`);
    if (q.has('limit')) u.searchParams.set('limit', String(limit));
    u.searchParams.set(param, id);
    return u.href;
  };
  const links = [
    ...(shown.length === limit && limit > 0 ? [`<${url('max_id', shown[shown.length - 1]!.cursor)}>; rel="next"`] : []),
    ...(shown.length ? [`<${url(prevParam, shown[0]!.cursor)}>; rel="prev"`] : []),
  ];
  return json(200, shown.map((r) => r.body), links.length ? { link: links.join(', ') } : {});
}

/** Mastodon's authorize_if_got_token!: no token is fine (public data); a token must be valid and carry one of `scopes`. */
function optionalToken(ctx: PlatformContext, req: SandboxRequest, inst: SandboxInstance, scopes: string[]): SandboxResponse | undefined {
  if (req.bearer() === undefined) return undefined;
  const a = mastodonAuth(ctx, req, inst);
  if ('response' in a) return a.response;
  return a.family.scopes.some((s) => scopes.includes(s)) ? undefined : json(403, { error: 'This action is outside the authorized scopes' });
}

function routesFor(ctx: PlatformContext, inst: SandboxInstance): Route[] {
  const P = inst.prefix;
  const statuses = (req: SandboxRequest): SandboxResponse => {
    const refused = optionalToken(ctx, req, inst, ['read', 'read:statuses']);
    if (refused) return refused;
    const own = [...storedStatuses(ctx).entries()].filter(([, s]) => s.instance === P && s.accountId === req.params.id);
    // Without a token, only what anyone may see.
    const seen = req.bearer() === undefined ? own.filter(([, s]) => ['public', 'unlisted'].includes(String((s.body as { visibility?: unknown }).visibility))) : own;
    return page(req, seen.map(([id, s]) => ({ cursor: id, body: s.body })), 20, 'min_id');
  };
  const followers = (req: SandboxRequest): SandboxResponse => {
    const refused = optionalToken(ctx, req, inst, ['read', 'read:accounts']);
    if (refused) return refused;
    const rows = follows(ctx).list.filter((f) => f.instance === P && f.targetId === req.params.id).map((f) => ({ cursor: f.id, body: f.account }));
    return page(req, rows, 40, 'since_id');
  };
  return [
    { method: 'GET', path: `${P}/api/v1/accounts/:id/statuses`, handler: statuses },
    { method: 'GET', path: `${P}/api/v1/accounts/:id/followers`, handler: followers },
  ];
}

/** Follows are numbered on their own (ids unlike any account's), as Mastodon's Follow records are. */
function addFollowers(ctx: PlatformContext, req: SandboxRequest): SandboxResponse {
  const b = (req.json ?? {}) as { account?: string; followers?: string[]; instance?: string };
  if (!b.account || !Array.isArray(b.followers)) return json(400, { error: 'account and followers[] are required' });
  const f = follows(ctx);
  const target = ctx.account(b.account);
  for (const name of b.followers) {
    const a = ctx.account(name);
    f.list.push({ id: String(7_000_000 + ++f.seq), instance: b.instance ?? '', targetId: target.id, account: { id: a.id, username: a.name, acct: a.name, display_name: a.displayName } });
  }
  return json(200, { account: target.id, followers: f.list.filter((x) => x.targetId === target.id).length });
}

export function listRoutes(ctx: PlatformContext): Route[] {
  return [...INSTANCES.flatMap((i) => routesFor(ctx, i)), { method: 'POST', path: '/__mastodon/followers', handler: (req) => addFollowers(ctx, req) }];
}
