/**
 * Mastodon for `socialync api mastodon <path>` (see ./api.ts): calls go to the connection's own
 * server. Relative paths default to the v1 REST API ("accounts/verify_credentials" ->
 * "/api/v1/accounts/verify_credentials"; /api/ and /oauth/ paths are kept). Lists page through
 * the HTTP `Link` header: --paginate follows its rel="next" URL until an answer has none or an
 * empty list (docs/platforms/mastodon.md#api-paging).
 */
import { accessCredential, linkTarget, withPrefix, type PlatformApi } from './api.js';

export const mastodonApi: PlatformApi = {
  hosts: ['api'],
  path: (p) => withPrefix(p, '/api/v1', /^\/(api|oauth)(\/|$)/),
  headers: () => ({}),
  credential: accessCredential,
  rejectsToken: (status) => status === 401,
  nextPage(call, body, headers) {
    if (call.method !== 'GET' || (Array.isArray(body) && body.length === 0)) return undefined;
    const next = linkTarget(headers?.get('link') ?? null, 'next', call.url);
    return next ? { ...call, url: next } : undefined;
  },
};
