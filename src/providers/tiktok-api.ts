/**
 * TikTok for `socialync api tiktok <path>` (see ./api.ts). Paths default to API v2
 * ("user/info/" -> "/v2/user/info/"). Lists (POST /v2/video/list/) answer
 * `data: { cursor, has_more }`; the next page sends that cursor back in the JSON body
 * (docs/platforms/tiktok.md#api-paging).
 */
import { accessCredential, record, withPrefix, type PlatformApi } from './api.js';

export const tiktokApi: PlatformApi = {
  hosts: ['api'],
  path: (p) => withPrefix(p, '/v2', /^\/v2(\/|$)/),
  headers: () => ({}),
  credential: accessCredential,
  rejectsToken: (status) => status === 401,
  nextPage(call, body) {
    const data = record(record(body)?.data);
    if (call.method !== 'POST' || !data || data.has_more !== true || data.cursor === undefined || data.cursor === null) return undefined;
    return { ...call, json: { ...(call.json ?? {}), cursor: data.cursor } };
  },
};
