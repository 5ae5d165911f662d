/**
 * X for `socialync api x <path>` (see ./api.ts). Paths default to API v2 ("users/me" ->
 * "/2/users/me"); v1.1 paths are kept. Lists page by `meta.next_token`, sent back as
 * `pagination_token`, except recent/full-archive search, which takes it as `next_token`
 * (docs/platforms/x.md#api-paging).
 */
import { accessCredential, record, withPrefix, withQuery, type PlatformApi } from './api.js';

export const xApi: PlatformApi = {
  hosts: ['api'],
  path: (p) => withPrefix(p, '/2', /^\/(2|1\.1)(\/|$)/),
  headers: () => ({}),
  credential: accessCredential,
  rejectsToken: (status) => status === 401,
  nextPage(call, body) {
    const next = record(record(body)?.meta)?.next_token;
    if (call.method !== 'GET' || typeof next !== 'string' || !next) return undefined;
    return withQuery(call, /\/2\/tweets\/search\//.test(call.url.pathname) ? 'next_token' : 'pagination_token', next);
  },
};
