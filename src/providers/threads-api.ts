/**
 * Threads for `socialync api threads <path>` (see ./api.ts, ./graph-api.ts): calls go to
 * graph.threads.net with the version in front of a path that has none ("me" -> "/v1.0/me"); an invalid
 * token is Meta's code 190 (docs/platforms/threads.md#errors); lists page by `paging.next`.
 */
import { accessCredential, type PlatformApi } from './api.js';
import { descriptor } from './threads.js';
import { graphNextPage, graphPath, graphRejectsToken } from './graph-api.js';

export const threadsApi: PlatformApi = {
  hosts: ['graph'],
  path: (p, d) => graphPath(p, d, descriptor.apiVersion as string),
  headers: () => ({}),
  credential: accessCredential,
  rejectsToken: graphRejectsToken,
  nextPage: graphNextPage,
};
