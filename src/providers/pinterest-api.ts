/**
 * Pinterest for `socialync api pinterest <path>` (see ./api.ts): calls go to api.pinterest.com under
 * /v5 ("boards" -> "/v5/boards"); a refused token is HTTP 401; lists page with `bookmark`
 * (docs/platforms/pinterest.md#boards).
 */
import { accessCredential, record, withPrefix, withQuery, type PlatformApi } from './api.js';

export const pinterestApi: PlatformApi = {
  hosts: ['api'],
  path: (p) => withPrefix(p, '/v5', /^\/v5(\/|$)/),
  headers: () => ({}),
  credential: accessCredential,
  rejectsToken: (status) => status === 401,
  nextPage: (call, body) => {
    const bookmark = record(body)?.bookmark;
    return call.method === 'GET' && typeof bookmark === 'string' && bookmark ? withQuery(call, 'bookmark', bookmark) : undefined;
  },
};
