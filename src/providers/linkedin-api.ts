/**
 * LinkedIn for `socialync api linkedin <path>` (see ./api.ts). Paths default to the versioned
 * REST API ("posts" -> "/rest/posts"; /v2/ paths are kept), with the `LinkedIn-Version` and
 * `X-Restli-Protocol-Version: 2.0.0` headers every /rest call needs (restHeaders). Lists page by
 * `paging.links` rel=next when given, else by start/count: the next page starts after the
 * elements received, and a page shorter than `count` (or reaching `total`) is the last
 * (docs/platforms/linkedin.md#api-paging).
 */
import { accessCredential, record, withPrefix, type ApiCall, type PlatformApi } from './api.js';
import { restHeaders } from './linkedin.js';

export const linkedinApi: PlatformApi = {
  hosts: ['api'],
  path: (p) => withPrefix(p, '/rest', /^\/(rest|v2)(\/|$)/),
  headers: (d) => {
    const { authorization: _auth, ...rest } = restHeaders({ accessToken: '', scopes: [], obtainedAt: 0 }, d);
    void _auth;
    return rest;
  },
  credential: accessCredential,
  rejectsToken: (status) => status === 401,
  nextPage(call, body) {
    if (call.method !== 'GET') return undefined;
    const b = record(body);
    const paging = record(b?.paging);
    if (!paging) return undefined;
    const link = Array.isArray(paging.links) ? paging.links.map(record).find((l) => l?.rel === 'next' && typeof l.href === 'string') : undefined;
    if (link) return { ...call, url: new URL(String(link.href), call.url) };
    return nextByStart(call, paging, Array.isArray(b?.elements) ? b.elements.length : 0);
  },
};

function nextByStart(call: ApiCall, paging: Record<string, unknown>, received: number): ApiCall | undefined {
  const start = Number(paging.start ?? call.url.searchParams.get('start') ?? 0);
  const count = Number(call.url.searchParams.get('count') ?? paging.count ?? 10);
  const total = typeof paging.total === 'number' ? paging.total : undefined;
  if (!received || received < count || (total !== undefined && start + received >= total)) return undefined;
  const url = new URL(call.url);
  url.searchParams.set('start', String(start + received));
  if (!url.searchParams.has('count')) url.searchParams.set('count', String(count));
  return { ...call, url };
}
