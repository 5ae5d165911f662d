/**
 * YouTube for `socialync api youtube <path>` (see ./api.ts). Paths default to the Data API v3
 * ("channels" -> "/youtube/v3/channels"); /upload/ and other Google API paths are kept. Lists
 * page by `nextPageToken`, sent back as `pageToken` (docs/platforms/youtube.md#api-paging).
 */
import { accessCredential, record, withPrefix, withQuery, type PlatformApi } from './api.js';

export const youtubeApi: PlatformApi = {
  hosts: ['api'],
  path: (p) => withPrefix(p, '/youtube/v3', /^\/(youtube|upload|oauth2)\//),
  headers: () => ({}),
  credential: accessCredential,
  rejectsToken: (status) => status === 401,
  nextPage(call, body) {
    const next = record(body)?.nextPageToken;
    return call.method === 'GET' && typeof next === 'string' && next ? withQuery(call, 'pageToken', next) : undefined;
  },
};
